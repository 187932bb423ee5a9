package agenda

import (
	"fmt"

	"github.com/sigess/sigess/internal/derrors"
)

// The refusals of the agenda.
var (
	// ErrNotFound is an appointment that does not exist or is in an agenda
	// the viewer may not manage.
	ErrNotFound = fmt.Errorf("%w: appuntamento non trovato", derrors.ErrNotFound)
	// ErrOtherAgenda is an agenda the viewer may not manage.
	ErrOtherAgenda = fmt.Errorf("%w: non è consentito gestire l'agenda di questo operatore", derrors.ErrForbidden)
	// ErrNoAgenda is a viewer without agenda:use.
	ErrNoAgenda = fmt.Errorf("%w: non è consentito usare l'agenda", derrors.ErrForbidden)
)

func invalid(fe ...derrors.FieldError) error { return &derrors.Invalid{Fields: fe} }
