package web

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/siuss"
)

// waasEsito is an EsitoFlusso of the spec; the times stay text until checked.
type waasEsito struct {
	IDFlusso            string `json:"id_flusso"`
	Tipo                string `json:"tipo"`
	TSFlusso            string `json:"ts_flusso"`
	TSAcquisizione      string `json:"ts_acquisizione"`
	CodiceEsito         string `json:"codice_esito"`
	DescrizioneEsito    string `json:"descrizione_esito"`
	IDAcquisizioneSIUSS string `json:"id_acquisizione_siuss"`
}

var waasOutcomeCodes = map[string]bool{"OK": true, "DATI_NON_TROVATI": true, "RICHIESTA_INVALIDA": true, "ERRORE_GENERICO": true}

// waasEsiti is POST /esiti: INPS's outcomes of the flows it acquired. It is
// retried by INPS until it gets a 2xx and is idempotent: an outcome recorded
// again changes nothing. The whole list is checked before anything is
// recorded; an id_flusso the ente does not have is 422 (the others are
// recorded, so that INPS's retry records nothing twice).
func (s *Server) waasEsiti(c *gin.Context) {
	if mt, _, err := mime.ParseMediaType(c.ContentType()); err != nil || mt != "application/json" {
		waasProblem(c, http.StatusUnsupportedMediaType, "Unsupported Media Type", "il corpo deve essere application/json")
		return
	}
	var body struct {
		Esiti *[]waasEsito `json:"elenco_esiti"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, waasMaxBody))
	if err := dec.Decode(&body); err != nil || dec.More() {
		waasProblem(c, http.StatusBadRequest, "Bad Request", "il corpo non è un ElencoEsiti JSON valido")
		return
	}
	if body.Esiti == nil {
		body.Esiti = &[]waasEsito{}
	}
	if len(*body.Esiti) > 100 {
		waasProblem(c, http.StatusBadRequest, "Bad Request", "elenco_esiti contiene più di 100 esiti")
		return
	}
	outcomes := make([]waasOutcome, 0, len(*body.Esiti))
	for i, e := range *body.Esiti {
		o, problem := e.outcome()
		if problem != "" {
			waasProblem(c, http.StatusBadRequest, "Bad Request", "elenco_esiti["+strconv.Itoa(i)+"]: "+problem)
			return
		}
		outcomes = append(outcomes, o)
	}
	t := currentTenant(c)
	var unknown []string
	for _, o := range outcomes {
		_, err := s.opts.SIUSS.RecordOutcome(c.Request.Context(), t.ID, o.IDFlusso, o.Outcome)
		switch {
		case errors.Is(err, derrors.ErrNotFound):
			unknown = append(unknown, o.IDFlusso)
		case err != nil:
			waasProblem(c, http.StatusInternalServerError, "Internal Server Error", "")
			_ = c.Error(err)
			return
		}
	}
	if len(unknown) > 0 {
		waasProblem(c, http.StatusUnprocessableEntity, "Unprocessable Entity", "flussi sconosciuti: "+strings.Join(unknown, ", "))
		return
	}
	c.Status(http.StatusNoContent)
}

// waasOutcome is a checked esito.
type waasOutcome struct {
	IDFlusso string
	siuss.Outcome
}

// outcome checks an esito: "" when it is valid, else what is wrong. The
// esito's tipo and ts_flusso are checked but not kept: id_flusso names the
// flow.
func (e waasEsito) outcome() (waasOutcome, string) {
	o := waasOutcome{IDFlusso: strings.TrimSpace(e.IDFlusso), Outcome: siuss.Outcome{Code: e.CodiceEsito,
		Description: e.DescrizioneEsito, AcquisitionID: e.IDAcquisizioneSIUSS}}
	switch {
	case o.IDFlusso == "" || len(o.IDFlusso) > 64:
		return o, "id_flusso mancante o troppo lungo"
	case e.Tipo != "PS_PSA_SINA" && e.Tipo != "SINBA":
		return o, "tipo deve essere PS_PSA_SINA o SINBA"
	case !waasOutcomeCodes[e.CodiceEsito]:
		return o, "codice_esito deve essere OK, DATI_NON_TROVATI, RICHIESTA_INVALIDA o ERRORE_GENERICO"
	case len(e.DescrizioneEsito) > 4096 || len(e.IDAcquisizioneSIUSS) > 64:
		return o, "descrizione_esito o id_acquisizione_siuss troppo lunghi"
	}
	var err error
	if _, err = time.Parse(time.RFC3339Nano, e.TSFlusso); err != nil {
		return o, "ts_flusso deve essere una data-ora RFC 3339"
	}
	if o.AcquiredAt, err = time.Parse(time.RFC3339Nano, e.TSAcquisizione); err != nil {
		return o, "ts_acquisizione deve essere una data-ora RFC 3339"
	}
	return o, ""
}

// waasStatus is GET /status: 200 when the flows can be read.
func (s *Server) waasStatus(c *gin.Context) {
	t := currentTenant(c)
	// A read past now: it touches the index only, and proves the store answers.
	if _, err := s.opts.SIUSS.List(c.Request.Context(), t.ID, siuss.Filter{Since: time.Now().Add(24 * time.Hour).UnixMilli(), Limit: 1}); err != nil {
		_ = c.Error(err)
		c.Header("Retry-After", "60")
		waasProblem(c, http.StatusServiceUnavailable, "Service Unavailable", "archivio dei flussi non raggiungibile")
		return
	}
	c.Header("Content-Type", "application/problem+json")
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"type": "about:blank", "title": "OK", "status": http.StatusOK, "detail": "servizio WaaS SIUSS attivo"})
}
