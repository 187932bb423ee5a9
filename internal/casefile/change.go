package casefile

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
)

// change runs fn on case id locked in a tenant transaction, after checking
// that v may write it; fn returns the audit event to record.
func (s *Service) change(ctx context.Context, tenant, id uuid.UUID, v Viewer, fn func(tx pgx.Tx, c *Case, a Access) (audit.Event, error)) (*Case, error) {
	var out *Case
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		a, err := accessTo(ctx, tx, tenant, id, v, true)
		if err != nil {
			return err
		}
		if !a.Content {
			return ErrNoContent
		}
		if !a.Write {
			return ErrReadOnly
		}
		c, err := getCase(ctx, tx, tenant, id)
		if err != nil {
			return err
		}
		e, err := fn(tx, c, a)
		if err != nil {
			return err
		}
		if out, err = scanCase(tx.QueryRow(ctx, `UPDATE cases SET version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id = $2 RETURNING `+caseColumns, tenant, id)); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, e)
	})
	return out, err
}

func getCase(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID) (*Case, error) {
	c, err := scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM cases WHERE tenant_id = $1 AND id = $2`, tenant, id))
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", id, err)
	}
	return c, nil
}

// Assign makes responsible the operator in charge of case id (coordinators:
// cases:assign, on a case they read). The responsible must be an active member
// of the ente assigned to the case's unit; they join the team as
// "responsible", and the previous responsible leaves that role.
func (s *Service) Assign(ctx context.Context, tenant, id, responsible uuid.UUID, v Viewer) (*Case, error) {
	c, err := s.change(ctx, tenant, id, v, func(tx pgx.Tx, c *Case, _ Access) (audit.Event, error) {
		if !v.Perms["cases:assign"] {
			return audit.Event{}, ErrNoAssign
		}
		if msg := checkResponsible(ctx, tx, tenant, c.UnitID, responsible); msg != "" {
			return audit.Event{}, &ValidationError{Fields: []FieldError{{Field: "responsible_id", Message: msg}}}
		}
		if err := setResponsible(ctx, tx, tenant, id, c.ResponsibleID, responsible, v); err != nil {
			return audit.Event{}, err
		}
		return event("case.assigned", id, v, map[string]any{"responsible": responsible.String()}), nil
	})
	if err != nil {
		return nil, fmt.Errorf("casefile.Assign(%s, %s, %s): %w", tenant, id, responsible, err)
	}
	return c, nil
}

// setResponsible records responsible on case id (locked or new in tx), in
// the team and in the history.
func setResponsible(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, previous *uuid.UUID, responsible uuid.UUID, v Viewer) error {
	if _, err := tx.Exec(ctx, `UPDATE cases SET responsible_id = $3 WHERE tenant_id = $1 AND id = $2`, tenant, id, responsible); err != nil {
		return fmt.Errorf("set responsible: %w", err)
	}
	// The previous responsible leaves the team's responsible role; whoever was
	// on the team already (in another role) stays, with the new one's role.
	if _, err := tx.Exec(ctx, `UPDATE case_team SET removed_at = now(), removed_by = $4
		WHERE tenant_id = $1 AND case_id = $2 AND removed_at IS NULL AND (role = 'responsible' OR operator_id = $3)`,
		tenant, id, responsible, nullID(v.ID)); err != nil {
		return fmt.Errorf("set responsible: team: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO case_team (tenant_id, case_id, operator_id, role, added_by, added_at)
		VALUES ($1, $2, $3, 'responsible', $4, clock_timestamp())`, tenant, id, responsible, nullID(v.ID)); err != nil {
		return fmt.Errorf("set responsible: team: %w", err)
	}
	details := map[string]any{"responsible": responsible.String()}
	if previous != nil {
		details["previous"] = previous.String()
	}
	return addEvent(ctx, tx, tenant, id, v.ID, Event{Kind: "assigned", Details: details})
}

// Transition moves case id to state to, as the workflow allows from its
// current state to v's roles, with reason when the transition requires one.
// Entering a terminal state closes the case with reason; leaving one reopens
// it; entering taken_in_charge records when.
func (s *Service) Transition(ctx context.Context, tenant, id uuid.UUID, to, reason string, v Viewer) (*Case, error) {
	c, err := s.change(ctx, tenant, id, v, func(tx pgx.Tx, c *Case, _ Access) (audit.Event, error) {
		return transition(ctx, tx, tenant, c, to, reason, v)
	})
	if err != nil {
		return nil, fmt.Errorf("casefile.Transition(%s, %s, %s): %w", tenant, id, to, err)
	}
	return c, nil
}

func transition(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, c *Case, to, reason string, v Viewer) (audit.Event, error) {
	reason = strings.TrimSpace(reason)
	w, err := loadWorkflow(ctx, tx, tenant)
	if err != nil {
		return audit.Event{}, err
	}
	t, ok := w.find(c.State, to)
	if !ok {
		return audit.Event{}, ErrNoTransition
	}
	if !t.allows(v.Roles) {
		return audit.Event{}, ErrRoleNotAllowed
	}
	var fe fieldErrors
	if t.RequiresReason && reason == "" {
		fe.add("reason", "indicare il motivo")
	}
	if len([]rune(reason)) > 2000 {
		fe.add("reason", "il motivo non può superare i 2000 caratteri")
	}
	if to == StateTakenInCharge && c.ResponsibleID == nil {
		return audit.Event{}, ErrNoResponsible
	}
	if err := fe.err(); err != nil {
		return audit.Event{}, err
	}
	target, _ := w.State(to)
	_, err = tx.Exec(ctx, `UPDATE cases SET state = $3,
			taken_at = CASE WHEN $3 = 'taken_in_charge' THEN coalesce(taken_at, now()) ELSE taken_at END,
			closed_at = CASE WHEN $4 THEN now() ELSE NULL END,
			close_reason = CASE WHEN $4 THEN $5 ELSE '' END
		WHERE tenant_id = $1 AND id = $2`, tenant, c.ID, to, target.Terminal, reason)
	if err != nil {
		return audit.Event{}, fmt.Errorf("transition: %w", err)
	}
	if err := addEvent(ctx, tx, tenant, c.ID, v.ID, Event{Kind: "transition", FromState: c.State, ToState: to, Reason: reason}); err != nil {
		return audit.Event{}, err
	}
	action := "case.transitioned"
	if target.Terminal {
		action = "case.closed"
	} else if from, _ := w.State(c.State); from.Terminal {
		action = "case.reopened"
	} else if to == StateTakenInCharge {
		action = "case.taken_in_charge"
	}
	return event(action, c.ID, v, map[string]any{"from": c.State, "to": to, "reason": reason}), nil
}

// TakeInCharge is the responsible taking case id in charge: the transition to
// taken_in_charge, by the responsible only.
func (s *Service) TakeInCharge(ctx context.Context, tenant, id uuid.UUID, v Viewer) (*Case, error) {
	c, err := s.change(ctx, tenant, id, v, func(tx pgx.Tx, c *Case, _ Access) (audit.Event, error) {
		if c.ResponsibleID == nil {
			return audit.Event{}, ErrNoResponsible
		}
		if *c.ResponsibleID != v.ID {
			return audit.Event{}, ErrNotResponsible
		}
		return transition(ctx, tx, tenant, c, StateTakenInCharge, "", v)
	})
	if err != nil {
		return nil, fmt.Errorf("casefile.TakeInCharge(%s, %s): %w", tenant, id, err)
	}
	return c, nil
}

// Close closes case id with reason: the transition from its state to the
// workflow's terminal state.
func (s *Service) Close(ctx context.Context, tenant, id uuid.UUID, reason string, v Viewer) (*Case, error) {
	c, err := s.change(ctx, tenant, id, v, func(tx pgx.Tx, c *Case, _ Access) (audit.Event, error) {
		to, err := pick(ctx, tx, tenant, c.State, true)
		if err != nil {
			return audit.Event{}, err
		}
		if strings.TrimSpace(reason) == "" {
			return audit.Event{}, &ValidationError{Fields: []FieldError{{Field: "reason", Message: "indicare il motivo della chiusura"}}}
		}
		return transition(ctx, tx, tenant, c, to, reason, v)
	})
	if err != nil {
		return nil, fmt.Errorf("casefile.Close(%s, %s): %w", tenant, id, err)
	}
	return c, nil
}

// Reopen reopens closed case id with reason: the transition from its terminal
// state to a non-terminal one.
func (s *Service) Reopen(ctx context.Context, tenant, id uuid.UUID, reason string, v Viewer) (*Case, error) {
	c, err := s.change(ctx, tenant, id, v, func(tx pgx.Tx, c *Case, _ Access) (audit.Event, error) {
		to, err := pick(ctx, tx, tenant, c.State, false)
		if err != nil {
			return audit.Event{}, err
		}
		return transition(ctx, tx, tenant, c, to, reason, v)
	})
	if err != nil {
		return nil, fmt.Errorf("casefile.Reopen(%s, %s): %w", tenant, id, err)
	}
	return c, nil
}

// pick returns the first state reachable from state that is terminal (or not).
func pick(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, state string, terminal bool) (string, error) {
	w, err := loadWorkflow(ctx, tx, tenant)
	if err != nil {
		return "", err
	}
	if cur, _ := w.State(state); !terminal && !cur.Terminal {
		return "", ErrNoTransition // only a closed case reopens
	}
	for _, t := range w.From(state) {
		if st, _ := w.State(t.To); st.Terminal == terminal {
			return t.To, nil
		}
	}
	return "", ErrNoTransition
}

// SetReserved marks case id reserved or not; only who reads its reserved
// parts may.
func (s *Service) SetReserved(ctx context.Context, tenant, id uuid.UUID, reserved bool, v Viewer) (*Case, error) {
	c, err := s.change(ctx, tenant, id, v, func(tx pgx.Tx, c *Case, a Access) (audit.Event, error) {
		if !a.Reserved {
			return audit.Event{}, ErrNoContent
		}
		if _, err := tx.Exec(ctx, `UPDATE cases SET reserved = $3 WHERE tenant_id = $1 AND id = $2`, tenant, id, reserved); err != nil {
			return audit.Event{}, err
		}
		if err := addEvent(ctx, tx, tenant, id, v.ID, Event{Kind: "reserved", Details: map[string]any{"reserved": reserved}}); err != nil {
			return audit.Event{}, err
		}
		return event("case.reserved", id, v, map[string]any{"reserved": reserved}), nil
	})
	if err != nil {
		return nil, fmt.Errorf("casefile.SetReserved(%s, %s, %t): %w", tenant, id, reserved, err)
	}
	return c, nil
}
