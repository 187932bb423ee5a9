package access

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
)

// Get returns access id if the viewer may see it, and writes access.viewed.
// An operator of its unit (or of a unit it was referred to) other than its
// author who opens a created access makes it seen.
func (s *Service) Get(ctx context.Context, tenant, id uuid.UUID, v Viewer) (*Access, error) {
	var a *Access
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		if a, err = load(ctx, tx, id, v, false); err != nil {
			return err
		}
		if a.State == Draft {
			return ErrNotFound // a draft is shown by the wizard, not as an access
		}
		if err := audit.Write(ctx, tx, tenant, event("access.viewed", id, v, nil)); err != nil {
			return err
		}
		if a.State != Created || a.OperatorID == v.ID || v.Client {
			return nil
		}
		tag, err := tx.Exec(ctx, `UPDATE accesses a SET state = 'seen', state_by = $2, state_at = now(), updated_at = now()
			WHERE a.id = $1 AND a.state = 'created' AND (a.unit_id IN (SELECT unit_id FROM operator_units WHERE operator_id = $2)
				OR EXISTS (SELECT 1 FROM referrals r WHERE r.tenant_id = a.tenant_id AND r.access_id = a.id
					AND r.target_unit IN (SELECT unit_id FROM operator_units WHERE operator_id = $2)))`, id, v.ID)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		a.State = Seen
		return audit.Write(ctx, tx, tenant, event("access.seen", id, v, nil))
	})
	if err != nil {
		return nil, fmt.Errorf("access.Get(%s, %s): %w", tenant, id, err)
	}
	return a, nil
}

// List returns the accesses the viewer sees (their own and their units'),
// newest first, and writes access.listed.
func (s *Service) List(ctx context.Context, tenant uuid.UUID, f Filter, v Viewer) ([]Summary, error) {
	if f.State != "" && f.State != Created && f.State != Seen && f.State != Accepted && f.State != Rejected && f.State != Draft {
		return nil, fmt.Errorf("access.List(%s): %w", tenant, invalid("state", "stato sconosciuto"))
	}
	q := `SELECT a.id, coalesce(p.last_name || ' ' || p.first_name, ''), u.name, a.state, coalesce(a.outcome, ''), a.occurred_at` +
		accessFrom + ` WHERE ` + strings.NewReplacer("$2", "$1", "$3", "$2").Replace(visibleSQL) +
		` AND ($3 = '' AND a.state <> 'draft' OR a.state = $3) AND (NOT $4 OR a.operator_id = $1) ORDER BY a.occurred_at DESC, a.id LIMIT 500`
	var out []Summary
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, q, v.ID, v.Client, f.State, f.Mine)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Summary, error) {
			sm := Summary{Kind: "access"}
			err := row.Scan(&sm.ID, &sm.PersonName, &sm.Unit, &sm.State, &sm.Outcome, &sm.At)
			return sm, err
		})
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "access.listed", ActorID: v.ID, Actor: v.Email, IP: v.IP,
			ObjectType: "access", Details: map[string]any{"state": f.State, "mine": f.Mine, "count": len(out)}})
	})
	if err != nil {
		return nil, fmt.Errorf("access.List(%s): %w", tenant, err)
	}
	return out, nil
}

// SetState accepts or rejects a created or seen access the viewer sees,
// with a reason (required to reject), and writes access.accepted or
// access.rejected.
func (s *Service) SetState(ctx context.Context, tenant, id uuid.UUID, state, reason string, v Viewer) (*Access, error) {
	switch {
	case state != Accepted && state != Rejected:
		return nil, fmt.Errorf("access.SetState(%s, %s): %w", tenant, id, invalid("state", "lo stato può essere solo accolto o respinto"))
	case state == Rejected && len([]rune(reason)) < 3:
		return nil, fmt.Errorf("access.SetState(%s, %s): %w", tenant, id, invalid("reason", "indicare il motivo"))
	}
	var a *Access
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		if a, err = load(ctx, tx, id, v, true); err != nil {
			return err
		}
		switch a.State {
		case Draft:
			return ErrNotFound
		case Accepted, Rejected:
			return ErrStateClosed
		}
		if _, err := tx.Exec(ctx, `UPDATE accesses SET state = $2, state_reason = $3, state_by = $4, state_at = now(),
			updated_at = now() WHERE id = $1`, id, state, reason, v.ID); err != nil {
			return err
		}
		a.State, a.StateReason = state, reason
		return audit.Write(ctx, tx, tenant, event("access."+state, id, v, map[string]any{"reason": reason}))
	})
	if err != nil {
		return nil, fmt.Errorf("access.SetState(%s, %s): %w", tenant, id, err)
	}
	return a, nil
}

// AwaitingFor is what waits for operator on their home page: the accesses
// of units in state created or seen (not their own) and the referrals sent to
// units, or to the ente, still unanswered; oldest first.
func (s *Service) AwaitingFor(ctx context.Context, tenant, operator uuid.UUID, units []uuid.UUID) ([]Summary, error) {
	var out []Summary
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT 'access', a.id, coalesce(p.last_name || ' ' || p.first_name, ''), u.name, a.state,
				coalesce(a.outcome, ''), a.occurred_at`+accessFrom+`
			WHERE a.state IN ('created', 'seen') AND a.unit_id = ANY($1) AND a.operator_id <> $2
			UNION ALL
			SELECT 'referral', r.id, r.person_name, r.from_label, r.state, '', r.sent_at FROM referrals r
			WHERE r.state = 'sent' AND (r.target_unit = ANY($1) OR r.direction = 'received')
			ORDER BY 7, 2 LIMIT 200`, units, operator)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Summary, error) {
			var sm Summary
			err := row.Scan(&sm.Kind, &sm.ID, &sm.PersonName, &sm.Unit, &sm.State, &sm.Outcome, &sm.At)
			return sm, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("access.AwaitingFor(%s, %s): %w", tenant, operator, err)
	}
	return out, nil
}
