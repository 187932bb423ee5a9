package people

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sigess/sigess/internal/derrors"
)

// FieldError is one invalid input field; Field is the JSON and form field's
// name (tax_code, birth_date…) so the web layer can show Message next to it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists the invalid fields of one request; it matches
// derrors.ErrInvalid. Confirmable is true when every field error is a
// disagreement with the tax code, which the operator may confirm by sending
// the input again with AcceptMismatch set.
type ValidationError struct {
	Fields      []FieldError
	Confirmable bool
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

// fieldErrors collects FieldErrors; err returns nil when there are none.
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

// invalidf is an error matching derrors.ErrInvalid whose message, after the
// kind, is shown to the user.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", derrors.ErrInvalid, fmt.Sprintf(format, args...))
}

// userMessage strips the error kind from an invalidf error.
func userMessage(err error) string {
	return strings.TrimPrefix(err.Error(), derrors.ErrInvalid.Error()+": ")
}

// Errors shown to the user as they are.
var (
	// ErrMerged is an update or merge of a record already merged into another.
	ErrMerged = fmt.Errorf("%w: la scheda è stata unificata con un'altra; modifica quella", derrors.ErrConflict)
	// ErrStale is an update based on an old version of the record.
	ErrStale = fmt.Errorf("%w: la scheda è stata modificata da qualcun altro nel frattempo; ricaricala", derrors.ErrConflict)
	// ErrTaxCodeTaken is a tax code already registered for another person.
	ErrTaxCodeTaken = fmt.Errorf("%w: esiste già una persona con questo codice fiscale", derrors.ErrConflict)
)
