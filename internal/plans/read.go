package plans

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
)

// Service is the plans of every ente's cases.
type Service struct {
	db    *db.DB
	cases Cases
	now   func() time.Time
}

// NewService returns the plans over d; cases decides who may read and write
// each case's.
func NewService(d *db.DB, cases Cases) *Service {
	return &Service{db: d, cases: cases, now: time.Now}
}

// today is the date in Rome.
func (s *Service) today() people.Date { return people.DateOf(s.now().In(rome)) }

// readable asks the case file what v may do with caseID: a case v may not
// know of is not found, one whose content v may not read is forbidden.
func (s *Service) readable(ctx context.Context, tx pgx.Tx, tenant, caseID uuid.UUID, v casefile.Viewer) (casefile.Access, error) {
	return casefile.ReadableAccess(ctx, s.cases, tx, tenant, caseID, v, ErrNoContent)
}

// List returns the case with the people who may be its plans' beneficiaries,
// and its plans, newest first, and writes plan.listed.
func (s *Service) List(ctx context.Context, tenant, caseID uuid.UUID, v casefile.Viewer) (*CaseInfo, []Plan, error) {
	var info *CaseInfo
	var out []Plan
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if _, err := s.readable(ctx, tx, tenant, caseID, v); err != nil {
			return err
		}
		var err error
		if info, err = caseInfo(ctx, tx, caseID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id FROM plans WHERE case_id = $1 ORDER BY created_at DESC, id`, caseID)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		if err != nil {
			return err
		}
		for _, id := range ids {
			p, err := load(ctx, tx, id)
			if err != nil {
				return err
			}
			out = append(out, *p)
		}
		return audit.Write(ctx, tx, tenant, event("plan.listed", caseID, v, map[string]any{"count": len(out)}))
	})
	if err != nil {
		return nil, nil, fmt.Errorf("plans.List(%s, case %s): %w", tenant, caseID, err)
	}
	return info, out, nil
}

// Get returns a plan, found by its id alone, with the people who may be its
// beneficiaries, and writes plan.viewed (action names another reading, such
// as plan.printed).
func (s *Service) Get(ctx context.Context, tenant, id uuid.UUID, action string, v casefile.Viewer) (*Plan, *CaseInfo, error) {
	if action == "" {
		action = "plan.viewed"
	}
	var p *Plan
	var info *CaseInfo
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		if p, _, err = s.visible(ctx, tx, tenant, id, v); err != nil {
			return err
		}
		if info, err = caseInfo(ctx, tx, p.CaseID); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event(action, p.CaseID, v, map[string]any{"plan_id": id.String()}))
	})
	if err != nil {
		return nil, nil, fmt.Errorf("plans.Get(%s, %s): %w", tenant, id, err)
	}
	return p, info, nil
}

// visible loads plan id if v may read its case.
func (s *Service) visible(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, v casefile.Viewer) (*Plan, casefile.Access, error) {
	var caseID uuid.UUID
	err := tx.QueryRow(ctx, `SELECT case_id FROM plans WHERE id = $1`, id).Scan(&caseID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, casefile.Access{}, ErrNotFound
	}
	if err != nil {
		return nil, casefile.Access{}, err
	}
	acc, err := s.readable(ctx, tx, tenant, caseID, v)
	if errors.Is(err, derrors.ErrNotFound) {
		return nil, acc, ErrNotFound
	}
	if err != nil {
		return nil, acc, err
	}
	p, err := load(ctx, tx, id)
	return p, acc, err
}

// DueReviews returns the active plans whose next review is on or before
// until, of the cases v may read, soonest first: the operator's home lists
// them, and the caseload counts them per operator and unit. It writes one
// plan.due_listed event.
func (s *Service) DueReviews(ctx context.Context, tenant uuid.UUID, v casefile.Viewer, until time.Time) ([]Due, error) {
	var out []Due
	today := s.today()
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT pl.id, c.id, c.number, p.last_name || ' ' || p.first_name, c.unit_id, c.responsible_id, pl.next_review_on
			FROM plans pl JOIN cases c ON c.tenant_id = pl.tenant_id AND c.id = pl.case_id
			JOIN people p ON p.tenant_id = c.tenant_id AND p.id = c.person_id
			WHERE pl.state = 'active' AND pl.next_review_on <= $1
			ORDER BY pl.next_review_on, c.number`, people.DateOf(until).Time())
		if err != nil {
			return err
		}
		var all []Due
		for rows.Next() {
			var d Due
			var on time.Time
			if err := rows.Scan(&d.PlanID, &d.CaseID, &d.CaseNumber, &d.PersonName, &d.UnitID, &d.ResponsibleID, &on); err != nil {
				rows.Close()
				return err
			}
			d.NextReviewOn = people.DateOf(on)
			d.Overdue = on.Before(today.Time())
			all = append(all, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// The case file decides who sees which case; there are few due
		// plans, so each is asked.
		for _, d := range all {
			acc, err := s.cases.AccessTo(ctx, tx, tenant, d.CaseID, v)
			if errors.Is(err, derrors.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if acc.Content {
				out = append(out, d)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "plan.due_listed", ActorID: v.ID, Actor: v.Email, IP: v.IP,
			ObjectType: "plan", Details: map[string]any{"count": len(out), "until": people.DateOf(until).String()}})
	})
	if err != nil {
		return nil, fmt.Errorf("plans.DueReviews(%s): %w", tenant, err)
	}
	return out, nil
}

// caseInfo reads the case's number, person and the members of the person's
// households (the case's own, and those the person belongs to now).
func caseInfo(ctx context.Context, tx pgx.Tx, caseID uuid.UUID) (*CaseInfo, error) {
	info := CaseInfo{CaseID: caseID}
	err := tx.QueryRow(ctx, `SELECT c.number, p.id, p.last_name || ' ' || p.first_name
		FROM cases c JOIN people p ON p.tenant_id = c.tenant_id AND p.id = c.person_id WHERE c.id = $1`, caseID).
		Scan(&info.CaseNumber, &info.PersonID, &info.PersonName)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT p.id, p.last_name || ' ' || p.first_name, p.id = c.person_id
		FROM cases c JOIN people p ON p.tenant_id = c.tenant_id
		WHERE c.id = $1 AND (p.id = c.person_id OR p.id IN (
			SELECT m.person_id FROM household_members m
			WHERE m.ended_at IS NULL AND (m.valid_to IS NULL OR m.valid_to >= current_date)
				AND (m.household_id = c.household_id OR m.household_id IN (
					SELECT m2.household_id FROM household_members m2
					WHERE m2.person_id = c.person_id AND m2.ended_at IS NULL AND (m2.valid_to IS NULL OR m2.valid_to >= current_date)))))
		ORDER BY p.id <> c.person_id, p.last_name, p.first_name`, caseID)
	if err != nil {
		return nil, err
	}
	info.Candidates, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Candidate, error) {
		var c Candidate
		err := r.Scan(&c.PersonID, &c.Name, &c.Self)
		return c, err
	})
	if err != nil {
		return nil, err
	}
	return &info, nil
}

// load reads a plan with its goals, beneficiaries and reviews.
func load(ctx context.Context, tx pgx.Tx, id uuid.UUID) (*Plan, error) {
	p := Plan{ID: id}
	var next, consentOn *time.Time
	err := tx.QueryRow(ctx, `SELECT pl.case_id, c.number, c.person_id, pe.last_name || ' ' || pe.first_name, pl.state,
			pl.review_months, pl.next_review_on, pl.consent_by, pl.consent_on, pl.consent_signed, pl.activated_at,
			pl.closed_at, pl.close_reason, pl.created_by, pl.created_at, pl.updated_at
		FROM plans pl JOIN cases c ON c.tenant_id = pl.tenant_id AND c.id = pl.case_id
		JOIN people pe ON pe.tenant_id = c.tenant_id AND pe.id = c.person_id
		WHERE pl.id = $1`, id).Scan(&p.CaseID, &p.CaseNumber, &p.PersonID, &p.PersonName, &p.State, &p.ReviewMonths, &next,
		&p.Consent.By, &consentOn, &p.Consent.Signed, &p.ActivatedAt, &p.ClosedAt, &p.CloseReason, &p.CreatedBy,
		&p.CreatedAt, &p.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	p.NextReviewOn, p.Consent.On = dateOf(next), dateOf(consentOn)
	rows, err := tx.Query(ctx, `SELECT id, text, horizon, coalesce(outcome, '') FROM plan_goals
		WHERE plan_id = $1 AND removed_at IS NULL ORDER BY position`, id)
	if err != nil {
		return nil, err
	}
	if p.Goals, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Goal]); err != nil {
		return nil, err
	}
	rows, err = tx.Query(ctx, `SELECT b.person_id, p.last_name || ' ' || p.first_name FROM plan_beneficiaries b
		JOIN people p ON p.tenant_id = b.tenant_id AND p.id = b.person_id WHERE b.plan_id = $1 ORDER BY p.last_name, p.first_name`, id)
	if err != nil {
		return nil, err
	}
	if p.Beneficiaries, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Beneficiary]); err != nil {
		return nil, err
	}
	rows, err = tx.Query(ctx, `SELECT r.seq, r.reviewed_on, r.notes, r.outcomes, r.next_review_on, r.author_id,
			coalesce(o.name, ''), r.created_at
		FROM plan_reviews r LEFT JOIN operators o ON o.id = r.author_id WHERE r.plan_id = $1 ORDER BY r.seq`, id)
	if err != nil {
		return nil, err
	}
	p.Reviews, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Review, error) {
		var r Review
		var on time.Time
		var nextOn *time.Time
		var outcomes []byte
		if err := row.Scan(&r.Seq, &on, &r.Notes, &outcomes, &nextOn, &r.AuthorID, &r.AuthorName, &r.CreatedAt); err != nil {
			return r, err
		}
		r.ReviewedOn, r.NextReviewOn = people.DateOf(on), dateOf(nextOn)
		return r, json.Unmarshal(outcomes, &r.Outcomes)
	})
	if err != nil {
		return nil, err
	}
	if p.Goals == nil {
		p.Goals = []Goal{}
	}
	if p.Beneficiaries == nil {
		p.Beneficiaries = []Beneficiary{}
	}
	if p.Reviews == nil {
		p.Reviews = []Review{}
	}
	return &p, nil
}

// dateOf is the date of t, or the zero date.
func dateOf(t *time.Time) people.Date {
	if t == nil {
		return people.Date{}
	}
	return people.DateOf(*t)
}

// event is an audit event about a case's plans: the object is the case, so
// that "who looked at this case" lists them too.
func event(action string, caseID uuid.UUID, v casefile.Viewer, details map[string]any) audit.Event {
	return audit.Event{Action: action, ActorID: v.ID, Actor: v.Email, IP: v.IP,
		ObjectType: "case", ObjectID: caseID.String(), Details: details}
}

// rome is the time zone "today" is taken in.
var rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return l
}()
