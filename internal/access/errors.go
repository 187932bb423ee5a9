package access

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

// Errors the web layer shows as they are.
var (
	ErrNotFound         = fmt.Errorf("%w: accesso non trovato", derrors.ErrNotFound)
	ErrReferralNotFound = fmt.Errorf("%w: invio non trovato", derrors.ErrNotFound)
	ErrAnswered         = fmt.Errorf("%w: l'invio ha già avuto risposta", derrors.ErrConflict)
	ErrNotReceiver      = fmt.Errorf("%w: risponde all'invio chi lo riceve", derrors.ErrForbidden)
	ErrStateClosed      = fmt.Errorf("%w: l'accesso è già stato accolto o respinto", derrors.ErrConflict)
)
