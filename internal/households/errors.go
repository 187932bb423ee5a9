package households

import (
	"fmt"

	"github.com/sigess/sigess/internal/derrors"
)

// FieldError is one invalid input field (derrors.FieldError): Field is the
// form's and the JSON body's name for it.
type FieldError = derrors.FieldError

// ValidationError lists the invalid fields of one request; it matches
// derrors.ErrInvalid.
type ValidationError = derrors.Invalid

// Fields returns the field errors in err, if it is (or wraps) a ValidationError.
func Fields(err error) []FieldError { return derrors.Fields(err) }

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

func invalid(field, msg string) error {
	return &ValidationError{Fields: []FieldError{{Field: field, Message: msg}}}
}

// ErrNotFound is a household that does not exist in the ente.
var ErrNotFound = fmt.Errorf("%w: nucleo familiare non trovato", derrors.ErrNotFound)
