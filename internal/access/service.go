package access

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/people"
)

// Service is the ente's intake over the database.
type Service struct {
	db    *db.DB
	cases *casefile.Service
	now   func() time.Time
}

// NewService returns the intake over d; cases opens the cases that accesses
// propose. It registers with ppl the merge hook that moves a merged person's
// accesses and referrals to the kept record.
func NewService(d *db.DB, ppl *people.Service, cases *casefile.Service) *Service {
	s := &Service{db: d, cases: cases, now: time.Now}
	ppl.OnMerge(s.mergePeople)
	return s
}

// mergePeople is the registry's merge hook: the accesses and referrals of the
// person merged away become the kept person's, in the merge's transaction.
func (s *Service) mergePeople(ctx context.Context, tx pgx.Tx, tenant, keep, drop uuid.UUID) error {
	for _, table := range []string{"accesses", "referrals"} {
		if _, err := tx.Exec(ctx, `UPDATE `+table+` SET person_id = $2 WHERE tenant_id = $1 AND person_id = $3`, tenant, keep, drop); err != nil {
			return fmt.Errorf("access: merge %s into %s: %w", drop, keep, err)
		}
	}
	return nil
}

// rome is the time zone days are taken in.
var rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return l
}()

func dateOf(t time.Time) people.Date { return people.DateOf(t.In(rome)) }

// event is an audit event about an access.
func event(action string, id uuid.UUID, v Viewer, details map[string]any) audit.Event {
	return audit.Event{Action: action, ActorID: v.ID, Actor: v.Email, IP: v.IP,
		ObjectType: "access", ObjectID: id.String(), Details: details}
}

// visibleSQL is the condition under which viewer $2 sees access a: their
// own, one of their units', or one referred to one of their units; drafts
// only their author. $3 is true for API clients, which see the whole ente.
const visibleSQL = `(a.operator_id = $2 OR (a.state <> 'draft' AND ($3
	OR a.unit_id IN (SELECT unit_id FROM operator_units WHERE operator_id = $2)
	OR EXISTS (SELECT 1 FROM referrals r WHERE r.tenant_id = a.tenant_id AND r.access_id = a.id
		AND r.target_unit IN (SELECT unit_id FROM operator_units WHERE operator_id = $2)))))`

const accessColumns = `a.id, a.unit_id, u.name, a.operator_id, a.state, a.step, a.occurred_at, coalesce(a.channel, ''),
	coalesce(a.interlocutor, ''), a.interlocutor_name, a.interlocutor_contact, coalesce(a.reason, ''), a.sent_by,
	a.person_id, coalesce(p.last_name || ' ' || p.first_name, ''), a.reference_name, a.reference_relationship,
	a.reference_contact, a.needs, a.services, coalesce(a.outcome, ''), a.outcome_notes, a.proposal_unit, a.proposal_area,
	a.referral, a.consent_given, a.consent_scope, a.consent_on, a.case_id, a.state_reason, a.created_at`

const accessFrom = ` FROM accesses a JOIN units u ON u.tenant_id = a.tenant_id AND u.id = a.unit_id
	LEFT JOIN people p ON p.tenant_id = a.tenant_id AND p.id = a.person_id`

// load reads access id as v may see it; forUpdate locks it.
func load(ctx context.Context, tx pgx.Tx, id uuid.UUID, v Viewer, forUpdate bool) (*Access, error) {
	q := `SELECT ` + accessColumns + accessFrom + ` WHERE a.id = $1 AND ` + visibleSQL
	if forUpdate {
		q += ` FOR UPDATE OF a`
	}
	var a Access
	var consentOn *time.Time
	err := tx.QueryRow(ctx, q, id, v.ID, v.Client).Scan(&a.ID, &a.UnitID, &a.UnitName, &a.OperatorID, &a.State, &a.Step,
		&a.OccurredAt, &a.Channel, &a.Interlocutor, &a.InterlocutorName, &a.InterlocutorContact, &a.Reason, &a.SentBy,
		&a.PersonID, &a.PersonName, &a.ReferenceName, &a.ReferenceRelationship, &a.ReferenceContact, &a.Needs, &a.Services,
		&a.Outcome, &a.OutcomeNotes, &a.ProposalUnit, &a.ProposalArea, &a.referral, &a.Consent.Given, &a.Consent.Scope,
		&consentOn, &a.CaseID, &a.StateReason, &a.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if consentOn != nil {
		a.Consent.On = people.DateOf(*consentOn)
	}
	if a.State == Draft {
		a.Referrals = []Referral{}
	} else if a.Referrals, err = referralsWhere(ctx, tx, `r.access_id = $1`, id); err != nil {
		return nil, err
	}
	return &a, nil
}

// input is the access's fields as the wizard saved them.
func (a *Access) input() Input {
	in := Input{UnitID: a.UnitID, OccurredAt: a.OccurredAt, Channel: a.Channel, Interlocutor: a.Interlocutor,
		InterlocutorName: a.InterlocutorName, InterlocutorContact: a.InterlocutorContact, Reason: a.Reason, SentBy: a.SentBy,
		Consent: a.Consent, ReferenceName: a.ReferenceName, ReferenceRelationship: a.ReferenceRelationship,
		ReferenceContact: a.ReferenceContact, Needs: a.Needs, Services: a.Services, Outcome: a.Outcome,
		OutcomeNotes: a.OutcomeNotes, ProposalUnit: a.ProposalUnit, ProposalArea: a.ProposalArea, Referral: a.referral}
	if a.PersonID != nil {
		in.PersonID = *a.PersonID
	}
	return in
}

// Input is the fields of a draft, to refill the wizard's forms.
func (a *Access) Input() Input { return a.input() }
