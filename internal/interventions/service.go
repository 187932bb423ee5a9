package interventions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
)

// Service is the interventions of every ente.
type Service struct {
	db    *db.DB
	cases Cases
	now   func() time.Time
	hook  EventHook // told of each event (hook.go)
}

// NewService returns the interventions over d; cases decides who may see the
// case each intervention belongs to.
func NewService(d *db.DB, cases Cases) *Service {
	return &Service{db: d, cases: cases, now: time.Now}
}

// rome is the time zone of the ente's calendar days.
var rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return l
}()

// today is the ente's calendar day now.
func (s *Service) today() people.Date { return people.DateOf(s.now().In(rome)) }

// MaxList is the most interventions List returns at once.
const MaxList = 500

// View is one intervention as its page shows it: the intervention, its
// history, what it lacks to become active, and what the viewer may do now.
type View struct {
	Intervention
	Events []Event `json:"events"`
	// Missing is what activation lacks, while the intervention is not yet
	// active (or is suspended); empty otherwise.
	Missing []derrors.FieldError `json:"missing_for_activation"`
	// Moves are the moves the viewer may make from the current state.
	Moves      []Transition `json:"-"`
	CanEdit    bool         `json:"-"`
	CanDeliver bool         `json:"-"`
}

// canSee reports whether v may see the interventions of caseID: holders of
// interventions:deliver see every intervention of the ente (reserved cases
// included: the administrative office pays and reports them, and sees only
// administrative data); the others need interventions:read and the case's
// content (casefile Access.Content, which hides reserved cases from those
// without reserved access). The access is returned for the case's operators.
func (s *Service) canSee(ctx context.Context, tx pgx.Tx, tenant, caseID uuid.UUID, v casefile.Viewer) (casefile.Access, bool, error) {
	if !v.Perms[authz.PermInterventionsRead] {
		return casefile.Access{}, false, nil
	}
	acc, err := s.cases.AccessTo(ctx, tx, tenant, caseID, v)
	switch {
	case errors.Is(err, derrors.ErrNotFound):
		acc, err = casefile.Access{}, nil
	case err != nil:
		return acc, false, err
	}
	return acc, v.Perms[authz.PermInterventionsDeliver] || acc.Content, nil
}

// visible reads intervention id if v may see it (ErrNotFound otherwise).
func (s *Service) visible(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, v casefile.Viewer, lock bool) (*Intervention, casefile.Access, error) {
	if !v.Perms[authz.PermInterventionsRead] {
		return nil, casefile.Access{}, ErrNoRead
	}
	it, err := intervention(ctx, tx, id, lock)
	if err != nil {
		return nil, casefile.Access{}, err
	}
	acc, ok, err := s.canSee(ctx, tx, tenant, it.CaseID, v)
	if err != nil {
		return nil, acc, err
	}
	if !ok {
		return nil, acc, ErrNotFound
	}
	return it, acc, nil
}

// mayEdit reports whether v may edit it: the administrative office while it
// is not over, the case's operators (with the right to write on the case and
// to request or authorise interventions) until it becomes active.
func mayEdit(it *Intervention, acc casefile.Access, v casefile.Viewer) bool {
	if Terminal(it.State) {
		return false
	}
	if v.Perms[authz.PermInterventionsDeliver] {
		return true
	}
	early := it.State == StateRequested || it.State == StateApproved || it.State == StateRanked
	return early && acc.Content && acc.Write && (v.Perms[authz.PermInterventionsRequest] || v.Perms[authz.PermInterventionsAuthorise])
}

// Get returns intervention id with its history and what v may do with it,
// and writes intervention.viewed.
func (s *Service) Get(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) (*View, error) {
	var out *View
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		it, acc, err := s.visible(ctx, tx, tenant, id, v, false)
		if err != nil {
			return err
		}
		out = &View{Intervention: *it, Moves: Allowed(it.State, v.Perms), CanEdit: mayEdit(it, acc, v),
			CanDeliver: v.Perms[authz.PermInterventionsDeliver] && (it.State == StateActive || it.State == StateClosed)}
		if out.Events, err = events(ctx, tx, id); err != nil {
			return err
		}
		if !Terminal(it.State) && it.State != StateActive {
			e, err := entry(ctx, tx, it.CatalogEntryID)
			if err != nil {
				return err
			}
			out.Missing = Missing(it, e)
		}
		if out.Missing == nil {
			out.Missing = []derrors.FieldError{}
		}
		return audit.Write(ctx, tx, tenant, event("intervention.viewed", it, v, nil))
	})
	if err != nil {
		return nil, fmt.Errorf("interventions.Get(%s, %s): %w", tenant, id, err)
	}
	return out, nil
}

// List returns the interventions matching f that v may see, newest first (at
// most MaxList), and writes intervention.listed.
func (s *Service) List(ctx context.Context, tenant uuid.UUID, f Filter, v casefile.Viewer) ([]Intervention, error) {
	if !v.Perms[authz.PermInterventionsRead] {
		return nil, fmt.Errorf("interventions.List(%s): %w", tenant, ErrNoRead)
	}
	var out []Intervention
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if f.CaseID != uuid.Nil {
			if _, ok, err := s.canSee(ctx, tx, tenant, f.CaseID, v); err != nil || !ok {
				if err == nil {
					err = casefile.ErrCaseNotFound
				}
				return err
			}
		}
		if f.State != "" && !validState(f.State) {
			return &derrors.Invalid{Fields: []derrors.FieldError{{Field: "state", Message: "stato sconosciuto"}}}
		}
		all, err := interventionsWhere(ctx, tx, `($1::uuid IS NULL OR i.case_id = $1) AND ($2 = '' OR i.state = $2)
			AND ($3::uuid IS NULL OR i.catalog_entry_id = $3) AND ($4::uuid IS NULL OR c.unit_id = $4)
			AND ($5::uuid IS NULL OR c.responsible_id = $5)`,
			nilUUID(f.CaseID), f.State, nilUUID(f.CatalogEntryID), nilUUID(f.UnitID), nilUUID(f.ResponsibleID))
		if err != nil {
			return err
		}
		// Each case is asked once; the case file decides, as on its pages.
		seen := map[uuid.UUID]bool{}
		out = []Intervention{}
		for _, it := range all {
			ok, asked := seen[it.CaseID]
			if !asked {
				if _, ok, err = s.canSee(ctx, tx, tenant, it.CaseID, v); err != nil {
					return err
				}
				seen[it.CaseID] = ok
			}
			if ok {
				out = append(out, it)
			}
			if len(out) == MaxList {
				break
			}
		}
		details := map[string]any{"count": len(out)}
		objectType, objectID := "intervention", ""
		if f.CaseID != uuid.Nil {
			objectType, objectID = "case", f.CaseID.String()
		}
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "intervention.listed", ActorID: v.ID, Actor: v.Email, IP: v.IP,
			ObjectType: objectType, ObjectID: objectID, Details: details})
	})
	if err != nil {
		return nil, fmt.Errorf("interventions.List(%s): %w", tenant, err)
	}
	return out, nil
}

// Create records a request for an intervention on a case, by an operator who
// may request interventions and write on the case: state requested, shares,
// means test and character defaulted from the catalogue entry, and the event
// created. All or nothing.
func (s *Service) Create(ctx context.Context, tenant uuid.UUID, in NewIntervention, v casefile.Viewer) (*Intervention, error) {
	fail := func(err error) (*Intervention, error) {
		return nil, fmt.Errorf("interventions.Create(%s, case %s): %w", tenant, in.CaseID, err)
	}
	if !v.Perms[authz.PermInterventionsRequest] {
		return fail(ErrNoRequest)
	}
	fe := in.Data.check()
	if in.StartDate.IsZero() {
		fe = append(fe, derrors.FieldError{Field: "start_date", Message: "indicare la data di inizio"})
	}
	if in.PersonID == uuid.Nil {
		fe = append(fe, derrors.FieldError{Field: "person_id", Message: "indicare il beneficiario"})
	}
	if in.CatalogEntryID == uuid.Nil {
		fe = append(fe, derrors.FieldError{Field: "catalog_entry_id", Message: "scegliere l'intervento dal catalogo"})
	}
	if in.CaseID == uuid.Nil {
		return fail(casefile.ErrCaseNotFound)
	}
	var it *Intervention
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		acc, err := s.cases.AccessTo(ctx, tx, tenant, in.CaseID, v)
		if err != nil {
			return err
		}
		if !acc.Content {
			return casefile.ErrCaseNotFound
		}
		if !acc.Write {
			return ErrNoRequest
		}
		var e Entry
		if in.CatalogEntryID != uuid.Nil {
			e, err = entry(ctx, tx, in.CatalogEntryID)
			switch {
			case errors.Is(err, derrors.ErrNotFound) || (err == nil && !e.Active):
				fe = append(fe, derrors.FieldError{Field: "catalog_entry_id", Message: "la voce di catalogo non esiste o non è attiva"})
			case err != nil:
				return err
			}
		}
		if in.PersonID != uuid.Nil && !exists(ctx, tx, `SELECT 1 FROM cases c WHERE c.id = $1 AND (c.person_id = $2
				OR EXISTS (SELECT 1 FROM household_members m WHERE m.tenant_id = c.tenant_id AND m.household_id = c.household_id
					AND m.person_id = $2))`, in.CaseID, in.PersonID) {
			fe = append(fe, derrors.FieldError{Field: "person_id", Message: "il beneficiario deve essere la persona del caso o un componente del suo nucleo"})
		}
		if in.PlanID != nil && !exists(ctx, tx, `SELECT 1 FROM plans WHERE id = $1 AND case_id = $2`, *in.PlanID, in.CaseID) {
			fe = append(fe, derrors.FieldError{Field: "plan_id", Message: "il PAI non è di questo caso"})
		}
		if len(fe) > 0 {
			return &derrors.Invalid{Fields: fe}
		}
		d := in.Data
		d.defaults(e)
		var id uuid.UUID
		if err := tx.QueryRow(ctx, `INSERT INTO interventions (tenant_id, person_id, case_id, catalog_entry_id, plan_id,
				isee_threshold_cents, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			tenant, in.PersonID, in.CaseID, in.CatalogEntryID, in.PlanID, e.ISEEThresholdCents, v.ID).Scan(&id); err != nil {
			return err
		}
		if err := writeData(ctx, tx, id, d, false); err != nil {
			return err
		}
		if it, err = intervention(ctx, tx, id, false); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, tenant, it, "created", "", "", v); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("intervention.requested", it, v, map[string]any{"catalog_entry_id": in.CatalogEntryID.String()}))
	})
	if err != nil {
		return fail(err)
	}
	return it, nil
}

// Update replaces the administrative data of intervention id, at version
// (the one the editor saw: another is ErrStale). An edit of an active or
// suspended intervention is an event 'changed' (a SIUSS change), and may not
// take away what activation needs.
func (s *Service) Update(ctx context.Context, tenant, id uuid.UUID, version int, d Data, v casefile.Viewer) (*Intervention, error) {
	fail := func(err error) (*Intervention, error) {
		return nil, fmt.Errorf("interventions.Update(%s, %s): %w", tenant, id, err)
	}
	if fe := d.check(); len(fe) > 0 {
		return fail(&derrors.Invalid{Fields: fe})
	}
	var it *Intervention
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		cur, acc, err := s.visible(ctx, tx, tenant, id, v, true)
		if err != nil {
			return err
		}
		switch {
		case Terminal(cur.State):
			return ErrEnded
		case !mayEdit(cur, acc, v):
			return ErrNoEdit
		case cur.Version != version:
			return ErrStale
		}
		live := cur.State == StateActive || cur.State == StateSuspended
		if live {
			e, err := entry(ctx, tx, cur.CatalogEntryID)
			if err != nil {
				return err
			}
			next := *cur
			next.Data = d
			if fe := Missing(&next, e); len(fe) > 0 {
				return &derrors.Invalid{Fields: fe}
			}
		}
		if err := writeData(ctx, tx, id, d, true); err != nil {
			return err
		}
		if it, err = intervention(ctx, tx, id, false); err != nil {
			return err
		}
		if live {
			if err := addEvent(ctx, tx, tenant, it, "changed", cur.State, "", v); err != nil {
				return err
			}
			if err := s.afterEvent(ctx, tx, tenant, id); err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, tenant, event("intervention.edited", it, v, map[string]any{"state": it.State}))
	})
	if err != nil {
		return fail(err)
	}
	return it, nil
}

// Transition moves intervention id to state to, with reason (required to
// refuse, suspend and close). A move v's permissions do not allow is
// ErrMoveForbidden (derrors.ErrForbidden); one the state does not allow
// derrors.ErrConflict; a move to active without what it needs a
// derrors.Invalid naming each missing field.
func (s *Service) Transition(ctx context.Context, tenant, id uuid.UUID, to, reason string, v casefile.Viewer) (*Intervention, error) {
	fail := func(err error) (*Intervention, error) {
		return nil, fmt.Errorf("interventions.Transition(%s, %s, %s): %w", tenant, id, to, err)
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > maxReason {
		return fail(&derrors.Invalid{Fields: []derrors.FieldError{{Field: "reason", Message: fmt.Sprintf("il motivo è troppo lungo (al massimo %d caratteri)", maxReason)}}})
	}
	var it *Intervention
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		cur, _, err := s.visible(ctx, tx, tenant, id, v, true)
		if err != nil {
			return err
		}
		t, err := checkMove(cur.State, to, v.Perms)
		if err != nil {
			return err
		}
		var fe []derrors.FieldError
		if t.NeedsReason && reason == "" {
			fe = append(fe, derrors.FieldError{Field: "reason", Message: "indicare il motivo"})
		}
		threshold := cur.ISEEThresholdCents
		if to == StateActive {
			e, err := entry(ctx, tx, cur.CatalogEntryID)
			if err != nil {
				return err
			}
			threshold = e.ISEEThresholdCents
			fe = append(fe, Missing(cur, e)...)
		}
		if len(fe) > 0 {
			return &derrors.Invalid{Fields: fe}
		}
		var closed any
		if to == StateClosed {
			closed = s.today().Time()
		}
		if _, err := tx.Exec(ctx, `UPDATE interventions SET state = $2, isee_threshold_cents = $3,
				closed_on = coalesce($4, closed_on), version = version + 1, updated_at = now() WHERE id = $1`,
			id, to, threshold, closed); err != nil {
			return err
		}
		if it, err = intervention(ctx, tx, id, false); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, tenant, it, "transition", cur.State, reason, v); err != nil {
			return err
		}
		if err := s.afterEvent(ctx, tx, tenant, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("intervention.transition", it, v, map[string]any{"from": cur.State, "to": to}))
	})
	if err != nil {
		return fail(err)
	}
	return it, nil
}

// Entries returns the ente's active catalogue entries, for the request form.
func (s *Service) Entries(ctx context.Context, tenant uuid.UUID) ([]Option, error) {
	var out []Option
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		out, err = entryOptions(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("interventions.Entries(%s): %w", tenant, err)
	}
	return out, nil
}

// writeData writes d on intervention id.
func writeData(ctx context.Context, tx pgx.Tx, id uuid.UUID, d Data, bump bool) error {
	_, err := tx.Exec(ctx, `UPDATE interventions SET application_protocol = $2, start_date = $3, end_date = $4,
			character = $5, monthly_amount_cents = $6, total_amount_cents = $7, period_months = $8, share_ente = $9,
			share_user = $10, share_health = $11, requested_amount_cents = $12, monthly_hours = $13, means_test = $14,
			dsu_protocol = $15, dsu_year = $16, dsu_date = $17, isee_value_cents = $18, taken_in_charge = $19,
			notes = $20, version = version + CASE WHEN $21 THEN 1 ELSE 0 END, updated_at = now()
		WHERE id = $1`,
		id, d.ApplicationProtocol, dateArg(d.StartDate), dateArg(d.EndDate), d.Character, d.MonthlyAmountCents,
		d.TotalAmountCents, d.PeriodMonths, d.ShareEnte, d.ShareUser, d.ShareHealth, d.RequestedAmountCents,
		d.MonthlyHours, d.MeansTest, d.DSUProtocol, d.DSUYear, dateArg(d.DSUDate), d.ISEEValueCents, d.TakenInCharge,
		d.Notes, bump)
	return err
}

// addEvent appends a step to it's history, with it as the snapshot; the row
// is locked (or new) in tx, so seq is not taken twice.
func addEvent(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, it *Intervention, kind, from, reason string, v casefile.Viewer) error {
	snap, err := json.Marshal(it)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO intervention_events (tenant_id, intervention_id, seq, kind, from_state, to_state, by_id, reason, snapshot)
		VALUES ($1, $2, (SELECT coalesce(max(seq), 0) + 1 FROM intervention_events WHERE tenant_id = $1 AND intervention_id = $2),
			$3, $4, $5, $6, $7, $8)`, tenant, it.ID, kind, from, it.State, v.ID, reason, snap)
	if err != nil {
		return fmt.Errorf("intervention event %s: %w", kind, err)
	}
	return nil
}

// event is the audit event of v acting on it: the object is the case, so
// that "who looked at this case" lists its interventions too.
func event(action string, it *Intervention, v casefile.Viewer, details map[string]any) audit.Event {
	if details == nil {
		details = map[string]any{}
	}
	details["intervention_id"] = it.ID.String()
	return audit.Event{Action: action, ActorID: v.ID, Actor: v.Email, IP: v.IP,
		ObjectType: "case", ObjectID: it.CaseID.String(), Details: details}
}

func exists(ctx context.Context, tx pgx.Tx, q string, args ...any) bool {
	var one int
	return tx.QueryRow(ctx, q, args...).Scan(&one) == nil
}

func nilUUID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// validState reports whether s is a state (for filters).
func validState(s string) bool { return slices.Contains(States, s) }
