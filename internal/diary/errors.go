package diary

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

// The refusals of the diary.
var (
	// ErrNotFound is a case the viewer may not know of, or an entry that is
	// not in it (or is reserved and the viewer may not read reserved parts).
	ErrNotFound = fmt.Errorf("%w: voce di diario non trovata", derrors.ErrNotFound)
	// ErrNoDiary is a case whose diary the viewer may not read.
	ErrNoDiary = fmt.Errorf("%w: non è consentito leggere il diario di questo caso", derrors.ErrForbidden)
	// ErrNoWrite is a case whose diary the viewer may not write in.
	ErrNoWrite = fmt.Errorf("%w: non è consentito scrivere nel diario di questo caso", derrors.ErrForbidden)
	// ErrNoReserved is a reserved entry written by a viewer who could not read it.
	ErrNoReserved = fmt.Errorf("%w: non è consentito scrivere voci riservate", derrors.ErrForbidden)
)
