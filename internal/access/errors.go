package access

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sigess/sigess/internal/derrors"
)

// FieldError is one invalid input field; Field is the JSON and form field's
// name so the web layer can show Message next to it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists the invalid fields of one request or wizard step; it
// matches derrors.ErrInvalid.
type ValidationError struct {
	Fields []FieldError
}

// Error lists every field with its message.
func (e *ValidationError) Error() string {
	var b strings.Builder
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Field + ": " + f.Message)
	}
	return "dati non validi: " + b.String()
}

// Unwrap makes a ValidationError match derrors.ErrInvalid.
func (e *ValidationError) Unwrap() error { return derrors.ErrInvalid }

// Fields returns the field errors in err, if it is (or wraps) a ValidationError.
func Fields(err error) []FieldError {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}

type fieldErrors []FieldError

func (fe *fieldErrors) add(field, msg string) {
	*fe = append(*fe, FieldError{Field: field, Message: msg})
}

func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	return &ValidationError{Fields: fe}
}

func invalid(field, msg string) error {
	return &ValidationError{Fields: []FieldError{{field, msg}}}
}

// Errors the web layer shows as they are.
var (
	ErrNotFound         = fmt.Errorf("%w: accesso non trovato", derrors.ErrNotFound)
	ErrReferralNotFound = fmt.Errorf("%w: invio non trovato", derrors.ErrNotFound)
	ErrAnswered         = fmt.Errorf("%w: l'invio ha già avuto risposta", derrors.ErrConflict)
	ErrNotReceiver      = fmt.Errorf("%w: risponde all'invio chi lo riceve", derrors.ErrForbidden)
	ErrStateClosed      = fmt.Errorf("%w: l'accesso è già stato accolto o respinto", derrors.ErrConflict)
)
