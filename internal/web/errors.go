package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/tenancy"
)

// handlerFunc is a handler that returns its error instead of writing it.
type handlerFunc func(c *gin.Context) error

// handle adapts a handlerFunc: an error becomes a status and an HTML page or
// problem+json, in one place.
func (s *Server) handle(h handlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.writeError(c, err)
		}
	}
}

// userError is what the user is told about an error: a status, a title and a
// detail kept apart from the internal message.
type userError struct {
	status int
	title  string
	detail string
}

// suspendedError is a suspended ente, named to the user.
type suspendedError struct{ tenant *tenancy.Tenant }

func (e *suspendedError) Error() string { return "tenant " + e.tenant.Slug + " is suspended" }
func (e *suspendedError) Unwrap() error { return derrors.ErrSuspended }

func classify(err error) userError {
	var susp *suspendedError
	switch {
	case errors.As(err, &susp):
		return userError{http.StatusForbidden, "Ente sospeso",
			"L'ente «" + susp.tenant.DisplayName() + "» è sospeso: il servizio non è al momento disponibile. Rivolgersi all'amministrazione regionale."}
	case errors.Is(err, errNoMethod):
		return userError{http.StatusMethodNotAllowed, "Metodo non consentito", "Questa pagina non accetta la richiesta."}
	case errors.Is(err, errNoRoute), errors.Is(err, derrors.ErrNotFound):
		return userError{http.StatusNotFound, "Pagina non trovata", "La pagina o l'ente richiesto non esiste. Controllare l'indirizzo."}
	case errors.Is(err, derrors.ErrInvalid):
		return userError{http.StatusUnprocessableEntity, "Dati non validi", err.Error()}
	case errors.Is(err, derrors.ErrForbidden):
		return userError{http.StatusForbidden, "Accesso negato", "Non si dispone dei permessi per questa operazione."}
	case errors.Is(err, derrors.ErrConflict):
		return userError{http.StatusConflict, "Conflitto", err.Error()}
	}
	return userError{http.StatusInternalServerError, "Errore interno",
		"Si è verificato un errore. Riprovare più tardi; se il problema persiste, comunicare il codice della richiesta all'assistenza."}
}

// wantsJSON reports whether the client is an API client: API paths, or an
// Accept header that prefers JSON.
func wantsJSON(c *gin.Context) bool {
	p := c.Request.URL.Path
	if strings.Contains(p, "/api/") || strings.Contains(p, "/waas/") {
		return true
	}
	accept := c.GetHeader("Accept")
	return strings.Contains(accept, "json") && !strings.Contains(accept, "text/html")
}

func (s *Server) writeError(c *gin.Context, err error) {
	ue := classify(err)
	if ue.status >= 500 {
		_ = c.Error(err) // logged by observe with the request id
	}
	if wantsJSON(c) {
		c.Header("Content-Type", "application/problem+json")
		c.JSON(ue.status, gin.H{
			"type": "about:blank", "title": ue.title, "status": ue.status, "detail": ue.detail,
			"instance": c.Request.URL.Path, "request_id": c.Writer.Header().Get(requestIDHeader),
		})
		return
	}
	s.render(c, ue.status, "error.html", pageData{
		Title: ue.title, Tenant: currentTenant(c),
		Data: map[string]any{"Status": ue.status, "Detail": ue.detail, "RequestID": c.Writer.Header().Get(requestIDHeader)},
	})
}
