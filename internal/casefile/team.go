package casefile

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/derrors"
)

// AddMember puts operator on case id's team with role (one of TeamRoles but
// "responsible", which Assign gives). The operator must be an active member of
// the ente.
func (s *Service) AddMember(ctx context.Context, tenant, id, operator uuid.UUID, role string, v Viewer) (*Case, error) {
	c, err := s.change(ctx, tenant, id, v, func(tx pgx.Tx, c *Case, _ Access) (audit.Event, error) {
		var fe fieldErrors
		if !slices.Contains(TeamRoles, role) || role == "responsible" {
			fe.add("role", "scegliere il ruolo nell'équipe (il responsabile si assegna con l'assegnazione)")
		}
		if !exists(ctx, tx, `SELECT true FROM memberships WHERE tenant_id = $1 AND operator_id = $2 AND status = 'active'`, tenant, operator) {
			fe.add("operator_id", "l'operatore non è un membro attivo dell'ente")
		} else if exists(ctx, tx, `SELECT true FROM case_team WHERE tenant_id = $1 AND case_id = $2 AND operator_id = $3 AND removed_at IS NULL`, tenant, id, operator) {
			fe.add("operator_id", "l'operatore fa già parte dell'équipe")
		}
		if err := fe.err(); err != nil {
			return audit.Event{}, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO case_team (tenant_id, case_id, operator_id, role, added_by, added_at)
			VALUES ($1, $2, $3, $4, $5, clock_timestamp())`, tenant, id, operator, role, nullID(v.ID)); err != nil {
			return audit.Event{}, err
		}
		details := map[string]any{"added": operator.String(), "role": role}
		if err := addEvent(ctx, tx, tenant, id, v.ID, Event{Kind: "team", Details: details}); err != nil {
			return audit.Event{}, err
		}
		return event("case.team_changed", id, v, details), nil
	})
	if err != nil {
		return nil, fmt.Errorf("casefile.AddMember(%s, %s, %s): %w", tenant, id, operator, err)
	}
	return c, nil
}

// RemoveMember takes operator off case id's team; the row stays, with when
// and by whom. The responsible leaves only by a new assignment.
func (s *Service) RemoveMember(ctx context.Context, tenant, id, operator uuid.UUID, v Viewer) (*Case, error) {
	c, err := s.change(ctx, tenant, id, v, func(tx pgx.Tx, c *Case, _ Access) (audit.Event, error) {
		if c.ResponsibleID != nil && *c.ResponsibleID == operator {
			return audit.Event{}, fmt.Errorf("%w: il responsabile si cambia assegnando la cartella a un altro operatore", derrors.ErrConflict)
		}
		tag, err := tx.Exec(ctx, `UPDATE case_team SET removed_at = now(), removed_by = $4
			WHERE tenant_id = $1 AND case_id = $2 AND operator_id = $3 AND removed_at IS NULL`, tenant, id, operator, nullID(v.ID))
		if err != nil {
			return audit.Event{}, err
		}
		if tag.RowsAffected() == 0 {
			return audit.Event{}, &ValidationError{Fields: []FieldError{{Field: "operator_id", Message: "l'operatore non fa parte dell'équipe"}}}
		}
		details := map[string]any{"removed": operator.String()}
		if err := addEvent(ctx, tx, tenant, id, v.ID, Event{Kind: "team", Details: details}); err != nil {
			return audit.Event{}, err
		}
		return event("case.team_changed", id, v, details), nil
	})
	if err != nil {
		return nil, fmt.Errorf("casefile.RemoveMember(%s, %s, %s): %w", tenant, id, operator, err)
	}
	return c, nil
}

func team(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID) ([]Member, error) {
	rows, err := tx.Query(ctx, `SELECT t.operator_id, o.name, t.role, t.added_at, t.removed_at
		FROM case_team t JOIN operators o ON o.id = t.operator_id
		WHERE t.tenant_id = $1 AND t.case_id = $2 ORDER BY t.removed_at IS NOT NULL, t.added_at`, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("team: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Member, error) {
		var m Member
		err := r.Scan(&m.OperatorID, &m.Name, &m.Role, &m.AddedAt, &m.RemovedAt)
		return m, err
	})
}
