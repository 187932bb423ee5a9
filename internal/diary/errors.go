package diary

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sigess/sigess/internal/derrors"
)

// FieldError is one invalid input field, named as in the form and the JSON
// body (kind, occurred_at, text, reason), with its message for the user.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists the invalid fields of one request; it matches
// derrors.ErrInvalid.
type ValidationError struct {
	Fields []FieldError
}

// Error lists every field with its message.
func (e *ValidationError) Error() string {
	var parts []string
	for _, f := range e.Fields {
		parts = append(parts, f.Field+": "+f.Message)
	}
	return "dati non validi: " + strings.Join(parts, "; ")
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

// The refusals of the diary.
var (
	// ErrNotFound is a case the viewer may not know of, or an entry that is
	// not in it (or is reserved and the viewer may not read reserved parts).
	ErrNotFound = fmt.Errorf("%w: voce di diario non trovata", derrors.ErrNotFound)
	// ErrNoDiary is a case whose diary the viewer may not read.
	ErrNoDiary = fmt.Errorf("%w: non è consentito leggere il diario di questo caso", derrors.ErrForbidden)
	// ErrNoWrite is a case whose diary the viewer may not write in.
	ErrNoWrite = fmt.Errorf("%w: non è consentito scrivere nel diario di questo caso", derrors.ErrForbidden)
	// ErrNoReserved is a reserved entry written by a viewer who could not read it.
	ErrNoReserved = fmt.Errorf("%w: non è consentito scrivere voci riservate", derrors.ErrForbidden)
)
