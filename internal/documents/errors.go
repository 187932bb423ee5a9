package documents

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sigess/sigess/internal/derrors"
)

// FieldError is one invalid input field, named as in the form and the
// multipart body (file, title, kind, case_id, person_id).
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists the invalid fields of one upload; it matches
// derrors.ErrInvalid (or ErrTooLarge for a file over the limit).
type ValidationError struct {
	Fields []FieldError
	kind   error
}

// Error lists every field with its message.
func (e *ValidationError) Error() string {
	var parts []string
	for _, f := range e.Fields {
		parts = append(parts, f.Field+": "+f.Message)
	}
	return "dati non validi: " + strings.Join(parts, "; ")
}

// Unwrap makes a ValidationError match derrors.ErrInvalid, and ErrTooLarge
// when the file is over the limit.
func (e *ValidationError) Unwrap() []error {
	if e.kind != nil {
		return []error{derrors.ErrInvalid, e.kind}
	}
	return []error{derrors.ErrInvalid}
}

// Fields returns the field errors in err, if it is (or wraps) a ValidationError.
func Fields(err error) []FieldError {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}

func invalid(field, msg string) error {
	return &ValidationError{Fields: []FieldError{{field, msg}}}
}

// The refusals of the documents.
var (
	// ErrTooLarge is a file over the size limit; the web layer answers 413.
	ErrTooLarge = errors.New("too large")
	// ErrNotFound is a document that does not exist, or that the viewer may
	// not know of.
	ErrNotFound = fmt.Errorf("%w: documento non trovato", derrors.ErrNotFound)
	// ErrNoWrite is a person or case the viewer may not file documents on.
	ErrNoWrite = fmt.Errorf("%w: non è consentito caricare o ritirare documenti qui", derrors.ErrForbidden)
	// ErrWithdrawn is a withdrawn document asked for its bytes or withdrawn again.
	ErrWithdrawn = fmt.Errorf("%w: il documento è stato ritirato", derrors.ErrConflict)
)
