package casefile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sigess/sigess/internal/derrors"
)

// FieldError is one invalid input field; Field is the JSON and form field's
// name (person_id, unit_id, reason…) so the web layer can show Message next
// to it.
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
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
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
