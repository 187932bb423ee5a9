package plans

import (
	"fmt"

	"github.com/sigess/sigess/internal/derrors"
)

// FieldError is one invalid input field (derrors.FieldError).
type FieldError = derrors.FieldError

// The refusals of plans.
var (
	// ErrNotFound is a case the viewer may not know of, or a plan that is not
	// there.
	ErrNotFound = fmt.Errorf("%w: piano non trovato", derrors.ErrNotFound)
	// ErrNoContent is a case whose content the viewer may not read.
	ErrNoContent = fmt.Errorf("%w: non è consentito leggere i piani di questo caso", derrors.ErrForbidden)
	// ErrNoWrite is a case whose plans the viewer may not write.
	ErrNoWrite = fmt.Errorf("%w: non è consentito scrivere i piani di questo caso", derrors.ErrForbidden)
	// ErrClosed is a change to a closed plan.
	ErrClosed = fmt.Errorf("%w: il piano è chiuso e non si può modificare", derrors.ErrConflict)
	// ErrNotActive is a review of a plan that is not active.
	ErrNotActive = fmt.Errorf("%w: si rivede soltanto un piano attivo", derrors.ErrConflict)
)
