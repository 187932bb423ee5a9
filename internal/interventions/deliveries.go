package interventions

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
)

// Deliveries returns the deliveries of intervention id, by date, cancelled
// ones included (marked), for whoever may see the intervention.
func (s *Service) Deliveries(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) ([]Delivery, error) {
	var out []Delivery
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if _, _, err := s.visible(ctx, tx, tenant, id, v, false); err != nil {
			return err
		}
		var err error
		out, err = deliveries(ctx, tx, `d.intervention_id = $1`, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("interventions.Deliveries(%s, %s): %w", tenant, id, err)
	}
	return out, nil
}

// AddDelivery records a delivery of intervention id, by holders of
// interventions:deliver: of an active intervention, or of a closed one on a
// day before it closed; on a day within its dates and not in the future;
// hours for an entry measured in hours, an amount for the others.
func (s *Service) AddDelivery(ctx context.Context, tenant, id uuid.UUID, in NewDelivery, v casefile.Viewer) (*Delivery, error) {
	fail := func(err error) (*Delivery, error) {
		return nil, fmt.Errorf("interventions.AddDelivery(%s, %s): %w", tenant, id, err)
	}
	if !v.Perms[authz.PermInterventionsDeliver] {
		return fail(ErrNoDeliver)
	}
	in.Provider, in.Notes = strings.TrimSpace(in.Provider), strings.TrimSpace(in.Notes)
	var out *Delivery
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		it, _, err := s.visible(ctx, tx, tenant, id, v, true)
		if err != nil {
			return err
		}
		if it.State != StateActive && it.State != StateClosed {
			return ErrNotDeliverable
		}
		if fe := in.check(it, s.today()); len(fe) > 0 {
			return &derrors.Invalid{Fields: fe}
		}
		var did uuid.UUID
		if err := tx.QueryRow(ctx, `INSERT INTO intervention_deliveries (tenant_id, intervention_id, delivered_on, amount_cents,
				hours, provider, notes, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			tenant, id, in.DeliveredOn.Time(), in.AmountCents, in.Hours, in.Provider, in.Notes, v.ID).Scan(&did); err != nil {
			return err
		}
		ds, err := deliveries(ctx, tx, `d.id = $1`, did)
		if err != nil {
			return err
		}
		out = &ds[0]
		return audit.Write(ctx, tx, tenant, event("intervention.delivery_added", it, v, map[string]any{"delivery_id": did.String()}))
	})
	if err != nil {
		return fail(err)
	}
	return out, nil
}

// CancelDelivery cancels delivery did of intervention id, with reason: the
// row stays, marked, and a corrected delivery is recorded anew.
func (s *Service) CancelDelivery(ctx context.Context, tenant, id, did uuid.UUID, reason string, v casefile.Viewer) (*Delivery, error) {
	fail := func(err error) (*Delivery, error) {
		return nil, fmt.Errorf("interventions.CancelDelivery(%s, %s, %s): %w", tenant, id, did, err)
	}
	if !v.Perms[authz.PermInterventionsDeliver] {
		return fail(ErrNoDeliver)
	}
	reason = strings.TrimSpace(reason)
	switch n := len([]rune(reason)); {
	case n == 0:
		return fail(&derrors.Invalid{Fields: []derrors.FieldError{{Field: "reason", Message: "indicare il motivo dell'annullamento"}}})
	case n > maxReason:
		return fail(&derrors.Invalid{Fields: []derrors.FieldError{{Field: "reason", Message: fmt.Sprintf("il motivo è troppo lungo (al massimo %d caratteri)", maxReason)}}})
	}
	var out *Delivery
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		it, _, err := s.visible(ctx, tx, tenant, id, v, true)
		if err != nil {
			return err
		}
		ds, err := deliveries(ctx, tx, `d.id = $1 AND d.intervention_id = $2`, did, id)
		if err != nil {
			return err
		}
		if len(ds) == 0 {
			return ErrDeliveryNotFound
		}
		if ds[0].Cancelled {
			return ErrAlreadyCancelled
		}
		if _, err := tx.Exec(ctx, `INSERT INTO intervention_delivery_cancellations (tenant_id, delivery_id, reason, cancelled_by)
			VALUES ($1, $2, $3, $4)`, tenant, did, reason, v.ID); err != nil {
			return err
		}
		if ds, err = deliveries(ctx, tx, `d.id = $1`, did); err != nil {
			return err
		}
		out = &ds[0]
		return audit.Write(ctx, tx, tenant, event("intervention.delivery_cancelled", it, v, map[string]any{"delivery_id": did.String()}))
	})
	if err != nil {
		return fail(err)
	}
	return out, nil
}

// check checks a delivery of it recorded on day today.
func (in *NewDelivery) check(it *Intervention, today people.Date) []derrors.FieldError {
	var fe []derrors.FieldError
	add := func(field, msg string) { fe = append(fe, derrors.FieldError{Field: field, Message: msg}) }
	on := in.DeliveredOn.Time()
	switch {
	case in.DeliveredOn.IsZero():
		add("delivered_on", "indicare la data dell'erogazione")
	case on.After(today.Time()):
		add("delivered_on", "la data dell'erogazione non può essere nel futuro")
	case !it.StartDate.IsZero() && on.Before(it.StartDate.Time()):
		add("delivered_on", fmt.Sprintf("la data precede l'inizio dell'intervento (%s)", it.StartDate.Time().Format("02/01/2006")))
	case !it.EndDate.IsZero() && on.After(it.EndDate.Time()):
		add("delivered_on", fmt.Sprintf("la data segue la fine dell'intervento (%s)", it.EndDate.Time().Format("02/01/2006")))
	case it.State == StateClosed && !it.ClosedOn.IsZero() && on.After(it.ClosedOn.Time()):
		add("delivered_on", fmt.Sprintf("la data segue la chiusura dell'intervento (%s)", it.ClosedOn.Time().Format("02/01/2006")))
	}
	if it.Unit == UnitHours {
		if in.Hours == nil || *in.Hours <= 0 {
			add("hours", "indicare le ore erogate")
		}
	} else if in.AmountCents == nil || *in.AmountCents <= 0 {
		add("amount_cents", "indicare l'importo erogato")
	}
	if in.AmountCents != nil && *in.AmountCents < 0 {
		add("amount_cents", "l'importo non può essere negativo")
	}
	if in.Hours != nil && (*in.Hours < 0 || *in.Hours > maxHours) {
		add("hours", fmt.Sprintf("le ore vanno da 0 a %d", maxHours))
	}
	if len([]rune(in.Provider)) > maxProvider {
		add("provider", fmt.Sprintf("il nome del fornitore è troppo lungo (al massimo %d caratteri)", maxProvider))
	}
	if len([]rune(in.Notes)) > maxNotes {
		add("notes", fmt.Sprintf("le note sono troppo lunghe (al massimo %d caratteri)", maxNotes))
	}
	return fe
}
