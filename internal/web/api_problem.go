package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/web/openapi"
)

// problemError is an error the API answers with a detail written for the
// client and extension members of the problem body (RFC 9457 §3.2):
// "errors" with the invalid fields, "candidates" with probable duplicates…
// It matches its kind, a derrors sentinel, which decides the status.
type problemError struct {
	kind   error
	detail string
	ext    map[string]any
}

func (e *problemError) Error() string { return e.kind.Error() + ": " + e.detail }
func (e *problemError) Unwrap() error { return e.kind }

// problemExtensions are the members an error adds to the problem body:
// a problemError's own, and "errors" for the field errors of a domain
// package ([{"field", "message"}]). Nil when there are none, so that other
// problems are unchanged.
func problemExtensions(err error) map[string]any {
	var pe *problemError
	if errors.As(err, &pe) {
		return pe.ext
	}
	var fields []people.FieldError
	var ve *people.ValidationError
	if errors.As(err, &ve) {
		fields = ve.Fields
	} else {
		m := map[string]string{}
		if fieldErrors(err, m) {
			for f, msg := range m {
				fields = append(fields, people.FieldError{Field: f, Message: msg})
			}
		}
	}
	if len(fields) == 0 {
		return nil
	}
	ext := map[string]any{"errors": fields}
	if ve != nil && ve.Confirmable {
		ext["confirmable"] = true
	}
	return ext
}

// domainMessage is the part of a domain error's message written for the
// user: what follows the last of kinds ("conflict: la scheda…"), else the
// whole message.
func domainMessage(err error, kinds ...error) string {
	msg := err.Error()
	best := -1
	for _, k := range kinds {
		if i := strings.LastIndex(msg, k.Error()+": "); i >= 0 && i+len(k.Error())+2 > best {
			best = i + len(k.Error()) + 2
		}
	}
	if best < 0 {
		return msg
	}
	return msg[best:]
}

// openAPIDocument serves the API's OpenAPI document, public like /ente.
func (s *Server) openAPIDocument(c *gin.Context) error {
	doc, err := openapi.JSON()
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/json", doc)
	return nil
}
