package interventions

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/catalog"
	"github.com/sigess/sigess/internal/people"
)

// interventionSelect reads interventions with the names a page shows: the
// beneficiary and their tax code, the case number, the catalogue entry, the
// operator who requested it.
const interventionSelect = `SELECT i.id, i.person_id, p.last_name || ' ' || p.first_name, coalesce(p.tax_code, ''),
		i.case_id, c.number, i.catalog_entry_id, ce.name, ce.inps_code, ce.unit, i.plan_id, i.state,
		i.application_protocol, i.start_date, i.end_date, i.character, i.monthly_amount_cents, i.total_amount_cents,
		i.period_months, i.share_ente::float8, i.share_user::float8, i.share_health::float8, i.requested_amount_cents,
		i.monthly_hours::float8, i.means_test, i.dsu_protocol, i.dsu_year, i.dsu_date, i.isee_value_cents,
		i.isee_threshold_cents, i.taken_in_charge, i.notes, i.closed_on, i.created_by, coalesce(o.name, ''),
		i.created_at, i.updated_at, i.version
	FROM interventions i
	JOIN people p ON p.tenant_id = i.tenant_id AND p.id = i.person_id
	JOIN cases c ON c.tenant_id = i.tenant_id AND c.id = i.case_id
	JOIN catalog_entries ce ON ce.tenant_id = i.tenant_id AND ce.id = i.catalog_entry_id
	LEFT JOIN operators o ON o.id = i.created_by
	WHERE `

// scanIntervention reads one row of interventionSelect.
func scanIntervention(row pgx.Row) (*Intervention, error) {
	var it Intervention
	var start, end, dsu, closed *time.Time
	d := &it.Data
	err := row.Scan(&it.ID, &it.PersonID, &it.PersonName, &it.PersonTaxCode, &it.CaseID, &it.CaseNumber,
		&it.CatalogEntryID, &it.CatalogName, &it.INPSCode, &it.Unit, &it.PlanID, &it.State,
		&d.ApplicationProtocol, &start, &end, &d.Character, &d.MonthlyAmountCents, &d.TotalAmountCents,
		&d.PeriodMonths, &d.ShareEnte, &d.ShareUser, &d.ShareHealth, &d.RequestedAmountCents,
		&d.MonthlyHours, &d.MeansTest, &d.DSUProtocol, &d.DSUYear, &dsu, &d.ISEEValueCents,
		&it.ISEEThresholdCents, &d.TakenInCharge, &d.Notes, &closed, &it.CreatedBy, &it.CreatedByName,
		&it.CreatedAt, &it.UpdatedAt, &it.Version)
	if err != nil {
		return nil, err
	}
	d.StartDate, d.EndDate, d.DSUDate, it.ClosedOn = dateOf(start), dateOf(end), dateOf(dsu), dateOf(closed)
	return &it, nil
}

// interventionsWhere reads the interventions matching where, newest first.
func interventionsWhere(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]Intervention, error) {
	rows, err := tx.Query(ctx, interventionSelect+where+` ORDER BY i.created_at DESC, i.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Intervention{}
	for rows.Next() {
		it, err := scanIntervention(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *it)
	}
	return out, rows.Err()
}

// intervention reads intervention id, locking its row when lock is set (so
// that edits, moves and deliveries of one intervention take turns).
func intervention(ctx context.Context, tx pgx.Tx, id uuid.UUID, lock bool) (*Intervention, error) {
	if lock {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM interventions WHERE id = $1 FOR UPDATE`, id); err != nil {
			return nil, err
		}
	}
	it, err := scanIntervention(tx.QueryRow(ctx, interventionSelect+`i.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	return it, err
}

// events reads an intervention's history, oldest first.
func events(ctx context.Context, tx pgx.Tx, id uuid.UUID) ([]Event, error) {
	rows, err := tx.Query(ctx, `SELECT e.seq, e.kind, e.from_state, e.to_state, e.by_id, coalesce(o.name, ''), e.at,
			e.reason, e.snapshot
		FROM intervention_events e LEFT JOIN operators o ON o.id = e.by_id
		WHERE e.intervention_id = $1 ORDER BY e.seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.Seq, &e.Kind, &e.FromState, &e.ToState, &e.ByID, &e.ByName, &e.At, &e.Reason, &e.Snapshot); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// entry reads catalogue entry id of the ente tx works for.
func entry(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Entry, error) {
	e, err := catalog.Get(ctx, tx, id)
	if err != nil {
		return Entry{}, fmt.Errorf("catalogue entry %s: %w", id, err)
	}
	out := Entry{ID: e.ID, Name: e.Name, INPSCode: e.INPSCode, UserArea: e.UserArea, Unit: e.Unit, MeansTest: e.MeansTest,
		ShareEnte: e.ShareEnte, ShareUser: e.ShareUser, ShareHealth: e.ShareHealth, Character: e.Character, Active: e.Active}
	if e.ISEEThreshold != nil {
		c := int64(math.Round(*e.ISEEThreshold * 100))
		out.ISEEThresholdCents = &c
	}
	return out, nil
}

// Option is a catalogue entry as the request form offers it.
type Option struct {
	ID       uuid.UUID `json:"id"`
	Name     string    `json:"name"`
	INPSCode string    `json:"inps_code"`
	Unit     string    `json:"unit"`
}

// entryOptions reads the ente's active catalogue entries, by name.
func entryOptions(ctx context.Context, tx pgx.Tx) ([]Option, error) {
	rows, err := tx.Query(ctx, `SELECT id, name, inps_code, unit FROM catalog_entries WHERE active ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Option, error) {
		var o Option
		err := r.Scan(&o.ID, &o.Name, &o.INPSCode, &o.Unit)
		return o, err
	})
}

// deliveries reads an intervention's deliveries, by date.
func deliveries(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]Delivery, error) {
	rows, err := tx.Query(ctx, `SELECT d.id, d.intervention_id, d.delivered_on, d.amount_cents, d.hours::float8, d.provider,
			d.notes, d.recorded_by, coalesce(o.name, ''), d.recorded_at, x.delivery_id IS NOT NULL, coalesce(x.reason, '')
		FROM intervention_deliveries d
		LEFT JOIN intervention_delivery_cancellations x ON x.tenant_id = d.tenant_id AND x.delivery_id = d.id
		LEFT JOIN operators o ON o.id = d.recorded_by
		WHERE `+where+` ORDER BY d.delivered_on, d.recorded_at, d.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		var d Delivery
		var on time.Time
		if err := rows.Scan(&d.ID, &d.InterventionID, &on, &d.AmountCents, &d.Hours, &d.Provider, &d.Notes,
			&d.RecordedBy, &d.RecordedByName, &d.RecordedAt, &d.Cancelled, &d.CancelReason); err != nil {
			return nil, err
		}
		d.DeliveredOn = people.DateOf(on)
		out = append(out, d)
	}
	return out, rows.Err()
}

func dateOf(t *time.Time) people.Date {
	if t == nil {
		return people.Date{}
	}
	return people.DateOf(*t)
}

// dateArg is a date as a query argument: NULL when zero.
func dateArg(d people.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.Time()
}
