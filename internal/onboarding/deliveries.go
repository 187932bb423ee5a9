package onboarding

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sigess/sigess/internal/interventions"
)

// deliveriesFormat is the deliveries file's columns (docs/import.md).
var deliveriesFormat = []column{
	{"external_id", true}, {"intervention_external_id", true}, {"delivered_on", true}, {"amount", false},
	{"hours", false}, {"provider", false}, {"notes", false},
}

type deliveryRec struct {
	record
	intervention uuid.UUID
	in           interventions.NewDelivery
}

// importDeliveries checks and writes a deliveries file: each is checked by
// internal/interventions' rules for a delivery (dates within the
// intervention's, an amount or hours by the entry's unit of measure) and
// belongs to an intervention that is or was active.
func importDeliveries(ctx context.Context, tx pgx.Tx, t *table, e env) (int, int, []RowError, error) {
	ids, err := refs(ctx, tx, KindInterventions, t.values("intervention_external_id"))
	if err != nil {
		return 0, 0, nil, err
	}
	its, err := interventions.ReadTx(ctx, tx, mapValues(ids))
	if err != nil {
		return 0, 0, nil, err
	}
	var (
		errs    []RowError
		recs    []deliveryRec
		extSeen = map[string]int{}
	)
	for i, rec := range t.records {
		if rec == nil {
			continue
		}
		c := &checker{row: t.rows[i]}
		r := deliveryRec{record: record{row: t.rows[i], external: t.get(rec, "external_id")}}
		c.external(r.external, extSeen)
		r.intervention = c.ref("intervention_external_id", t.get(rec, "intervention_external_id"), ids, KindInterventions, true)
		r.in.DeliveredOn = c.date("delivered_on", t.get(rec, "delivered_on"), true)
		r.in.AmountCents = c.euro("amount", t.get(rec, "amount"))
		r.in.Hours = c.number("hours", t.get(rec, "hours"))
		r.in.Provider = t.get(rec, "provider")
		r.in.Notes = t.get(rec, "notes")
		if it := its[r.intervention]; it != nil {
			switch it.State {
			case interventions.StateActive, interventions.StateSuspended, interventions.StateClosed:
				for _, f := range r.in.Check(it, e.today) {
					name := map[string]string{"amount_cents": "amount"}[f.Field]
					if name == "" {
						name = f.Field
					}
					if !c.has(name) {
						c.bad(name, f.Message)
					}
				}
			default:
				c.bad("intervention_external_id", "l'intervento non è mai stato attivo: non ha erogazioni")
			}
		}
		if len(c.errs) > 0 {
			errs = append(errs, c.errs...)
			continue
		}
		r.digest = digestOf(t.get(rec, "intervention_external_id"), dateStr(r.in.DeliveredOn), ptrStr(r.in.AmountCents),
			ptrStr(r.in.Hours), r.in.Provider, r.in.Notes)
		recs = append(recs, r)
	}
	kept, skipped, dupErrs, err := partition(ctx, tx, KindDeliveries, recs)
	if err != nil {
		return 0, 0, nil, err
	}
	errs = append(errs, dupErrs...)
	if len(errs) > 0 || e.anyErrors {
		return 0, skipped, errs, ErrRowsInvalid
	}
	err = chunks(len(kept), func(lo, hi int) error {
		batch := kept[lo:hi]
		n := len(batch)
		var (
			dids, iids       = make([]uuid.UUID, n), make([]uuid.UUID, n)
			on               = make([]pgtype.Date, n)
			amounts          = make([]pgtype.Int8, n)
			hours            = make([]pgtype.Float8, n)
			providers, notes = make([]string, n), make([]string, n)
		)
		for i, r := range batch {
			dids[i], iids[i] = uuid.New(), r.intervention
			on[i], amounts[i], hours[i], providers[i], notes[i] = pdate(r.in.DeliveredOn), i8(r.in.AmountCents), f8(r.in.Hours), r.in.Provider, r.in.Notes
		}
		_, err := tx.Exec(ctx, `INSERT INTO intervention_deliveries (tenant_id, id, intervention_id, delivered_on, amount_cents,
				hours, provider, notes, recorded_by, recorded_at)
			SELECT $1, *, $2, $3 FROM unnest($4::uuid[], $5::uuid[], $6::date[], $7::bigint[], $8::float8[], $9::text[], $10::text[])`,
			e.tenant, e.by.ID, e.now, dids, iids, on, amounts, hours, providers, notes)
		if err != nil {
			return fmt.Errorf("insert deliveries: %w", err)
		}
		return mapExternal(ctx, tx, e.tenant, KindDeliveries, batch, dids, e.run)
	})
	if err != nil {
		return 0, 0, nil, err
	}
	return len(kept), skipped, nil, nil
}
