package agenda

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

// Service is the agendas of every ente.
type Service struct {
	db    *db.DB
	cases Cases
	now   func() time.Time
}

// NewService returns the agendas over d; cases decides who may link (and
// see) which case.
func NewService(d *db.DB, cases Cases) *Service {
	return &Service{db: d, cases: cases, now: time.Now}
}

// Limits of an appointment's fields and of a list's period.
const (
	maxTitle    = 200
	maxPlace    = 300
	maxNotes    = 4000
	maxOutcome  = 2000
	maxDuration = 24 * time.Hour
	maxPeriod   = 400 * 24 * time.Hour
)

// List returns the appointments of f's period the viewer may see, by start,
// and writes appointment.listed.
func (s *Service) List(ctx context.Context, tenant uuid.UUID, f Filter, v Viewer) ([]Appointment, error) {
	var out []Appointment
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if err := f.check(); err != nil {
			return err
		}
		where, args := `a.starts_at >= $1 AND a.starts_at < $2`, []any{f.From, f.To}
		switch {
		case f.OperatorID != nil:
			if err := s.manages(ctx, tx, v, *f.OperatorID); err != nil {
				return err
			}
			where, args = where+` AND a.operator_id = $3`, append(args, *f.OperatorID)
		case !v.Client:
			if err := s.manages(ctx, tx, v, v.ID); err != nil {
				return err
			}
			where, args = where+` AND a.operator_id = $3`, append(args, v.ID)
		case !v.Perms[authz.PermAgendaUse]:
			return ErrNoAgenda
		}
		var err error
		if out, err = s.read(ctx, tx, tenant, v, where, args...); err != nil {
			return err
		}
		details := map[string]any{"count": len(out), "from": f.From, "to": f.To}
		if f.OperatorID != nil {
			details["operator_id"] = f.OperatorID.String()
		}
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "appointment.listed", ActorID: v.ID, Actor: v.Email, IP: v.IP,
			ObjectType: "agenda", ObjectID: agendaOf(f.OperatorID, v), Details: details})
	})
	if err != nil {
		return nil, fmt.Errorf("agenda.List(%s): %w", tenant, err)
	}
	return out, nil
}

// Get returns one appointment of an agenda the viewer manages, and writes
// appointment.viewed.
func (s *Service) Get(ctx context.Context, tenant, id uuid.UUID, v Viewer) (*Appointment, error) {
	var a *Appointment
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		if a, err = s.one(ctx, tx, tenant, id, v, false); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("appointment.viewed", a, v, nil))
	})
	if err != nil {
		return nil, fmt.Errorf("agenda.Get(%s, %s): %w", tenant, id, err)
	}
	return a, nil
}

// Operators lists the operators whose agenda the viewer may manage, by name:
// themselves and, with agenda:unit, the operators of their units.
func (s *Service) Operators(ctx context.Context, tenant uuid.UUID, v Viewer) ([]Operator, error) {
	var out []Operator
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT o.id, o.name FROM memberships m JOIN operators o ON o.id = m.operator_id
			WHERE m.status = 'active' AND (m.operator_id = $1 OR ($2 AND `+sharesUnitSQL+`))
			ORDER BY o.name, o.id`, v.ID, v.Perms[authz.PermAgendaUnit] && !v.Client)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Operator, error) {
			var o Operator
			return o, r.Scan(&o.ID, &o.Name)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("agenda.Operators(%s): %w", tenant, err)
	}
	return out, nil
}

// Create writes a new appointment and appointment.created, all or nothing.
func (s *Service) Create(ctx context.Context, tenant uuid.UUID, in Input, v Viewer) (*Appointment, error) {
	if err := in.check(); err != nil {
		return nil, fmt.Errorf("agenda.Create(%s): %w", tenant, err)
	}
	var a *Appointment
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if err := s.resolve(ctx, tx, tenant, &in, v, nil); err != nil {
			return err
		}
		var id uuid.UUID
		if err := tx.QueryRow(ctx, `INSERT INTO appointments (tenant_id, operator_id, person_id, case_id, starts_at, ends_at,
				place_kind, place, title, notes, created_by, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
			tenant, in.OperatorID, in.PersonID, in.CaseID, in.StartsAt, in.EndsAt, in.PlaceKind, in.Place, in.Title, in.Notes, v.ID).Scan(&id); err != nil {
			return err
		}
		var err error
		if a, err = s.one(ctx, tx, tenant, id, v, false); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("appointment.created", a, v, nil))
	})
	if err != nil {
		return nil, fmt.Errorf("agenda.Create(%s): %w", tenant, err)
	}
	return a, nil
}

// Update rewrites an appointment (it may move to another agenda the viewer
// manages) and writes appointment.updated. A case the viewer may no longer
// read stays linked when the input names none: the form could not show it.
func (s *Service) Update(ctx context.Context, tenant, id uuid.UUID, in Input, v Viewer) (*Appointment, error) {
	if err := in.check(); err != nil {
		return nil, fmt.Errorf("agenda.Update(%s, %s): %w", tenant, id, err)
	}
	var a *Appointment
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		old, err := s.one(ctx, tx, tenant, id, v, true)
		if err != nil {
			return err
		}
		if err := s.resolve(ctx, tx, tenant, &in, v, old); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE appointments SET operator_id = $2, person_id = $3, case_id = $4, starts_at = $5,
				ends_at = $6, place_kind = $7, place = $8, title = $9, notes = $10, updated_by = $11, updated_at = now(),
				version = version + 1
			WHERE id = $1`, id, in.OperatorID, in.PersonID, in.CaseID, in.StartsAt, in.EndsAt, in.PlaceKind, in.Place,
			in.Title, in.Notes, v.ID); err != nil {
			return err
		}
		if a, err = s.one(ctx, tx, tenant, id, v, false); err != nil {
			return err
		}
		details := map[string]any{}
		if old.OperatorID != a.OperatorID {
			details["from_operator_id"] = old.OperatorID.String()
		}
		return audit.Write(ctx, tx, tenant, event("appointment.updated", a, v, details))
	})
	if err != nil {
		return nil, fmt.Errorf("agenda.Update(%s, %s): %w", tenant, id, err)
	}
	return a, nil
}

// SetOutcome records how an appointment went (a later call corrects it) and
// writes appointment.outcome_set. Held and missed need the appointment to
// have started; cancelled and rescheduled may come before it.
func (s *Service) SetOutcome(ctx context.Context, tenant, id uuid.UUID, in Outcome, v Viewer) (*Appointment, error) {
	in.Outcome, in.Notes = strings.TrimSpace(in.Outcome), strings.TrimSpace(in.Notes)
	var fe []derrors.FieldError
	if !slices.Contains(Outcomes, in.Outcome) {
		fe = append(fe, derrors.FieldError{Field: "outcome", Message: "scegliere l'esito"})
	}
	if len([]rune(in.Notes)) > maxOutcome {
		fe = append(fe, derrors.FieldError{Field: "outcome_notes", Message: fmt.Sprintf("il testo è troppo lungo (al massimo %d caratteri)", maxOutcome)})
	}
	if len(fe) > 0 {
		return nil, fmt.Errorf("agenda.SetOutcome(%s, %s): %w", tenant, id, invalid(fe...))
	}
	var a *Appointment
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		old, err := s.one(ctx, tx, tenant, id, v, true)
		if err != nil {
			return err
		}
		if (in.Outcome == "held" || in.Outcome == "missed") && old.StartsAt.After(s.now()) {
			return invalid(derrors.FieldError{Field: "outcome", Message: "l'appuntamento non è ancora iniziato: può essere solo annullato o spostato"})
		}
		if _, err := tx.Exec(ctx, `UPDATE appointments SET outcome = $2, outcome_notes = $3, outcome_at = now(), outcome_by = $4,
				updated_by = $4, updated_at = now(), version = version + 1
			WHERE id = $1`, id, in.Outcome, in.Notes, v.ID); err != nil {
			return err
		}
		if a, err = s.one(ctx, tx, tenant, id, v, false); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("appointment.outcome_set", a, v, map[string]any{
			"outcome": in.Outcome, "previous": old.Outcome}))
	})
	if err != nil {
		return nil, fmt.Errorf("agenda.SetOutcome(%s, %s): %w", tenant, id, err)
	}
	return a, nil
}

// sharesUnitSQL holds when the operator m.operator_id shares a unit with $1.
const sharesUnitSQL = `EXISTS (SELECT 1 FROM operator_units mine JOIN operator_units theirs
		ON theirs.tenant_id = mine.tenant_id AND theirs.unit_id = mine.unit_id
	WHERE mine.tenant_id = m.tenant_id AND mine.operator_id = $1 AND theirs.operator_id = m.operator_id)`

// manages refuses a viewer who may not manage operator's agenda: without
// agenda:use; an operator's other than their own without agenda:unit and a
// shared unit. An API client with agenda:use manages every agenda of the
// ente. An operator who is not of the ente is invalid input.
func (s *Service) manages(ctx context.Context, tx pgx.Tx, v Viewer, operator uuid.UUID) error {
	if !v.Perms[authz.PermAgendaUse] {
		return ErrNoAgenda
	}
	var member, shares bool
	err := tx.QueryRow(ctx, `SELECT true, `+sharesUnitSQL+` FROM memberships m WHERE m.operator_id = $2`,
		v.ID, operator).Scan(&member, &shares)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	switch {
	case !member:
		return invalid(derrors.FieldError{Field: "operator_id", Message: "operatore non trovato"})
	case v.Client, operator == v.ID, v.Perms[authz.PermAgendaUnit] && shares:
		return nil
	}
	return ErrOtherAgenda
}

// resolve fills in's operator, person and case ids and checks them: the
// operator's agenda is one the viewer manages, the person exists, the case is
// one the viewer may read (or, on update, the one already linked). On
// update, a case or person the viewer was not shown stays linked.
func (s *Service) resolve(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, in *Input, v Viewer, old *Appointment) error {
	var fe []derrors.FieldError
	if in.OperatorID == uuid.Nil {
		if v.Client {
			fe = append(fe, derrors.FieldError{Field: "operator_id", Message: "indicare l'operatore"})
		}
		in.OperatorID = v.ID
	}
	if in.OperatorID != uuid.Nil {
		if err := s.manages(ctx, tx, v, in.OperatorID); err != nil {
			return err
		}
	}
	if in.CaseID == nil && in.CaseNumber != "" {
		var id uuid.UUID
		err := tx.QueryRow(ctx, `SELECT id FROM cases WHERE number = $1`, in.CaseNumber).Scan(&id)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			fe = append(fe, derrors.FieldError{Field: "case_number", Message: "cartella non trovata o non accessibile"})
		case err != nil:
			return err
		default:
			in.CaseID = &id
		}
	}
	keep := old != nil && old.CaseHidden && in.CaseID == nil && in.CaseNumber == ""
	switch {
	case keep:
		in.CaseID = old.caseID
	case in.CaseID != nil && (old == nil || old.caseID == nil || *old.caseID != *in.CaseID):
		field := "case_id"
		if in.CaseNumber != "" {
			field = "case_number"
		}
		acc, err := s.cases.AccessTo(ctx, tx, tenant, *in.CaseID, v.Viewer)
		switch {
		case errors.Is(err, derrors.ErrNotFound) || (err == nil && !acc.Content):
			fe = append(fe, derrors.FieldError{Field: field, Message: "cartella non trovata o non accessibile"})
			in.CaseID = nil
		case err != nil:
			return err
		}
	}
	if old != nil && old.PersonID == nil && old.personID != nil && in.PersonID == nil && in.PersonTaxCode == "" {
		in.PersonID = old.personID // a viewer without people:read was not shown the person
	} else if in.PersonID == nil && in.PersonTaxCode != "" {
		var id uuid.UUID
		err := tx.QueryRow(ctx, `SELECT id FROM people WHERE tax_code = $1 AND merged_into IS NULL`, strings.ToUpper(in.PersonTaxCode)).Scan(&id)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			fe = append(fe, derrors.FieldError{Field: "person_tax_code", Message: "nessuna persona con questo codice fiscale"})
		case err != nil:
			return err
		default:
			in.PersonID = &id
		}
	} else if in.PersonID != nil {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM people WHERE id = $1`, *in.PersonID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			fe = append(fe, derrors.FieldError{Field: "person_id", Message: "persona non trovata"})
		}
	}
	if len(fe) > 0 {
		return invalid(fe...)
	}
	if in.PersonID == nil && in.CaseID != nil && !keep {
		var p uuid.UUID
		if err := tx.QueryRow(ctx, `SELECT person_id FROM cases WHERE id = $1`, *in.CaseID).Scan(&p); err != nil {
			return err
		}
		in.PersonID = &p
	}
	return nil
}

// check trims the input and checks its own fields.
func (in *Input) check() error {
	in.Title, in.Place, in.Notes = strings.TrimSpace(in.Title), strings.TrimSpace(in.Place), strings.TrimSpace(in.Notes)
	in.PersonTaxCode, in.CaseNumber = strings.TrimSpace(in.PersonTaxCode), strings.TrimSpace(in.CaseNumber)
	var fe []derrors.FieldError
	fe = append(fe, checkText("title", in.Title, maxTitle, "indicare l'oggetto dell'appuntamento")...)
	if !slices.Contains(PlaceKinds, in.PlaceKind) {
		fe = append(fe, derrors.FieldError{Field: "place_kind", Message: "scegliere il luogo"})
	} else if in.PlaceKind == "other" && in.Place == "" {
		fe = append(fe, derrors.FieldError{Field: "place", Message: "indicare dove si svolge"})
	}
	fe = append(fe, checkText("place", in.Place, maxPlace, "")...)
	fe = append(fe, checkText("notes", in.Notes, maxNotes, "")...)
	switch {
	case in.StartsAt.IsZero():
		fe = append(fe, derrors.FieldError{Field: "starts_at", Message: "indicare l'inizio"})
	case in.StartsAt.Year() < 2000 || in.StartsAt.Year() > 2100:
		fe = append(fe, derrors.FieldError{Field: "starts_at", Message: "data non valida"})
	}
	switch {
	case in.EndsAt.IsZero():
		fe = append(fe, derrors.FieldError{Field: "ends_at", Message: "indicare la fine"})
	case in.StartsAt.IsZero():
	case !in.EndsAt.After(in.StartsAt):
		fe = append(fe, derrors.FieldError{Field: "ends_at", Message: "la fine deve seguire l'inizio"})
	case in.EndsAt.Sub(in.StartsAt) > maxDuration:
		fe = append(fe, derrors.FieldError{Field: "ends_at", Message: "un appuntamento dura al massimo 24 ore"})
	}
	if len(fe) > 0 {
		return invalid(fe...)
	}
	return nil
}

// check checks a list's period.
func (f Filter) check() error {
	switch {
	case f.From.IsZero() || f.To.IsZero():
		return invalid(derrors.FieldError{Field: "from", Message: "indicare il periodo"})
	case !f.To.After(f.From):
		return invalid(derrors.FieldError{Field: "to", Message: "la fine del periodo deve seguire l'inizio"})
	case f.To.Sub(f.From) > maxPeriod:
		return invalid(derrors.FieldError{Field: "to", Message: "il periodo è troppo lungo (al massimo 400 giorni)"})
	}
	return nil
}

func checkText(field, v string, max int, empty string) []derrors.FieldError {
	switch n := len([]rune(v)); {
	case n == 0 && empty != "":
		return []derrors.FieldError{{Field: field, Message: empty}}
	case n > max:
		return []derrors.FieldError{{Field: field, Message: fmt.Sprintf("il testo è troppo lungo (al massimo %d caratteri)", max)}}
	}
	return nil
}

// agendaOf is the audit object of a list: the operator whose agenda it is,
// or "*" for an API client's list of every agenda.
func agendaOf(op *uuid.UUID, v Viewer) string {
	switch {
	case op != nil:
		return op.String()
	case v.Client:
		return "*"
	}
	return v.ID.String()
}

// event is an audit event about an appointment; its case, when linked, is
// named in the details so that a case's trail can find it.
func event(action string, a *Appointment, v Viewer, details map[string]any) audit.Event {
	if details == nil {
		details = map[string]any{}
	}
	details["operator_id"] = a.OperatorID.String()
	if a.caseID != nil {
		details["case_id"] = a.caseID.String()
	}
	return audit.Event{Action: action, ActorID: v.ID, Actor: v.Email, IP: v.IP,
		ObjectType: "appointment", ObjectID: a.ID.String(), Details: details}
}
