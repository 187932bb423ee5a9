package web

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/pdnd"
	"github.com/sigess/sigess/internal/siuss"
	"github.com/sigess/sigess/internal/tenancy"
)

// The WaaS SIUSS feed: INPS polls every ente at /t/{slug}/waas/v1 through
// PDND (internal/web/waas/api-comuni.yaml is the contract). No session and
// no CSRF: every call carries a PDND voucher, verified against the ente's
// waas.pdnd settings (internal/pdnd). An ente whose WaaS is off (settings
// waas.enabled, modules.siuss) has no such endpoints: 404. Errors are
// application/problem+json with only the members of the spec's Problem
// schema. /esiti and /status carry no security in the spec; they are
// protected all the same, since only INPS, through PDND, may call them.

// SIUSSFlows is what the WaaS endpoints and the flows API need of the SIUSS
// flows: *siuss.Service.
type SIUSSFlows interface {
	// List returns the ente's flows matching f, oldest first by ts_flusso.
	List(ctx context.Context, tenant uuid.UUID, f siuss.Filter) ([]siuss.Flow, error)
	// RecordOutcome stores INPS's outcome of a flow, idempotently; an
	// id_flusso the ente does not have is derrors.ErrNotFound.
	RecordOutcome(ctx context.Context, tenant uuid.UUID, idFlusso string, o siuss.Outcome) (bool, error)
}

// defaultPDND verifies the vouchers when Options.PDND is nil.
var defaultPDND = pdnd.New()

const (
	waasDefaultLimit = 10
	waasMaxLimit     = 100
	waasMaxBody      = 1 << 20
	waasTokenKey     = "sigess.waas.token"
)

// waasRoutes registers the WaaS group on the ente's group t.
func (s *Server) waasRoutes(t *gin.RouterGroup) {
	w := t.Group("/waas/v1", s.waasAuth())
	w.GET("/flussi", s.waasFlussi)
	w.POST("/esiti", s.waasEsiti)
	w.GET("/status", s.waasStatus)
}

// waasProblem answers application/problem+json in the spec's Problem shape.
func waasProblem(c *gin.Context, status int, title, detail string) {
	if status >= 500 {
		_ = c.Error(fmt.Errorf("waas: %s: %s", title, detail))
	}
	c.Header("Content-Type", "application/problem+json")
	c.Header("Cache-Control", "no-store")
	body := gin.H{"type": "about:blank", "title": title, "status": status}
	if detail != "" {
		body["detail"] = detail
	}
	c.AbortWithStatusJSON(status, body)
}

func (s *Server) pdndVerifier() *pdnd.Verifier {
	if s.opts.PDND != nil {
		return s.opts.PDND
	}
	return defaultPDND
}

// waasEnabled reports whether the ente serves the feed.
func waasEnabled(t *tenancy.Tenant) bool {
	return t.Settings.WaaS.Enabled && t.Settings.Modules.SIUSS
}

// waasAuth admits a request carrying a PDND voucher for this ente's
// e-service: 404 when the ente does not serve the feed, 401 without a valid
// voucher, 503 when it cannot be checked (no configuration, no key set).
func (s *Server) waasAuth() gin.HandlerFunc {
	return func(c *gin.Context) {
		t := currentTenant(c)
		if !waasEnabled(t) || s.opts.SIUSS == nil {
			waasProblem(c, http.StatusNotFound, "Not Found", "servizio WaaS non attivo per questo ente")
			return
		}
		raw, ok := bearerToken(c.GetHeader("Authorization"))
		if !ok {
			c.Header("WWW-Authenticate", `Bearer realm="pdnd"`)
			waasProblem(c, http.StatusUnauthorized, "Unauthorized", "voucher PDND mancante")
			return
		}
		p := t.Settings.WaaS.PDND
		tok, err := s.pdndVerifier().Verify(c.Request.Context(), pdnd.Config{JWKSURL: p.JWKSURL, Issuer: p.Issuer, Audience: p.Audience}, raw)
		switch {
		case errors.Is(err, pdnd.ErrInvalidToken):
			_ = c.Error(err) // the reason goes to the log, not to the caller
			c.Header("WWW-Authenticate", `Bearer realm="pdnd", error="invalid_token"`)
			waasProblem(c, http.StatusUnauthorized, "Unauthorized", "voucher PDND non valido o scaduto")
			return
		case errors.Is(err, pdnd.ErrNotConfigured):
			waasProblem(c, http.StatusServiceUnavailable, "Service Unavailable", "autenticazione PDND non configurata per questo ente")
			return
		case err != nil:
			c.Header("Retry-After", "60")
			waasProblem(c, http.StatusServiceUnavailable, "Service Unavailable", "chiavi PDND non raggiungibili, riprovare")
			_ = c.Error(err)
			return
		}
		c.Set(waasTokenKey, tok)
		c.Next()
	}
}

// waasEntry is a Flusso of the spec.
type waasEntry struct {
	CodiceEnte        string `json:"codice_ente"`
	DenominazioneEnte string `json:"denominazione_ente"`
	IDFlusso          string `json:"id_flusso"`
	TSFlusso          string `json:"ts_flusso"`
	Tipo              string `json:"tipo"`
	Flusso            string `json:"flusso"`
}

// waasTime formats a ts_flusso: RFC 3339 in UTC with milliseconds.
func waasTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// waasFlussi is GET /flussi?since=&limit=.
func (s *Server) waasFlussi(c *gin.Context) {
	since, err := strconv.ParseInt(c.Query("since"), 10, 64)
	if err != nil || since < 0 {
		waasProblem(c, http.StatusBadRequest, "Bad Request", "since è obbligatorio: un timestamp Unix in millisecondi (0 per tutti i flussi)")
		return
	}
	limit := waasDefaultLimit
	if v, ok := c.GetQuery("limit"); ok {
		limit, err = strconv.Atoi(v)
		if err != nil || limit < 0 || limit > waasMaxLimit {
			waasProblem(c, http.StatusBadRequest, "Bad Request", "limit deve essere un intero tra 0 e 100")
			return
		}
	}
	t := currentTenant(c)
	entries := []waasEntry{}
	if limit > 0 {
		flows, err := s.opts.SIUSS.List(c.Request.Context(), t.ID, siuss.Filter{Since: since, Limit: limit})
		if err != nil {
			waasProblem(c, http.StatusInternalServerError, "Internal Server Error", "")
			_ = c.Error(err)
			return
		}
		for _, f := range flows {
			entries = append(entries, waasEntry{
				CodiceEnte: waasEnteCode(t, f), DenominazioneEnte: t.Name, IDFlusso: f.IDFlusso,
				TSFlusso: waasTime(f.TSFlusso), Tipo: f.Tipo, Flusso: base64.StdEncoding.EncodeToString([]byte(f.XML)),
			})
		}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"elenco_flussi": entries})
}

// waasEnteCode is the Belfiore code the flow was made with (the first part
// of its id_flusso), else the ente's.
func waasEnteCode(t *tenancy.Tenant, f siuss.Flow) string {
	for i := 0; i < len(f.IDFlusso); i++ {
		if f.IDFlusso[i] == '.' {
			return f.IDFlusso[:i]
		}
	}
	return t.BelfioreCode
}
