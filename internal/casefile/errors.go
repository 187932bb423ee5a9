package casefile

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

// Errors shown to the user as they are.
var (
	// ErrNoContent is a change asked by a viewer who may know that the case
	// exists but not read or change it.
	ErrNoContent = fmt.Errorf("%w: non hai accesso al contenuto di questa cartella", derrors.ErrForbidden)
	// ErrReadOnly is a change asked by a viewer who may read the case only.
	ErrReadOnly = fmt.Errorf("%w: non puoi modificare questa cartella", derrors.ErrForbidden)
	// ErrRoleNotAllowed is a transition the workflow does not allow to the
	// viewer's roles.
	ErrRoleNotAllowed = fmt.Errorf("%w: il tuo ruolo non consente questo passaggio di stato", derrors.ErrForbidden)
	// ErrNotResponsible is taking in charge a case by someone who is not its
	// responsible.
	ErrNotResponsible = fmt.Errorf("%w: solo il responsabile assegnato può prendere in carico la cartella", derrors.ErrForbidden)
	// ErrNoAssign is an assignment by a viewer without cases:assign.
	ErrNoAssign = fmt.Errorf("%w: non puoi assegnare cartelle", derrors.ErrForbidden)
	// ErrNoTransition is a state change the workflow does not have from the
	// case's current state.
	ErrNoTransition = fmt.Errorf("%w: il passaggio di stato richiesto non è previsto dallo stato attuale della cartella", derrors.ErrConflict)
	// ErrNoResponsible is taking in charge a case nobody was assigned.
	ErrNoResponsible = fmt.Errorf("%w: la cartella non ha ancora un responsabile", derrors.ErrConflict)
)
