package assessment

import (
	"fmt"

	"github.com/sigess/sigess/internal/derrors"
)

// FieldError is one invalid input field (derrors.FieldError).
type FieldError = derrors.FieldError

// The refusals of assessments.
var (
	// ErrNotFound is a case the viewer may not know of, or an assessment that
	// is not there.
	ErrNotFound = fmt.Errorf("%w: valutazione non trovata", derrors.ErrNotFound)
	// ErrNoContent is a case whose content the viewer may not read.
	ErrNoContent = fmt.Errorf("%w: non è consentito leggere le valutazioni di questo caso", derrors.ErrForbidden)
	// ErrNoWrite is a case the viewer may not assess.
	ErrNoWrite = fmt.Errorf("%w: non è consentito registrare valutazioni in questo caso", derrors.ErrForbidden)
)
