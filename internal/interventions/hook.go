package interventions

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// EventHook is told of every change of state and edit of an intervention,
// in the transaction that records the event, after the event row is written:
// internal/siuss writes the SIUSS flows of the event there (the app injects
// it with SetEventHook; interventions does not import siuss). An error rolls
// the change back.
type EventHook interface {
	InterventionEvent(ctx context.Context, tx pgx.Tx, tenant, interventionID uuid.UUID, seq int) error
}

// SetEventHook sets the hook told of each event (nil: none).
func (s *Service) SetEventHook(h EventHook) { s.hook = h }

// afterEvent tells the hook of the latest event of intervention id.
func (s *Service) afterEvent(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID) error {
	if s.hook == nil {
		return nil
	}
	var seq int
	if err := tx.QueryRow(ctx, `SELECT max(seq) FROM intervention_events WHERE intervention_id = $1`, id).Scan(&seq); err != nil {
		return err
	}
	return s.hook.InterventionEvent(ctx, tx, tenant, id, seq)
}
