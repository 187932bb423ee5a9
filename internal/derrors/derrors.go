// Package derrors holds the kinds of error every layer speaks: a domain package
// wraps one of them, and the web layer maps each to one HTTP status, in one place.
package derrors

import (
	"errors"
	"strings"
)

// The error kinds.
var (
	ErrNotFound  = errors.New("not found")
	ErrInvalid   = errors.New("invalid")
	ErrForbidden = errors.New("forbidden")
	ErrConflict  = errors.New("conflict")
	// ErrSuspended is an ente that exists but may not be used.
	ErrSuspended = errors.New("suspended")
)

// FieldError is one invalid field of a request: its name in the form or the
// JSON body, and what is wrong with it, for the user.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Invalid lists the invalid fields of one request; it matches ErrInvalid. The
// domain packages return it so that the web layer can put each message next to
// its field, or list them in problem+json.
type Invalid struct {
	Fields []FieldError
}

// Error lists every field with its message.
func (e *Invalid) Error() string {
	var b strings.Builder
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Field + ": " + f.Message)
	}
	return "dati non validi: " + b.String()
}

// Unwrap makes an Invalid match ErrInvalid.
func (e *Invalid) Unwrap() error { return ErrInvalid }

// Fields returns the field errors in err, if it is (or wraps) an Invalid.
func Fields(err error) []FieldError {
	var ve *Invalid
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}
