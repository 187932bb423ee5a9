package interventions

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
)

// The rules of an intervention and of a delivery, exported for the
// onboarding import (internal/onboarding), which checks the rows of a legacy
// file with them and writes them in its own transaction.

// Check trims d and checks each field on its own, as Create and Update do;
// what a state needs is Missing's.
func (d *Data) Check() []derrors.FieldError { return d.check() }

// Defaults fills what d left empty from the catalogue entry e, as Create does.
func (d *Data) Defaults(e Entry) { d.defaults(e) }

// Check checks a delivery of it recorded on day today, as AddDelivery does.
func (in *NewDelivery) Check(it *Intervention, today people.Date) []derrors.FieldError {
	return in.check(it, today)
}

// EntryTx reads catalogue entry id in tx.
func EntryTx(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Entry, error) { return entry(ctx, tx, id) }

// ReadTx reads interventions ids in tx, as Get shows them (no access check:
// the caller decides), keyed by id; ids that do not exist are absent.
func ReadTx(ctx context.Context, tx pgx.Tx, ids []uuid.UUID) (map[uuid.UUID]*Intervention, error) {
	rows, err := tx.Query(ctx, interventionSelect+`i.id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("interventions.ReadTx: %w", err)
	}
	defer rows.Close()
	out := make(map[uuid.UUID]*Intervention, len(ids))
	for rows.Next() {
		it, err := scanIntervention(rows)
		if err != nil {
			return nil, fmt.Errorf("interventions.ReadTx: %w", err)
		}
		out[it.ID] = it
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("interventions.ReadTx: %w", err)
	}
	return out, nil
}

// RecordImported writes the first event of interventions ids, inserted by the
// onboarding import in tx: kind created, to their imported state, by by, with
// reason and the snapshot Get would show. The event hook (the SIUSS flows) is
// NOT told: the legacy system reported these interventions to INPS already.
// A later change of state or edit in SIGeSS is an event like any other.
func RecordImported(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, ids []uuid.UUID, by uuid.UUID, reason string) error {
	its, err := ReadTx(ctx, tx, ids)
	if err != nil {
		return err
	}
	if len(its) != len(ids) {
		return fmt.Errorf("interventions.RecordImported: %d of %d interventions found", len(its), len(ids))
	}
	states, snaps := make([]string, len(ids)), make([]string, len(ids))
	for i, id := range ids {
		it := its[id]
		b, err := json.Marshal(it)
		if err != nil {
			return err
		}
		states[i], snaps[i] = it.State, string(b)
	}
	_, err = tx.Exec(ctx, `INSERT INTO intervention_events (tenant_id, intervention_id, seq, kind, from_state, to_state, by_id, reason, snapshot)
		SELECT $1, id, 1, 'created', '', state, $2, $3, snap FROM unnest($4::uuid[], $5::text[], $6::jsonb[]) AS s (id, state, snap)`,
		tenant, by, reason, ids, states, snaps)
	if err != nil {
		return fmt.Errorf("interventions.RecordImported: %w", err)
	}
	return nil
}
