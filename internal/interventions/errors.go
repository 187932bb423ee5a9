package interventions

import (
	"fmt"

	"github.com/sigess/sigess/internal/derrors"
)

// The refusals of the interventions.
var (
	// ErrNotFound is an intervention that does not exist or that the viewer
	// may not see.
	ErrNotFound = fmt.Errorf("%w: intervento non trovato", derrors.ErrNotFound)
	// ErrDeliveryNotFound is a delivery that is not the intervention's.
	ErrDeliveryNotFound = fmt.Errorf("%w: erogazione non trovata", derrors.ErrNotFound)
	// ErrNoRead is a viewer who may not read interventions.
	ErrNoRead = fmt.Errorf("%w: non è consentito consultare gli interventi", derrors.ErrForbidden)
	// ErrNoRequest is a viewer who may not request an intervention on the case.
	ErrNoRequest = fmt.Errorf("%w: non è consentito richiedere interventi per questo caso", derrors.ErrForbidden)
	// ErrMoveForbidden is a move the viewer's role may not make.
	ErrMoveForbidden = fmt.Errorf("%w: il proprio ruolo non consente questo passaggio di stato", derrors.ErrForbidden)
	// ErrNoEdit is an edit the viewer may not make.
	ErrNoEdit = fmt.Errorf("%w: non è consentito modificare questo intervento", derrors.ErrForbidden)
	// ErrNoDeliver is a delivery recorded by a viewer who may not.
	ErrNoDeliver = fmt.Errorf("%w: non è consentito registrare erogazioni", derrors.ErrForbidden)
	// ErrStale is an edit of a version that is no longer the current one.
	ErrStale = fmt.Errorf("%w: l'intervento è stato modificato da qualcun altro nel frattempo: ricaricare la pagina", derrors.ErrConflict)
	// ErrEnded is an edit of a closed or refused intervention.
	ErrEnded = fmt.Errorf("%w: un intervento chiuso o respinto non si modifica", derrors.ErrConflict)
	// ErrNotDeliverable is a delivery of an intervention that is not active.
	ErrNotDeliverable = fmt.Errorf("%w: si registrano erogazioni solo di interventi attivi (o chiusi, entro le loro date)", derrors.ErrConflict)
	// ErrAlreadyCancelled is a delivery cancelled twice.
	ErrAlreadyCancelled = fmt.Errorf("%w: l'erogazione è già annullata", derrors.ErrConflict)
)
