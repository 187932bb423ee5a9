package access

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

func referralEvent(action string, id uuid.UUID, v Viewer, details map[string]any) audit.Event {
	return audit.Event{Action: action, ActorID: v.ID, Actor: v.Email, IP: v.IP,
		ObjectType: "referral", ObjectID: id.String(), Details: details}
}

// Send sends a referral from an access or a case of the ente and writes
// referral.sent.
func (s *Service) Send(ctx context.Context, tenant uuid.UUID, in NewReferral, v Viewer) (*Referral, error) {
	var fe fieldErrors
	in.ReferralTo.check(&fe)
	if (in.AccessID == nil) == (in.CaseID == nil) {
		fe.add("access_id", "indicare l'accesso o il caso da cui parte l'invio")
	}
	if err := fe.err(); err != nil {
		return nil, fmt.Errorf("access.Send(%s): %w", tenant, err)
	}
	var r *Referral
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var person uuid.UUID
		var err error
		if in.AccessID != nil {
			a, err := load(ctx, tx, *in.AccessID, v, false)
			if err != nil || a.State == Draft || a.PersonID == nil {
				return invalid("access_id", "accesso non trovato")
			}
			person, in.FromUnit = *a.PersonID, a.UnitID
		} else if person, err = s.caseToRefer(ctx, tx, tenant, &in, v); err != nil {
			return err
		}
		if in.FromUnit == uuid.Nil {
			return invalid("from_unit", "indicare l'unità che invia")
		}
		id, err := s.send(ctx, tx, tenant, in, person, v)
		if err != nil {
			return err
		}
		rs, err := referralsWhere(ctx, tx, `r.id = $1`, id)
		if err != nil {
			return err
		}
		r = &rs[0]
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("access.Send(%s): %w", tenant, err)
	}
	return r, nil
}

// caseToRefer returns the person of the case in is sent from, if v may read
// the case's content: knowing that a case exists (the intake operator) is not
// enough to send it elsewhere. The unit sending is the case's unit unless in
// names one.
func (s *Service) caseToRefer(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, in *NewReferral, v Viewer) (uuid.UUID, error) {
	_, err := casefile.ReadableAccess(ctx, s.cases, tx, tenant, *in.CaseID, casefile.Viewer{ID: v.ID, Email: v.Email, IP: v.IP, Perms: v.Perms},
		fmt.Errorf("%w: solo chi può leggere il caso può inviarlo", derrors.ErrForbidden))
	if errors.Is(err, derrors.ErrNotFound) {
		return uuid.Nil, invalid("case_id", "caso non trovato")
	}
	if err != nil {
		return uuid.Nil, err
	}
	var person, unit uuid.UUID
	if err := tx.QueryRow(ctx, `SELECT person_id, unit_id FROM cases WHERE id = $1`, in.CaseID).Scan(&person, &unit); err != nil {
		return uuid.Nil, err
	}
	if in.FromUnit == uuid.Nil {
		in.FromUnit = unit
	}
	return person, nil
}

// send writes a referral of person in tx. To another ente it writes two
// rows with the same id: the sender's ('sent') and, after switching the
// transaction to the receiving ente, the receiver's ('received'), which
// carries only the person's name and tax code and the reason; each ente's
// trail records its side. The transaction is switched back before returning.
func (s *Service) send(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, in NewReferral, person uuid.UUID, v Viewer) (uuid.UUID, error) {
	t := in.ReferralTo
	var fe fieldErrors
	t.check(&fe)
	if err := fe.err(); err != nil {
		return uuid.Nil, err
	}
	direction, label := "local", t.HealthService
	var targetUnit, targetTenant *uuid.UUID
	switch t.Kind {
	case "unit":
		targetUnit = t.UnitID
		if err := tx.QueryRow(ctx, `SELECT name FROM units WHERE id = $1`, t.UnitID).Scan(&label); errors.Is(err, pgx.ErrNoRows) {
			return uuid.Nil, invalid("target_unit", "unità non trovata")
		} else if err != nil {
			return uuid.Nil, err
		}
	case "ente":
		if *t.TenantID == tenant {
			return uuid.Nil, invalid("target_ente", "per inviare a un'unità dell'ente scegliere «unità»")
		}
		direction, targetTenant = "sent", t.TenantID
	}
	var name, taxCode, fromLabel, fromEnte string
	if err := tx.QueryRow(ctx, `SELECT p.last_name || ' ' || p.first_name, coalesce(p.tax_code, ''), u.name, t.name
		FROM people p, units u, tenants t WHERE p.id = $1 AND u.id = $2 AND t.id = $3`, person, in.FromUnit, tenant).
		Scan(&name, &taxCode, &fromLabel, &fromEnte); errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, invalid("from_unit", "unità non trovata")
	} else if err != nil {
		return uuid.Nil, err
	}
	id := uuid.New()
	if t.Kind == "ente" {
		// The receiver's row first, under its scope: an ente that does not
		// exist or is suspended is not there to see.
		if err := db.SwitchTenant(ctx, tx, *t.TenantID); err != nil {
			return uuid.Nil, err
		}
		err := tx.QueryRow(ctx, `SELECT name FROM tenants WHERE id = app_tenant() AND status = 'active'`).Scan(&label)
		if errors.Is(err, pgx.ErrNoRows) {
			_ = db.SwitchTenant(ctx, tx, tenant)
			return uuid.Nil, invalid("target_ente", "ente non trovato")
		}
		if err != nil {
			return uuid.Nil, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO referrals (tenant_id, id, direction, person_name, person_tax_code,
			from_tenant, from_label, target_kind, target_tenant, target_label, reason, sent_by)
			VALUES ($1, $2, 'received', $3, $4, $5, $6, 'ente', $1, $7, $8, $9)`,
			t.TenantID, id, name, taxCode, tenant, fromEnte+" — "+fromLabel, label, t.Reason, v.ID); err != nil {
			return uuid.Nil, err
		}
		if err := audit.Write(ctx, tx, *t.TenantID, referralEvent("referral.received", id, v,
			map[string]any{"from_ente": tenant.String()})); err != nil {
			return uuid.Nil, err
		}
		if err := db.SwitchTenant(ctx, tx, tenant); err != nil {
			return uuid.Nil, err
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO referrals (tenant_id, id, direction, access_id, case_id, person_id, person_name,
		person_tax_code, from_unit, from_label, target_kind, target_unit, target_tenant, target_label, reason, sent_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		tenant, id, direction, in.AccessID, in.CaseID, person, name, taxCode, in.FromUnit, fromLabel, t.Kind,
		targetUnit, targetTenant, label, t.Reason, v.ID); err != nil {
		return uuid.Nil, err
	}
	return id, audit.Write(ctx, tx, tenant, referralEvent("referral.sent", id, v,
		map[string]any{"target_kind": t.Kind, "target": label, "person": person.String()}))
}

// Answer accepts or refuses referral id, with a reason (required to refuse),
// and writes referral.answered. The receiving unit answers a referral to a
// unit; the receiving ente one between enti (its answer reaches the sender's
// row in the same transaction); the sender records the health service's
// answer.
func (s *Service) Answer(ctx context.Context, tenant, id uuid.UUID, accept bool, reason string, v Viewer) (*Referral, error) {
	if !accept && len([]rune(reason)) < 3 {
		return nil, fmt.Errorf("access.Answer(%s, %s): %w", tenant, id, invalid("reason", "indicare il motivo del rifiuto"))
	}
	state := "refused"
	if accept {
		state = "accepted"
	}
	var r *Referral
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var direction, kind, cur string
		var fromTenant *uuid.UUID
		var mine bool
		err := tx.QueryRow(ctx, `SELECT direction, target_kind, state, from_tenant,
			coalesce($2 OR (CASE WHEN target_kind = 'unit' THEN target_unit ELSE from_unit END) IN
				(SELECT unit_id FROM operator_units WHERE operator_id = $3) OR (target_kind = 'health_service' AND sent_by = $3), false)
			FROM referrals WHERE id = $1 FOR UPDATE`, id, v.Client, v.ID).Scan(&direction, &kind, &cur, &fromTenant, &mine)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return ErrReferralNotFound
		case err != nil:
			return err
		case direction == "sent":
			return ErrNotReceiver
		case direction == "local" && !mine:
			return ErrNotReceiver
		case cur != "sent":
			return ErrAnswered
		}
		const update = `UPDATE referrals SET state = $2, answer_reason = $3, answered_by = $4, answered_by_name = $5,
			answered_at = now() WHERE id = $1 AND direction = $6`
		if _, err := tx.Exec(ctx, update, id, state, reason, v.ID, v.Email, direction); err != nil {
			return err
		}
		details := map[string]any{"state": state, "reason": reason}
		if direction == "received" {
			if err := db.SwitchTenant(ctx, tx, *fromTenant); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, update, id, state, reason, v.ID, v.Email, "sent"); err != nil {
				return err
			}
			if err := audit.Write(ctx, tx, *fromTenant, referralEvent("referral.answered", id, v, details)); err != nil {
				return err
			}
			if err := db.SwitchTenant(ctx, tx, tenant); err != nil {
				return err
			}
		}
		if err := audit.Write(ctx, tx, tenant, referralEvent("referral.answered", id, v, details)); err != nil {
			return err
		}
		rs, err := referralsWhere(ctx, tx, `r.id = $1`, id)
		if err != nil {
			return err
		}
		r = &rs[0]
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("access.Answer(%s, %s): %w", tenant, id, err)
	}
	return r, nil
}

// Referrals lists the referrals the viewer's units received ("incoming":
// to their units, and every one from another ente) or sent ("outgoing"),
// newest first, and writes referral.listed.
func (s *Service) Referrals(ctx context.Context, tenant uuid.UUID, box string, v Viewer) ([]Referral, error) {
	var where string
	switch box {
	case "incoming":
		where = `(r.direction = 'received' OR (r.target_kind = 'unit' AND ($2 OR r.target_unit IN
			(SELECT unit_id FROM operator_units WHERE operator_id = $1))))`
	case "outgoing":
		where = `(r.direction <> 'received' AND ($2 OR r.sent_by = $1 OR r.from_unit IN
			(SELECT unit_id FROM operator_units WHERE operator_id = $1)))`
	default:
		return nil, fmt.Errorf("access.Referrals(%s, %q): %w", tenant, box, ErrReferralNotFound)
	}
	var out []Referral
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		if out, err = referralsWhere(ctx, tx, where, v.ID, v.Client); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "referral.listed", ActorID: v.ID, Actor: v.Email, IP: v.IP,
			ObjectType: "referral", Details: map[string]any{"box": box, "count": len(out)}})
	})
	if err != nil {
		return nil, fmt.Errorf("access.Referrals(%s, %q): %w", tenant, box, err)
	}
	return out, nil
}

// Referral returns referral id if the viewer sent or received it, and writes
// referral.viewed.
func (s *Service) Referral(ctx context.Context, tenant, id uuid.UUID, v Viewer) (*Referral, error) {
	var r *Referral
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rs, err := referralsWhere(ctx, tx, `r.id = $1`, id)
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			return ErrReferralNotFound
		}
		r = &rs[0]
		return audit.Write(ctx, tx, tenant, referralEvent("referral.viewed", id, v, nil))
	})
	if err != nil {
		return nil, fmt.Errorf("access.Referral(%s, %s): %w", tenant, id, err)
	}
	return r, nil
}

// referralsWhere reads the referrals matching where, newest first.
func referralsWhere(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]Referral, error) {
	rows, err := tx.Query(ctx, `SELECT r.id, r.direction, r.access_id, r.case_id, r.person_id, r.person_name, r.person_tax_code,
		r.from_unit, r.from_label, r.target_kind, r.target_unit, r.target_tenant, r.target_label, r.reason, r.state,
		r.answer_reason, r.answered_by_name, r.answered_at, r.sent_at
		FROM referrals r WHERE `+where+` ORDER BY r.sent_at DESC, r.id LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Referral, error) {
		var r Referral
		err := row.Scan(&r.ID, &r.Direction, &r.AccessID, &r.CaseID, &r.PersonID, &r.PersonName, &r.PersonTaxCode,
			&r.FromUnit, &r.From, &r.TargetKind, &r.TargetUnit, &r.TargetTenant, &r.Target, &r.Reason, &r.State,
			&r.AnswerReason, &r.AnsweredByName, &r.AnsweredAt, &r.SentAt)
		return r, err
	})
}
