package agenda

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/derrors"
)

// appointmentSelect reads appointments with their operator's and person's
// names and their case's number; the viewer's right to see the last two is
// decided after (see read).
const appointmentSelect = `SELECT a.id, a.operator_id, coalesce(o.name, ''), a.person_id,
		coalesce(p.last_name || ' ' || p.first_name, ''), a.case_id, coalesce(c.number, ''), a.starts_at, a.ends_at,
		a.place_kind, a.place, a.title, a.notes, coalesce(a.outcome, ''), a.outcome_notes, a.outcome_at,
		a.created_by, a.created_at, a.updated_at, a.version
	FROM appointments a
	LEFT JOIN operators o ON o.id = a.operator_id
	LEFT JOIN people p ON p.tenant_id = a.tenant_id AND p.id = a.person_id
	LEFT JOIN cases c ON c.tenant_id = a.tenant_id AND c.id = a.case_id
	WHERE `

// read reads the appointments matching where, by start, as v may see them:
// the case of one v may not read is left out (CaseHidden), the person for a
// viewer without people:read.
func (s *Service) read(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, v Viewer, where string, args ...any) ([]Appointment, error) {
	rows, err := tx.Query(ctx, appointmentSelect+where+` ORDER BY a.starts_at, a.ends_at, a.id`, args...)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Appointment, error) {
		var a Appointment
		err := r.Scan(&a.ID, &a.OperatorID, &a.OperatorName, &a.personID, &a.PersonName, &a.caseID, &a.CaseNumber,
			&a.StartsAt, &a.EndsAt, &a.PlaceKind, &a.Place, &a.Title, &a.Notes, &a.Outcome, &a.OutcomeNotes, &a.OutcomeAt,
			&a.CreatedBy, &a.CreatedAt, &a.UpdatedAt, &a.Version)
		return a, err
	})
	if err != nil {
		return nil, err
	}
	readable := map[uuid.UUID]bool{}
	for i := range out {
		a := &out[i]
		if v.Perms[authz.PermPeopleRead] {
			a.PersonID = a.personID
		} else {
			a.PersonName = ""
		}
		if a.caseID == nil {
			continue
		}
		ok, seen := readable[*a.caseID]
		if !seen {
			acc, err := s.cases.AccessTo(ctx, tx, tenant, *a.caseID, v.Viewer)
			if err != nil && !errors.Is(err, derrors.ErrNotFound) {
				return nil, err
			}
			ok = err == nil && acc.Content
			readable[*a.caseID] = ok
		}
		if ok {
			a.CaseID = a.caseID
		} else {
			a.CaseNumber, a.CaseHidden = "", true
		}
	}
	return out, nil
}

// one reads appointment id of an agenda v manages (locking it for update
// when lock is set); any other is not found.
func (s *Service) one(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, v Viewer, lock bool) (*Appointment, error) {
	q := `a.id = $1`
	if lock {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM appointments WHERE id = $1 FOR UPDATE) x`, id).Scan(&n); err != nil {
			return nil, err
		}
	}
	as, err := s.read(ctx, tx, tenant, v, q, id)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, ErrNotFound
	}
	if err := s.manages(ctx, tx, v, as[0].OperatorID); err != nil {
		if errors.Is(err, derrors.ErrForbidden) || errors.Is(err, derrors.ErrInvalid) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	return &as[0], nil
}
