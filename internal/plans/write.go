package plans

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
)

// writable refuses a viewer who may not write the case's plans.
func writable(acc casefile.Access, v casefile.Viewer) error {
	if !acc.Write || !v.Perms[authz.PermPlansWrite] {
		return ErrNoWrite
	}
	return nil
}

// Create writes a new draft plan on the case, and plan.created, all or
// nothing.
func (s *Service) Create(ctx context.Context, tenant, caseID uuid.UUID, in Input, v casefile.Viewer) (*Plan, error) {
	var p *Plan
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		acc, err := s.readable(ctx, tx, tenant, caseID, v)
		if err != nil {
			return err
		}
		if err := writable(acc, v); err != nil {
			return err
		}
		info, err := caseInfo(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if len(in.Beneficiaries) == 0 {
			in.Beneficiaries = []uuid.UUID{info.PersonID}
		}
		if in.ReviewMonths == 0 {
			in.ReviewMonths = defaultMonths
		}
		fe := checkMonths(in.ReviewMonths)
		fe = append(fe, checkGoals(in.Goals, nil)...)
		fe = append(fe, checkBeneficiaries(in.Beneficiaries, info)...)
		fe = append(fe, checkConsent(&in.Consent, s.today())...)
		if len(fe) > 0 {
			return &derrors.Invalid{Fields: fe}
		}
		var id uuid.UUID
		if err := tx.QueryRow(ctx, `INSERT INTO plans (tenant_id, case_id, review_months, next_review_on, consent_by, consent_on,
				consent_signed, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			tenant, caseID, in.ReviewMonths, nullDate(in.NextReviewOn), in.Consent.By, nullDate(in.Consent.On), in.Consent.Signed,
			v.ID).Scan(&id); err != nil {
			return err
		}
		if err := saveGoals(ctx, tx, tenant, id, in.Goals); err != nil {
			return err
		}
		if err := saveBeneficiaries(ctx, tx, tenant, id, in.Beneficiaries); err != nil {
			return err
		}
		if p, err = load(ctx, tx, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("plan.created", caseID, v, map[string]any{"plan_id": id.String(), "goals": len(p.Goals)}))
	})
	if err != nil {
		return nil, fmt.Errorf("plans.Create(%s, case %s): %w", tenant, caseID, err)
	}
	return p, nil
}

// Update changes a plan and moves its state, and writes plan.updated (and
// plan.activated or plan.closed), all or nothing. A closed plan does not
// change; a plan becomes active with at least one goal and the consent signed
// (its next review, when not set, is the interval from today); it closes
// with a reason.
func (s *Service) Update(ctx context.Context, tenant, id uuid.UUID, in Patch, v casefile.Viewer) (*Plan, error) {
	var p *Plan
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 12))`, id.String()); err != nil {
			return err
		}
		cur, acc, err := s.visible(ctx, tx, tenant, id, v)
		if err != nil {
			return err
		}
		if err := writable(acc, v); err != nil {
			return err
		}
		if cur.State == Closed {
			return ErrClosed
		}
		info, err := caseInfo(ctx, tx, cur.CaseID)
		if err != nil {
			return err
		}
		today := s.today()
		months, next, consent := cur.ReviewMonths, cur.NextReviewOn, cur.Consent
		var fe []FieldError
		if in.ReviewMonths != nil {
			months = *in.ReviewMonths
			fe = append(fe, checkMonths(months)...)
		}
		if in.NextReviewOn != nil {
			next = *in.NextReviewOn
		}
		goals := len(cur.Goals)
		if in.Goals != nil {
			fe = append(fe, checkGoals(*in.Goals, cur.Goals)...)
			goals = len(*in.Goals)
		}
		if in.Beneficiaries != nil {
			fe = append(fe, checkBeneficiaries(*in.Beneficiaries, info)...)
		}
		if in.Consent != nil {
			consent = *in.Consent
			fe = append(fe, checkConsent(&consent, today)...)
		}
		state, reason := cur.State, strings.TrimSpace(in.CloseReason)
		if in.State != nil && *in.State != cur.State {
			state = *in.State
			switch {
			case cur.State == Draft && state == Active:
				if !consent.Signed {
					fe = append(fe, FieldError{Field: "consent.signed", Message: "per attivare il piano serve il consenso firmato"})
				}
				if goals == 0 {
					fe = append(fe, FieldError{Field: "goals", Message: "per attivare il piano serve almeno un obiettivo"})
				}
				if next.IsZero() {
					next = addMonths(today, months)
				}
			case cur.State == Active && state == Closed:
				if reason == "" {
					fe = append(fe, FieldError{Field: "close_reason", Message: "indicare il motivo della chiusura"})
				} else if len([]rune(reason)) > maxReason {
					fe = append(fe, FieldError{Field: "close_reason", Message: fmt.Sprintf("al massimo %d caratteri", maxReason)})
				}
			case slices.Contains([]string{Draft, Active, Closed}, state):
				return fmt.Errorf("%w: un piano in stato %s non passa a %s", derrors.ErrConflict, cur.State, state)
			default:
				fe = append(fe, FieldError{Field: "state", Message: "stato non previsto"})
			}
		}
		if len(fe) > 0 {
			return &derrors.Invalid{Fields: fe}
		}
		if _, err := tx.Exec(ctx, `UPDATE plans SET review_months = $2, next_review_on = $3, consent_by = $4, consent_on = $5,
				consent_signed = $6, state = $7,
				activated_at = CASE WHEN $7 = 'active' AND activated_at IS NULL THEN now() ELSE activated_at END,
				closed_at = CASE WHEN $7 = 'closed' THEN now() END,
				close_reason = CASE WHEN $7 = 'closed' THEN $8 ELSE '' END,
				updated_at = now(), version = version + 1
			WHERE id = $1`, id, months, nullDate(next), consent.By, nullDate(consent.On), consent.Signed, state, reason); err != nil {
			return err
		}
		if in.Goals != nil {
			if err := saveGoals(ctx, tx, tenant, id, *in.Goals); err != nil {
				return err
			}
		}
		if in.Beneficiaries != nil {
			if err := saveBeneficiaries(ctx, tx, tenant, id, *in.Beneficiaries); err != nil {
				return err
			}
		}
		if p, err = load(ctx, tx, id); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, tenant, event("plan.updated", cur.CaseID, v, map[string]any{"plan_id": id.String()})); err != nil {
			return err
		}
		if state != cur.State {
			details := map[string]any{"plan_id": id.String(), "from": cur.State}
			if state == Closed {
				details["reason"] = reason
			}
			return audit.Write(ctx, tx, tenant, event("plan."+map[string]string{Active: "activated", Closed: "closed"}[state], cur.CaseID, v, details))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("plans.Update(%s, %s): %w", tenant, id, err)
	}
	return p, nil
}

// AddReview records a review of an active plan: the outcomes it gives to
// goals become theirs, and its next review date the plan's; plan.reviewed is
// written, all or nothing.
func (s *Service) AddReview(ctx context.Context, tenant, id uuid.UUID, in ReviewInput, v casefile.Viewer) (*Plan, error) {
	var p *Plan
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 12))`, id.String()); err != nil {
			return err
		}
		cur, acc, err := s.visible(ctx, tx, tenant, id, v)
		if err != nil {
			return err
		}
		if err := writable(acc, v); err != nil {
			return err
		}
		if cur.State != Active {
			return ErrNotActive
		}
		if fe := in.check(s.today(), cur); len(fe) > 0 {
			return &derrors.Invalid{Fields: fe}
		}
		outcomes, err := json.Marshal(in.Outcomes)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO plan_reviews (tenant_id, plan_id, seq, reviewed_on, notes, outcomes, next_review_on, author_id)
			VALUES ($1, $2, (SELECT coalesce(max(seq), 0) + 1 FROM plan_reviews WHERE plan_id = $2), $3, $4, $5, $6, $7)`,
			tenant, id, in.ReviewedOn.Time(), in.Notes, outcomes, in.NextReviewOn.Time(), v.ID); err != nil {
			return err
		}
		for goal, o := range in.Outcomes {
			if _, err := tx.Exec(ctx, `UPDATE plan_goals SET outcome = $3 WHERE plan_id = $1 AND id = $2`, id, goal, o); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE plans SET next_review_on = $2, updated_at = now(), version = version + 1 WHERE id = $1`,
			id, in.NextReviewOn.Time()); err != nil {
			return err
		}
		if p, err = load(ctx, tx, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("plan.reviewed", cur.CaseID, v, map[string]any{
			"plan_id": id.String(), "seq": len(p.Reviews), "next_review_on": in.NextReviewOn.String()}))
	})
	if err != nil {
		return nil, fmt.Errorf("plans.AddReview(%s, %s): %w", tenant, id, err)
	}
	return p, nil
}

// check trims the review and returns the errors of its fields; a zero date
// is today, a zero next review the date plus the plan's interval.
func (in *ReviewInput) check(today people.Date, p *Plan) []FieldError {
	var fe []FieldError
	switch {
	case in.ReviewedOn.IsZero():
		in.ReviewedOn = today
	case in.ReviewedOn.Time().After(today.Time()):
		fe = append(fe, FieldError{Field: "reviewed_on", Message: "la data non può essere nel futuro"})
	case in.ReviewedOn.Year < 1900:
		fe = append(fe, FieldError{Field: "reviewed_on", Message: "data non valida"})
	}
	in.Notes = strings.TrimSpace(in.Notes)
	if len([]rune(in.Notes)) > maxNotes {
		fe = append(fe, FieldError{Field: "notes", Message: fmt.Sprintf("il testo è troppo lungo (al massimo %d caratteri)", maxNotes)})
	}
	clean := map[uuid.UUID]string{}
	for _, g := range p.Goals {
		o, ok := in.Outcomes[g.ID]
		switch {
		case !ok || o == "":
		case !slices.Contains(Outcomes, o):
			fe = append(fe, FieldError{Field: "outcomes." + g.ID.String(), Message: "esito non previsto"})
		default:
			clean[g.ID] = o
		}
	}
	for goal := range in.Outcomes {
		if !slices.ContainsFunc(p.Goals, func(g Goal) bool { return g.ID == goal }) {
			fe = append(fe, FieldError{Field: "outcomes." + goal.String(), Message: "obiettivo non presente nel piano"})
		}
	}
	in.Outcomes = clean
	if in.NextReviewOn.IsZero() {
		in.NextReviewOn = addMonths(in.ReviewedOn, p.ReviewMonths)
	} else if !in.NextReviewOn.Time().After(in.ReviewedOn.Time()) {
		fe = append(fe, FieldError{Field: "next_review_on", Message: "la prossima verifica va fissata dopo questa"})
	}
	return fe
}

// checkMonths checks a review interval.
func checkMonths(n int) []FieldError {
	if n < 1 || n > maxReviewGap {
		return []FieldError{{Field: "review_months", Message: fmt.Sprintf("indicare un intervallo da 1 a %d mesi", maxReviewGap)}}
	}
	return nil
}

// checkGoals trims the goals and checks them; existing are the plan's goals,
// which the ids given must be among.
func checkGoals(goals []GoalInput, existing []Goal) []FieldError {
	var fe []FieldError
	if len(goals) == 0 {
		return []FieldError{{Field: "goals", Message: "indicare almeno un obiettivo"}}
	}
	if len(goals) > maxGoals {
		return []FieldError{{Field: "goals", Message: fmt.Sprintf("al massimo %d obiettivi", maxGoals)}}
	}
	for i := range goals {
		g := &goals[i]
		name := fmt.Sprintf("goals.%d.", i)
		g.Text = strings.TrimSpace(g.Text)
		switch n := len([]rune(g.Text)); {
		case n == 0:
			fe = append(fe, FieldError{Field: name + "text", Message: "descrivere l'obiettivo"})
		case n > maxGoalText:
			fe = append(fe, FieldError{Field: name + "text", Message: fmt.Sprintf("al massimo %d caratteri", maxGoalText)})
		}
		if !slices.Contains(Horizons, g.Horizon) {
			fe = append(fe, FieldError{Field: name + "horizon", Message: "scegliere l'orizzonte dell'obiettivo"})
		}
		if g.ID != uuid.Nil && !slices.ContainsFunc(existing, func(e Goal) bool { return e.ID == g.ID }) {
			fe = append(fe, FieldError{Field: name + "id", Message: "obiettivo non presente nel piano"})
		}
	}
	return fe
}

// checkBeneficiaries accepts the case's person and the members of their
// household.
func checkBeneficiaries(ids []uuid.UUID, info *CaseInfo) []FieldError {
	if len(ids) == 0 {
		return []FieldError{{Field: "beneficiaries", Message: "indicare almeno un beneficiario"}}
	}
	for _, id := range ids {
		if !slices.ContainsFunc(info.Candidates, func(c Candidate) bool { return c.PersonID == id }) {
			return []FieldError{{Field: "beneficiaries", Message: "un beneficiario non è la persona del caso né un componente del suo nucleo"}}
		}
	}
	return nil
}

// checkConsent trims the consent and checks it: a signed consent says who
// signed and when.
func checkConsent(c *Consent, today people.Date) []FieldError {
	var fe []FieldError
	c.By = strings.TrimSpace(c.By)
	if len([]rune(c.By)) > maxConsentBy {
		fe = append(fe, FieldError{Field: "consent.by", Message: fmt.Sprintf("al massimo %d caratteri", maxConsentBy)})
	}
	if c.Signed && c.By == "" {
		fe = append(fe, FieldError{Field: "consent.by", Message: "indicare chi ha firmato il consenso"})
	}
	switch {
	case c.Signed && c.On.IsZero():
		fe = append(fe, FieldError{Field: "consent.on", Message: "indicare la data del consenso"})
	case !c.On.IsZero() && c.On.Time().After(today.Time()):
		fe = append(fe, FieldError{Field: "consent.on", Message: "la data non può essere nel futuro"})
	}
	return fe
}

// saveGoals makes goals the plan's, in order: goals with an id are updated,
// new ones added, and those left out taken out (their rows stay).
func saveGoals(ctx context.Context, tx pgx.Tx, tenant, plan uuid.UUID, goals []GoalInput) error {
	keep := make([]uuid.UUID, 0, len(goals))
	for _, g := range goals {
		if g.ID != uuid.Nil {
			keep = append(keep, g.ID)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE plan_goals SET removed_at = now() WHERE plan_id = $1 AND removed_at IS NULL AND NOT id = ANY($2)`,
		plan, keep); err != nil {
		return err
	}
	for i, g := range goals {
		var err error
		if g.ID == uuid.Nil {
			_, err = tx.Exec(ctx, `INSERT INTO plan_goals (tenant_id, plan_id, position, text, horizon) VALUES ($1, $2, $3, $4, $5)`,
				tenant, plan, i+1, g.Text, g.Horizon)
		} else {
			_, err = tx.Exec(ctx, `UPDATE plan_goals SET position = $3, text = $4, horizon = $5 WHERE plan_id = $1 AND id = $2`,
				plan, g.ID, i+1, g.Text, g.Horizon)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// saveBeneficiaries makes ids the plan's beneficiaries.
func saveBeneficiaries(ctx context.Context, tx pgx.Tx, tenant, plan uuid.UUID, ids []uuid.UUID) error {
	if _, err := tx.Exec(ctx, `DELETE FROM plan_beneficiaries WHERE plan_id = $1 AND NOT person_id = ANY($2)`, plan, ids); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO plan_beneficiaries (tenant_id, plan_id, person_id) SELECT $1, $2, unnest($3::uuid[])
		ON CONFLICT DO NOTHING`, tenant, plan, ids)
	return err
}

// addMonths is d plus n months, on the month's last day when d's day does
// not exist there.
func addMonths(d people.Date, n int) people.Date {
	first := time.Date(d.Year, d.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return people.Date{Year: first.Year(), Month: first.Month(), Day: min(d.Day, last)}
}

// nullDate is d as a date parameter, NULL when zero.
func nullDate(d people.Date) *time.Time {
	if d.IsZero() {
		return nil
	}
	t := d.Time()
	return &t
}
