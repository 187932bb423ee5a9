package exports

import (
	"fmt"

	"github.com/sigess/sigess/internal/derrors"
)

// The refusals of the exports.
var (
	// ErrNotFound is an export that does not exist or is another operator's.
	ErrNotFound = fmt.Errorf("%w: esportazione non trovata", derrors.ErrNotFound)
	// ErrNoRead is an operator who may not read interventions.
	ErrNoRead = fmt.Errorf("%w: non è consentito consultare gli interventi", derrors.ErrForbidden)
	// ErrNotReady is a file asked for before the export is done, or after it
	// expired.
	ErrNotReady = fmt.Errorf("%w: il file non è disponibile", derrors.ErrConflict)
)

func invalid(fe ...derrors.FieldError) error { return &derrors.Invalid{Fields: fe} }
