package interventions

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
)

// ListByPlan returns the interventions linked to plan planID that v may see
// (the rule of List: interventions:read and the case's content, or
// interventions:deliver), newest first, and writes intervention.listed. A
// plan of a case v may not see lists nothing.
func (s *Service) ListByPlan(ctx context.Context, tenant, planID uuid.UUID, v casefile.Viewer) ([]Intervention, error) {
	if !v.Perms[authz.PermInterventionsRead] {
		return nil, fmt.Errorf("interventions.ListByPlan(%s, %s): %w", tenant, planID, ErrNoRead)
	}
	out := []Intervention{}
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var caseID uuid.UUID
		if err := tx.QueryRow(ctx, `SELECT case_id FROM plans WHERE id = $1`, planID).Scan(&caseID); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			return err
		}
		if _, ok, err := s.canSee(ctx, tx, tenant, caseID, v); err != nil || !ok {
			return err
		}
		all, err := interventionsWhere(ctx, tx, `i.plan_id = $1 AND i.case_id = $2`, planID, caseID)
		if err != nil {
			return err
		}
		out = all
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "intervention.listed", ActorID: v.ID, Actor: v.Email, IP: v.IP,
			ObjectType: "case", ObjectID: caseID.String(), Details: map[string]any{"count": len(out), "plan_id": planID.String()}})
	})
	if err != nil {
		return nil, fmt.Errorf("interventions.ListByPlan(%s, %s): %w", tenant, planID, err)
	}
	return out, nil
}
