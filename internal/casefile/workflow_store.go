package casefile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/derrors"
)

// Workflow returns tenant's case workflow: its own, or DefaultWorkflow.
func (s *Service) Workflow(ctx context.Context, tenant uuid.UUID) (Workflow, error) {
	var w Workflow
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		w, err = loadWorkflow(ctx, tx, tenant)
		return err
	})
	if err != nil {
		return Workflow{}, fmt.Errorf("casefile.Workflow(%s): %w", tenant, err)
	}
	return w, nil
}

func loadWorkflow(ctx context.Context, tx pgx.Tx, tenant uuid.UUID) (Workflow, error) {
	var body []byte
	err := tx.QueryRow(ctx, `SELECT definition FROM workflows WHERE tenant_id = $1 AND kind = 'case'`, tenant).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return DefaultWorkflow(), nil
	}
	if err != nil {
		return Workflow{}, fmt.Errorf("load workflow: %w", err)
	}
	var w Workflow
	if err := json.Unmarshal(body, &w); err != nil {
		return Workflow{}, fmt.Errorf("load workflow: %w", err)
	}
	return w, nil
}

// SaveWorkflow validates w and makes it tenant's case workflow (for holders of
// workflow:manage). validRole tells the ente's role names. The states that
// cases are in now must stay in it.
func (s *Service) SaveWorkflow(ctx context.Context, tenant uuid.UUID, w Workflow, validRole func(string) bool, v Viewer) error {
	err := s.saveWorkflow(ctx, tenant, w, validRole, v)
	if err != nil {
		return fmt.Errorf("casefile.SaveWorkflow(%s): %w", tenant, err)
	}
	return nil
}

func (s *Service) saveWorkflow(ctx context.Context, tenant uuid.UUID, w Workflow, validRole func(string) bool, v Viewer) error {
	if !v.Perms["workflow:manage"] {
		return fmt.Errorf("%w: non puoi modificare il flusso delle cartelle", derrors.ErrForbidden)
	}
	if err := w.Validate(validRole); err != nil {
		return err
	}
	return s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var adopted bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM workflow_template_items WHERE active)`).Scan(&adopted); err != nil {
			return err
		}
		if adopted {
			return (&fieldErrors{{Field: "definition", Message: ErrWorkflowFromTemplate}}).err()
		}
		return storeWorkflow(ctx, tx, tenant, w, v.ID, v.Email, v.IP)
	})
}

// storeWorkflow makes the validated w tenant's case workflow, in tx, after
// checking that the states cases are in now stay in it, and writes
// workflow.saved.
func storeWorkflow(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, w Workflow, by uuid.UUID, email, ip string) error {
	rows, err := tx.Query(ctx, `SELECT DISTINCT state FROM cases WHERE tenant_id = $1`, tenant)
	if err != nil {
		return err
	}
	inUse, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	var fe fieldErrors
	for _, st := range inUse {
		if _, ok := w.State(st); !ok {
			fe.add("states", fmt.Sprintf("ci sono cartelle nello stato %q: non si può togliere", st))
		}
	}
	if err := fe.err(); err != nil {
		return err
	}
	body, err := json.Marshal(w)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO workflows (tenant_id, kind, definition, updated_by) VALUES ($1, 'case', $2, $3)
		ON CONFLICT (tenant_id, kind) DO UPDATE SET definition = $2, updated_by = $3, updated_at = now()`,
		tenant, body, nullID(by))
	if err != nil {
		return err
	}
	return audit.Write(ctx, tx, tenant, audit.Event{Action: "workflow.saved", ActorID: by, Actor: email, IP: ip,
		ObjectType: "workflow", ObjectID: "case", Details: map[string]any{"states": len(w.States), "transitions": len(w.Transitions)}})
}

func nullID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
