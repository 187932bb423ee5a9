package access

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/casefile"
)

// SaveStep validates one step of the wizard and saves it in draft id, which
// uuid.Nil starts (the first step only); it returns the draft. An invalid step
// writes nothing: the draft keeps what earlier steps saved.
func (s *Service) SaveStep(ctx context.Context, tenant, id uuid.UUID, step string, in Input, v Viewer) (*Access, error) {
	if !slices.Contains(Steps, step) || (id == uuid.Nil && step != Steps[0]) {
		return nil, fmt.Errorf("access.SaveStep(%s, %s, %q): %w", tenant, id, step, ErrNotFound)
	}
	next := "confirm"
	if i := slices.Index(Steps, step); i+1 < len(Steps) {
		next = Steps[i+1]
	}
	var a *Access
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var saved Input
		if id != uuid.Nil {
			d, err := load(ctx, tx, id, v, true)
			if err != nil {
				return err
			}
			if d.State != Draft || d.OperatorID != v.ID {
				return ErrNotFound
			}
			if d.Step == "confirm" || slices.Index(Steps, d.Step) > slices.Index(Steps, step) {
				next = d.Step // going back to a step keeps the furthest reached
			}
			saved = d.input()
		}
		saved.take(step, in)
		in = saved
		in.clean()
		if in.OccurredAt.IsZero() {
			in.OccurredAt = s.now()
		}
		if err := in.check(step, s.now()).err(); err != nil {
			return err
		}
		if err := s.checkDB(ctx, tx, step, in, v); err != nil {
			return err
		}
		var err error
		id, err = saveStep(ctx, tx, tenant, id, step, next, in, v)
		if err != nil {
			return err
		}
		a, err = load(ctx, tx, id, v, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("access.SaveStep(%s, %s, %q): %w", tenant, id, step, err)
	}
	return a, nil
}

// take copies into in the fields of step from from.
func (in *Input) take(step string, from Input) {
	switch step {
	case "interlocutor":
		in.UnitID, in.OccurredAt, in.Channel, in.Interlocutor = from.UnitID, from.OccurredAt, from.Channel, from.Interlocutor
		in.InterlocutorName, in.InterlocutorContact, in.Reason, in.SentBy = from.InterlocutorName, from.InterlocutorContact, from.Reason, from.SentBy
	case "person":
		in.PersonID, in.Consent = from.PersonID, from.Consent
	case "reference":
		in.ReferenceName, in.ReferenceRelationship, in.ReferenceContact = from.ReferenceName, from.ReferenceRelationship, from.ReferenceContact
	case "needs":
		in.Needs = from.Needs
	case "services":
		in.Services = from.Services
	case "outcome":
		in.Outcome, in.OutcomeNotes, in.ProposalUnit, in.ProposalArea, in.Referral = from.Outcome, from.OutcomeNotes, from.ProposalUnit, from.ProposalArea, from.Referral
	}
}

// saveStep writes the columns of one step.
func saveStep(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, step, next string, in Input, v Viewer) (uuid.UUID, error) {
	var err error
	switch step {
	case "interlocutor":
		if id == uuid.Nil {
			author := "operator"
			if v.Client {
				author = "api_client"
			}
			err = tx.QueryRow(ctx, `INSERT INTO accesses (tenant_id, unit_id, operator_id, author_kind, step, occurred_at, channel,
				interlocutor, interlocutor_name, interlocutor_contact, reason, sent_by)
				VALUES ($1, $2, $3, $12, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
				tenant, in.UnitID, v.ID, next, in.OccurredAt, in.Channel, in.Interlocutor, in.InterlocutorName,
				in.InterlocutorContact, in.Reason, in.SentBy, author).Scan(&id)
			return id, err
		}
		_, err = tx.Exec(ctx, `UPDATE accesses SET unit_id = $2, occurred_at = $3, channel = $4,
			interlocutor = $5, interlocutor_name = $6, interlocutor_contact = $7, reason = $8, sent_by = $9, step = $10,
			updated_at = now() WHERE id = $1`, id, in.UnitID, in.OccurredAt, in.Channel, in.Interlocutor,
			in.InterlocutorName, in.InterlocutorContact, in.Reason, in.SentBy, next)
	case "person":
		var on any
		if !in.Consent.On.IsZero() {
			on = in.Consent.On.String()
		}
		_, err = tx.Exec(ctx, `UPDATE accesses SET person_id = $2, consent_given = $3, consent_scope = $4,
			consent_on = $5::date, step = $6, updated_at = now() WHERE id = $1`,
			id, in.PersonID, in.Consent.Given, in.Consent.Scope, on, next)
	case "reference":
		_, err = tx.Exec(ctx, `UPDATE accesses SET reference_name = $2, reference_relationship = $3, reference_contact = $4,
			step = $5, updated_at = now() WHERE id = $1`, id, in.ReferenceName, in.ReferenceRelationship, in.ReferenceContact, next)
	case "needs":
		_, err = tx.Exec(ctx, `UPDATE accesses SET needs = $2, step = $3, updated_at = now() WHERE id = $1`, id, in.Needs, next)
	case "services":
		_, err = tx.Exec(ctx, `UPDATE accesses SET services = $2, step = $3, updated_at = now() WHERE id = $1`, id, in.Services, next)
	case "outcome":
		_, err = tx.Exec(ctx, `UPDATE accesses SET outcome = $2, outcome_notes = $3, proposal_unit = $4, proposal_area = $5,
			referral = $6, step = $7, updated_at = now() WHERE id = $1`,
			id, in.Outcome, in.OutcomeNotes, in.ProposalUnit, in.ProposalArea, in.Referral, next)
	}
	return id, err
}

// checkDB checks what a step names against the ente's records: the desk is a
// PUA or segretariato unit of the operator's, the person is live, the units
// proposed or referred to exist.
func (s *Service) checkDB(ctx context.Context, tx pgx.Tx, step string, in Input, v Viewer) error {
	var fe fieldErrors
	all := step == ""
	if all || step == "interlocutor" {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units u WHERE u.id = $1 AND u.kind IN ('pua', 'secretariat')
			AND ($3 OR u.id IN (SELECT unit_id FROM operator_units WHERE operator_id = $2)))`, in.UnitID, v.ID, v.Client).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			fe.add("unit_id", "lo sportello non è un PUA o un segretariato sociale in cui lavori")
		}
	}
	if all || step == "person" {
		var merged bool
		err := tx.QueryRow(ctx, `SELECT merged_into IS NOT NULL FROM people WHERE id = $1`, in.PersonID).Scan(&merged)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			fe.add("person_id", "persona non trovata")
		case err != nil:
			return err
		case merged:
			fe.add("person_id", "la scheda della persona è stata unificata con un'altra: scegliere quella")
		}
	}
	if (all || step == "outcome") && in.Outcome == "proposal" && in.ProposalUnit != nil {
		if ok, err := unitOfKind(ctx, tx, *in.ProposalUnit, "social_service"); err != nil {
			return err
		} else if !ok {
			fe.add("proposal_unit", "scegliere un servizio sociale dell'ente")
		}
	}
	if (all || step == "outcome") && in.Outcome == "referral" && in.Referral.Kind == "unit" && in.Referral.UnitID != nil {
		if ok, err := unitOfKind(ctx, tx, *in.Referral.UnitID, ""); err != nil {
			return err
		} else if !ok {
			fe.add("target_unit", "unità non trovata")
		}
	}
	return fe.err()
}

func unitOfKind(ctx context.Context, tx pgx.Tx, id uuid.UUID, kind string) (bool, error) {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE id = $1 AND ($2 = '' OR kind = $2))`, id, kind).Scan(&ok)
	return ok, err
}

// Draft returns the viewer's draft id, to show the wizard's next step.
func (s *Service) Draft(ctx context.Context, tenant, id uuid.UUID, v Viewer) (*Access, error) {
	var a *Access
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		a, err = load(ctx, tx, id, v, false)
		if err == nil && (a.State != Draft || a.OperatorID != v.ID) {
			err = ErrNotFound
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("access.Draft(%s, %s): %w", tenant, id, err)
	}
	return a, nil
}

// Confirm creates the access of the viewer's draft id once every step is
// valid: in one transaction its outcome opens the proposed case or sends the
// referral, and access.created is written. A step found invalid now leaves
// the draft as it was.
func (s *Service) Confirm(ctx context.Context, tenant, id uuid.UUID, v Viewer) (*Access, error) {
	var a *Access
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		d, err := load(ctx, tx, id, v, true)
		if err != nil {
			return err
		}
		if d.State != Draft || d.OperatorID != v.ID {
			return ErrNotFound
		}
		in := d.input()
		if err := in.check("", s.now()).err(); err != nil {
			return err
		}
		if err := s.create(ctx, tx, tenant, id, in, v); err != nil {
			return err
		}
		a, err = load(ctx, tx, id, v, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("access.Confirm(%s, %s): %w", tenant, id, err)
	}
	return a, nil
}

// Create records a whole access at once (the API): every step is checked,
// and the access is created as Confirm creates a draft.
func (s *Service) Create(ctx context.Context, tenant uuid.UUID, in Input, v Viewer) (*Access, error) {
	in.clean()
	if in.OccurredAt.IsZero() {
		in.OccurredAt = s.now()
	}
	if err := in.check("", s.now()).err(); err != nil {
		return nil, fmt.Errorf("access.Create(%s): %w", tenant, err)
	}
	var a *Access
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if err := s.checkDB(ctx, tx, "", in, v); err != nil {
			return err
		}
		var id uuid.UUID
		var err error
		for _, step := range Steps {
			if id, err = saveStep(ctx, tx, tenant, id, step, "confirm", in, v); err != nil {
				return err
			}
		}
		if err := s.create(ctx, tx, tenant, id, in, v); err != nil {
			return err
		}
		a, err = load(ctx, tx, id, v, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("access.Create(%s): %w", tenant, err)
	}
	return a, nil
}

// create turns draft id into a created access with its outcome's effects.
func (s *Service) create(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, in Input, v Viewer) error {
	if err := s.checkDB(ctx, tx, "", in, v); err != nil {
		return err
	}
	var caseID *uuid.UUID
	details := map[string]any{"outcome": in.Outcome, "person": in.PersonID.String(), "unit": in.UnitID.String()}
	switch in.Outcome {
	case "proposal":
		c, err := s.cases.OpenTx(ctx, tx, tenant, casefile.OpenInput{PersonID: in.PersonID, UserArea: in.ProposalArea,
			UnitID: *in.ProposalUnit, Summary: in.OutcomeNotes, OriginAccess: &id},
			casefile.Viewer{ID: v.ID, Email: v.Email, IP: v.IP, Perms: v.Perms})
		if err != nil {
			return err
		}
		caseID = &c.ID
		details["case"] = c.ID.String()
	case "referral":
		r, err := s.send(ctx, tx, tenant, NewReferral{AccessID: &id, FromUnit: in.UnitID, ReferralTo: in.Referral}, in.PersonID, v)
		if err != nil {
			return err
		}
		details["referral"] = r.String()
	}
	if _, err := tx.Exec(ctx, `UPDATE accesses SET state = 'created', step = 'confirm', case_id = $2, updated_at = now()
		WHERE id = $1`, id, caseID); err != nil {
		return err
	}
	if in.Consent.Given {
		details["consent"] = in.Consent.Scope
	}
	return audit.Write(ctx, tx, tenant, event("access.created", id, v, details))
}
