package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/siuss"
)

// siussAPIRoutes registers /siuss/flows on the ente's API group (after the
// bearer middleware): internal/web/openapi/siuss.yaml describes it. Reading
// the flows needs siuss:export, the administrative office's permission over
// the SIUSS feed: an outcome's description may name the beneficiary, so
// interventions:read alone is not enough.
func (s *Server) siussAPIRoutes(api *gin.RouterGroup) {
	api.GET("/siuss/flows", s.require(authz.PermSIUSSExport), s.handle(s.apiSIUSSFlows))
}

// apiSIUSSFlow is a flow in the API: everything but the XML.
type apiSIUSSFlow struct {
	ID             uuid.UUID      `json:"id"`
	IDFlusso       string         `json:"id_flusso"`
	Tipo           string         `json:"tipo"`
	TSFlusso       string         `json:"ts_flusso"`
	InterventionID uuid.UUID      `json:"intervention_id"`
	Operation      string         `json:"operation"`
	TipoOperazione string         `json:"tipo_operazione"`
	State          string         `json:"state"`
	Outcome        *siuss.Outcome `json:"outcome,omitempty"`
	SupersededBy   *uuid.UUID     `json:"superseded_by,omitempty"`
	CreatedAt      time.Time      `json:"created_at"`
}

// apiSIUSSFlows is GET /siuss/flows[?state=][&since=][&limit=][&intervention_id=].
func (s *Server) apiSIUSSFlows(c *gin.Context) error {
	if s.opts.SIUSS == nil {
		return errNoRoute
	}
	f := siuss.Filter{State: c.Query("state"), Limit: siuss.DefaultLimit}
	var bad []people.FieldError
	switch f.State {
	case "", siuss.StateWaiting, siuss.StateAcquired, siuss.StateRejected:
	default:
		bad = append(bad, people.FieldError{Field: "state", Message: "usare waiting, acquired o rejected"})
	}
	if v := c.Query("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			bad = append(bad, people.FieldError{Field: "since", Message: "un timestamp Unix in millisecondi"})
		}
		f.Since = n
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > siuss.MaxLimit {
			bad = append(bad, people.FieldError{Field: "limit", Message: "un intero tra 1 e 100"})
		}
		f.Limit = n
	}
	if v := c.Query("intervention_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			bad = append(bad, people.FieldError{Field: "intervention_id", Message: "un identificativo non valido"})
		}
		f.InterventionID = id
	}
	if len(bad) > 0 {
		return invalidFields("dati non validi", bad...)
	}
	flows, err := s.opts.SIUSS.List(c.Request.Context(), currentTenant(c).ID, f)
	if err != nil {
		return apiError(err)
	}
	items := make([]apiSIUSSFlow, 0, len(flows))
	for _, fl := range flows {
		items = append(items, apiSIUSSFlow{ID: fl.ID, IDFlusso: fl.IDFlusso, Tipo: fl.Tipo, TSFlusso: waasTime(fl.TSFlusso),
			InterventionID: fl.InterventionID, Operation: fl.Operation, TipoOperazione: fl.TipoOperazione, State: fl.State,
			Outcome: fl.Outcome, SupersededBy: fl.SupersededBy, CreatedAt: fl.CreatedAt})
	}
	body := gin.H{"items": items}
	if len(flows) == f.Limit {
		body["next_since"] = flows[len(flows)-1].TSFlusso.UnixMilli()
	}
	c.JSON(http.StatusOK, body)
	return nil
}
