package casefile

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/derrors"
)

// Get returns case id as v may see it. With Access.Content the view has the
// whole case, its team and history, and the read is recorded as case.viewed
// (via says what showed it: "page", "api"…) in the same transaction; with
// Exists only, the number, state, person and unit. A case v may not know of
// is ErrCaseNotFound.
func (s *Service) Get(ctx context.Context, tenant, id uuid.UUID, v Viewer, via string) (*View, error) {
	var out *View
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		a, err := accessTo(ctx, tx, tenant, id, v, false)
		if err != nil {
			return err
		}
		view := &View{Access: a}
		c, err := getCase(ctx, tx, tenant, id)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT p.last_name || ' ' || p.first_name, u.name
			FROM people p, units u WHERE p.tenant_id = $1 AND p.id = $2 AND u.tenant_id = $1 AND u.id = $3`,
			tenant, c.PersonID, c.UnitID).Scan(&view.PersonName, &view.UnitName); err != nil {
			return fmt.Errorf("names: %w", err)
		}
		if !a.Content {
			view.Case = stripped(*c)
			out = view
			return nil
		}
		view.Case = *c
		if view.Team, err = team(ctx, tx, tenant, id); err != nil {
			return err
		}
		if view.Events, err = events(ctx, tx, tenant, id); err != nil {
			return err
		}
		out = view
		return audit.Write(ctx, tx, tenant, event("case.viewed", id, v, map[string]any{"via": via}))
	})
	if err != nil {
		return nil, fmt.Errorf("casefile.Get(%s, %s): %w", tenant, id, err)
	}
	return out, nil
}

// stripped is c as who may only know it exists sees it.
func stripped(c Case) Case {
	return Case{ID: c.ID, Number: c.Number, PersonID: c.PersonID, UserArea: c.UserArea, State: c.State,
		UnitID: c.UnitID, OpenedAt: c.OpenedAt, Version: c.Version}
}

func events(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID) ([]Event, error) {
	rows, err := tx.Query(ctx, `SELECT e.seq, e.at, e.by_id, coalesce(o.name, ''), e.kind, e.from_state, e.to_state, e.reason, e.details
		FROM case_events e LEFT JOIN operators o ON o.id = e.by_id
		WHERE e.tenant_id = $1 AND e.case_id = $2 ORDER BY e.seq`, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Event, error) {
		var e Event
		err := r.Scan(&e.Seq, &e.At, &e.ByID, &e.ByName, &e.Kind, &e.FromState, &e.ToState, &e.Reason, &e.Details)
		return e, err
	})
}

// Filter selects the cases List returns.
type Filter struct {
	State       string    // one state, or all
	Responsible uuid.UUID // cases whose responsible this operator is
	Unassigned  bool      // cases without a responsible (proposals to assign)
	Mine        bool      // cases v is responsible for or on the team of
	UnitIDs     []uuid.UUID
	PersonID    uuid.UUID // the cases of one person: here who may only know that cases exist sees them too
	Open        bool      // not in a terminal state
	Limit       int
}

// MaxList is the most cases List returns at once.
const MaxList = 500

// List returns the cases of tenant that match f and whose content v may
// read, newest first. With f.PersonID it returns also the cases of that person
// v may only know of, stripped of their content (Content false): how an
// intake desk learns that someone already has a case. Listing records no
// case.viewed: a list shows no content beyond number, person and state.
func (s *Service) List(ctx context.Context, tenant uuid.UUID, f Filter, v Viewer) ([]Listed, error) {
	var out []Listed
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		out, err = list(ctx, tx, tenant, f, v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("casefile.List(%s): %w", tenant, err)
	}
	return out, nil
}

func list(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, f Filter, v Viewer) ([]Listed, error) {
	args := append([]any{tenant}, visibilityArgs(v)...)
	add := func(cond string, arg any) string {
		args = append(args, arg)
		return strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args)))
	}
	where := []string{"c.tenant_id = $1"}
	if f.PersonID != uuid.Nil && mayKnow(v) {
		where = append(where, add("c.person_id = ?", f.PersonID))
	} else {
		if f.PersonID != uuid.Nil {
			where = append(where, add("c.person_id = ?", f.PersonID))
		}
		where = append(where, contentSQL)
	}
	if f.State != "" {
		where = append(where, add("c.state = ?", f.State))
	}
	if f.Responsible != uuid.Nil {
		where = append(where, add("c.responsible_id = ?", f.Responsible))
	}
	if f.Unassigned {
		where = append(where, "c.responsible_id IS NULL")
	}
	if f.Mine {
		where = append(where, memberSQL)
	}
	if len(f.UnitIDs) > 0 {
		where = append(where, add("c.unit_id = ANY(?)", f.UnitIDs))
	}
	if f.Open {
		where = append(where, "c.closed_at IS NULL")
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxList {
		limit = MaxList
	}
	q := `SELECT ` + prefixed("c.", caseColumns) + `, p.last_name || ' ' || p.first_name, ` + contentSQL + `
		FROM cases c JOIN people p ON p.tenant_id = c.tenant_id AND p.id = c.person_id
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY c.opened_at DESC, c.number DESC LIMIT ` + add("?", limit)
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Listed, error) {
		var l Listed
		c := &l.Case
		err := r.Scan(&c.ID, &c.Number, &c.PersonID, &c.HouseholdID, &c.UserArea, &c.State, &c.UnitID, &c.ResponsibleID,
			&c.Reserved, &c.Summary, &c.OriginAccess, &c.OpenedAt, &c.TakenAt, &c.ClosedAt, &c.CloseReason, &c.Version,
			&l.PersonName, &l.Content)
		if !l.Content {
			l.Case = stripped(l.Case)
		}
		return l, err
	})
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// Trail returns who looked at and changed case id, newest first, for holders
// of audit:read.
func (s *Service) Trail(ctx context.Context, tenant, id uuid.UUID, v Viewer, limit int) ([]audit.Record, error) {
	if !v.Perms["audit:read"] {
		return nil, fmt.Errorf("casefile.Trail(%s, %s): %w", tenant, id, derrors.ErrForbidden)
	}
	var rs []audit.Record
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if !exists(ctx, tx, `SELECT true FROM cases WHERE tenant_id = $1 AND id = $2`, tenant, id) {
			return ErrCaseNotFound
		}
		var err error
		rs, err = audit.List(ctx, tx, tenant, audit.Filter{ObjectType: "case", ObjectID: id.String(), Limit: limit})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("casefile.Trail(%s, %s): %w", tenant, id, err)
	}
	return rs, nil
}
