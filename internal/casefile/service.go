package casefile

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/people"
)

// Service keeps the cases of every ente.
type Service struct {
	db        *db.DB
	people    *people.Service
	templates TemplateValues
}

// NewService returns the case files over d; it registers with ppl the merge
// hook that moves a merged person's cases to the kept record.
func NewService(d *db.DB, ppl *people.Service) *Service {
	s := &Service{db: d, people: ppl}
	if ppl != nil {
		ppl.OnMerge(s.mergePeople)
	}
	return s
}

// mergePeople is the registry's merge hook: the cases of the person merged
// away become the kept person's, each with an "edited" event in its history.
func (s *Service) mergePeople(ctx context.Context, tx pgx.Tx, tenant, keep, drop uuid.UUID) error {
	rows, err := tx.Query(ctx, `UPDATE cases SET person_id = $2, version = version + 1, updated_at = now()
		WHERE tenant_id = $1 AND person_id = $3 RETURNING id`, tenant, keep, drop)
	if err != nil {
		return fmt.Errorf("casefile: merge %s into %s: %w", drop, keep, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return fmt.Errorf("casefile: merge %s into %s: %w", drop, keep, err)
	}
	for _, id := range ids {
		e := Event{Kind: "edited", Details: map[string]any{"person_merged": drop.String(), "person": keep.String()}}
		if err := addEvent(ctx, tx, tenant, id, uuid.Nil, e); err != nil {
			return fmt.Errorf("casefile: merge %s into %s: %w", drop, keep, err)
		}
	}
	return nil
}

// event is the audit event of v acting on case id.
func event(action string, id uuid.UUID, v Viewer, details map[string]any) audit.Event {
	return audit.Event{Action: action, ActorID: v.ID, Actor: v.Email, IP: v.IP,
		ObjectType: "case", ObjectID: id.String(), Details: details}
}

// addEvent appends e to case id's history; the case row must be locked (or
// just inserted) by tx so that two writers do not take the same seq.
func addEvent(ctx context.Context, tx pgx.Tx, tenant, id, by uuid.UUID, e Event) error {
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	var byID *uuid.UUID
	if by != uuid.Nil {
		byID = &by
	}
	_, err := tx.Exec(ctx, `INSERT INTO case_events (tenant_id, case_id, seq, by_id, kind, from_state, to_state, reason, details)
		VALUES ($1, $2, (SELECT coalesce(max(seq), 0) + 1 FROM case_events WHERE tenant_id = $1 AND case_id = $2),
			$3, $4, $5, $6, $7, $8)`,
		tenant, id, byID, e.Kind, e.FromState, e.ToState, e.Reason, details)
	if err != nil {
		return fmt.Errorf("case event %s: %w", e.Kind, err)
	}
	return nil
}
