package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/documents"
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
// detail kept apart from the internal message. Title and detail are message
// keys (detail with its args); message, when set, is the detail already
// written for the user by the domain (a validation or conflict message).
type userError struct {
	status  int
	title   string
	detail  string
	args    []any
	message string
}

// suspendedError is a suspended ente, named to the user.
type suspendedError struct{ tenant *tenancy.Tenant }

func (e *suspendedError) Error() string { return "tenant " + e.tenant.Slug + " is suspended" }
func (e *suspendedError) Unwrap() error { return derrors.ErrSuspended }

func classify(err error) userError {
	var susp *suspendedError
	switch {
	case errors.As(err, &susp):
		return userError{status: http.StatusForbidden, title: "error.suspended.title", detail: "error.suspended.detail", args: []any{susp.tenant.DisplayName()}}
	case errors.Is(err, errNoMethod):
		return userError{status: http.StatusMethodNotAllowed, title: "error.method.title", detail: "error.method.detail"}
	case errors.Is(err, errNoRoute), errors.Is(err, derrors.ErrNotFound):
		return userError{status: http.StatusNotFound, title: "error.notfound.title", detail: "error.notfound.detail"}
	case errors.Is(err, documents.ErrTooLarge):
		return userError{status: http.StatusRequestEntityTooLarge, title: "documents.too_large.title", message: domainMessage(err, documents.ErrTooLarge)}
	case errors.Is(err, derrors.ErrInvalid):
		return userError{status: http.StatusUnprocessableEntity, title: "error.invalid.title", message: err.Error()}
	case errors.Is(err, errUnauthenticated):
		return userError{status: http.StatusUnauthorized, title: "error.unauthenticated.title", detail: "error.unauthenticated.detail"}
	case errors.Is(err, errCSRF):
		return userError{status: http.StatusForbidden, title: "error.csrf.title", detail: "error.csrf.detail"}
	case errors.Is(err, derrors.ErrForbidden):
		return userError{status: http.StatusForbidden, title: "error.forbidden.title", detail: "error.forbidden.detail"}
	case errors.Is(err, derrors.ErrConflict):
		return userError{status: http.StatusConflict, title: "error.conflict.title", message: err.Error()}
	}
	return userError{status: http.StatusInternalServerError, title: "error.internal.title", detail: "error.internal.detail"}
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
	s.brandUnmatched(c)
	p := s.page(c, ue.title)
	detail := ue.message
	if detail == "" {
		detail = p.T(ue.detail, ue.args...)
	}
	var pe *problemError
	if errors.As(err, &pe) {
		detail = pe.detail
	}
	if wantsJSON(c) {
		c.Header("Content-Type", "application/problem+json")
		body := gin.H{
			"type": "about:blank", "title": p.Title, "status": ue.status, "detail": detail,
			"instance": c.Request.URL.Path, "request_id": c.Writer.Header().Get(requestIDHeader),
		}
		// Extension members (field errors, candidates…) never replace the
		// standard ones.
		for k, v := range problemExtensions(err) {
			if _, std := body[k]; !std {
				body[k] = v
			}
		}
		c.JSON(ue.status, body)
		return
	}
	p.Data = map[string]any{"Status": ue.status, "Detail": detail, "RequestID": c.Writer.Header().Get(requestIDHeader)}
	s.render(c, ue.status, "error.html", p)
}

// brandUnmatched puts the ente of a /t/{slug}/… path that matched no route in
// the context, so that its "page not found" is branded for it.
func (s *Server) brandUnmatched(c *gin.Context) {
	rest, ok := strings.CutPrefix(c.Request.URL.Path, "/t/")
	if !ok || currentTenant(c) != nil || s.opts.Tenants == nil {
		return
	}
	slug, _, _ := strings.Cut(rest, "/")
	if t, err := s.opts.Tenants.Resolve(c.Request.Context(), strings.ToLower(slug)); err == nil {
		c.Set(tenantKey, t)
	}
}
