package casefile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
)

// UserAreas are the ISTAT user areas a case belongs to.
var UserAreas = []string{"family_minors", "disability", "addiction", "elderly", "immigrants", "poverty_adults", "multi_user"}

// TeamRoles are the roles an operator may have on a case's team.
var TeamRoles = []string{"responsible", "social_worker", "educator", "psychologist", "health_worker", "administrative", "other"}

// Open opens a case directly (for holders of cases:write), in its own
// transaction; see OpenTx.
func (s *Service) Open(ctx context.Context, tenant uuid.UUID, in OpenInput, v Viewer) (*Case, error) {
	if !v.Perms["cases:write"] {
		return nil, fmt.Errorf("casefile.Open(%s): %w", tenant, ErrReadOnly)
	}
	var c *Case
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		c, err = s.OpenTx(ctx, tx, tenant, in, v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("casefile.Open(%s): %w", tenant, err)
	}
	return c, nil
}

// OpenTx opens a case inside tx (scoped to tenant), for an access whose outcome
// is a proposal to take in charge; it writes the case's first event and its
// audit event in tx. It checks the input, not v's permissions: the caller
// does (accesses:write for a proposal, cases:write for Open). The case starts
// in the workflow's initial state with the next number of the year; with a
// ResponsibleID it is assigned at once (see Assign for who may be).
func (s *Service) OpenTx(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, in OpenInput, v Viewer) (*Case, error) {
	c, err := openTx(ctx, tx, tenant, in, v)
	if err != nil {
		return nil, fmt.Errorf("casefile.OpenTx(%s, %s): %w", tenant, in.PersonID, err)
	}
	return c, nil
}

func openTx(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, in OpenInput, v Viewer) (*Case, error) {
	in.Summary = strings.TrimSpace(in.Summary)
	if err := checkOpen(ctx, tx, tenant, in); err != nil {
		return nil, err
	}
	w, err := loadWorkflow(ctx, tx, tenant)
	if err != nil {
		return nil, err
	}
	number, err := nextNumber(ctx, tx, tenant)
	if err != nil {
		return nil, err
	}
	c, err := scanCase(tx.QueryRow(ctx, `INSERT INTO cases (tenant_id, number, person_id, household_id, user_area, state,
			unit_id, responsible_id, reserved, summary, origin_access, opened_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING `+caseColumns,
		tenant, number, in.PersonID, in.HouseholdID, in.UserArea, w.Initial(), in.UnitID, in.ResponsibleID,
		in.Reserved, in.Summary, in.OriginAccess, nullID(v.ID)))
	if err != nil {
		return nil, fmt.Errorf("insert: %w", err)
	}
	details := map[string]any{"number": c.Number, "unit": c.UnitID.String(), "reserved": c.Reserved}
	if in.OriginAccess != nil {
		details["origin_access"] = in.OriginAccess.String()
	}
	if err := addEvent(ctx, tx, tenant, c.ID, v.ID, Event{Kind: "opened", ToState: c.State, Details: details}); err != nil {
		return nil, err
	}
	if in.ResponsibleID != nil {
		if err := setResponsible(ctx, tx, tenant, c.ID, nil, *in.ResponsibleID, v); err != nil {
			return nil, err
		}
	}
	if err := audit.Write(ctx, tx, tenant, event("case.opened", c.ID, v, details)); err != nil {
		return nil, err
	}
	return c, nil
}

// checkOpen validates in against tenant's people, households, units and
// members.
func checkOpen(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, in OpenInput) error {
	var fe fieldErrors
	if in.PersonID == uuid.Nil {
		fe.add("person_id", "indicare la persona")
	} else if !exists(ctx, tx, `SELECT true FROM people WHERE tenant_id = $1 AND id = $2 AND merged_into IS NULL`, tenant, in.PersonID) {
		fe.add("person_id", "la persona non esiste in questo ente")
	}
	if in.HouseholdID != nil && !exists(ctx, tx, `SELECT true FROM households WHERE tenant_id = $1 AND id = $2`, tenant, *in.HouseholdID) {
		fe.add("household_id", "il nucleo familiare non esiste in questo ente")
	}
	if !slices.Contains(UserAreas, in.UserArea) {
		fe.add("user_area", "scegliere l'area d'utenza")
	}
	if in.UnitID == uuid.Nil {
		fe.add("unit_id", "scegliere l'unità responsabile")
	} else if !exists(ctx, tx, `SELECT true FROM units WHERE tenant_id = $1 AND id = $2`, tenant, in.UnitID) {
		fe.add("unit_id", "l'unità non esiste in questo ente")
	}
	if len([]rune(in.Summary)) > 4000 {
		fe.add("summary", "la sintesi non può superare i 4000 caratteri")
	}
	if in.ResponsibleID != nil && in.UnitID != uuid.Nil {
		if msg := checkResponsible(ctx, tx, tenant, in.UnitID, *in.ResponsibleID); msg != "" {
			fe.add("responsible_id", msg)
		}
	}
	return fe.err()
}

// checkResponsible returns why operator may not be responsible for a case of
// unit, or "". The responsible must be an active member of the ente assigned
// to the case's unit: the unit is who answers for the case, and its
// coordinators see it.
func checkResponsible(ctx context.Context, tx pgx.Tx, tenant, unit, operator uuid.UUID) string {
	if !exists(ctx, tx, `SELECT true FROM memberships WHERE tenant_id = $1 AND operator_id = $2 AND status = 'active'`, tenant, operator) {
		return "l'operatore non è un membro attivo dell'ente"
	}
	if !exists(ctx, tx, `SELECT true FROM operator_units WHERE tenant_id = $1 AND operator_id = $2 AND unit_id = $3`, tenant, operator, unit) {
		return "l'operatore non appartiene all'unità della cartella"
	}
	return ""
}

func exists(ctx context.Context, tx pgx.Tx, q string, args ...any) bool {
	var ok bool
	err := tx.QueryRow(ctx, q, args...).Scan(&ok)
	return err == nil && ok
}

// nextNumber takes the next case number of the year for tenant. The counter's
// row stays locked until tx ends, so concurrent openings queue and a rolled
// back opening gives its number back: numbers have no gaps.
func nextNumber(ctx context.Context, tx pgx.Tx, tenant uuid.UUID) (string, error) {
	var (
		year int
		last int
	)
	err := tx.QueryRow(ctx, `INSERT INTO case_counters (tenant_id, year, last)
		VALUES ($1, extract(year FROM now() AT TIME ZONE 'Europe/Rome')::int, 1)
		ON CONFLICT (tenant_id, year) DO UPDATE SET last = case_counters.last + 1
		RETURNING year, last`, tenant).Scan(&year, &last)
	if err != nil {
		return "", fmt.Errorf("case number: %w", err)
	}
	if last > 999999 {
		return "", errors.New("case number: more than 999999 cases this year")
	}
	return fmt.Sprintf("%04d/%06d", year, last), nil
}

const caseColumns = `id, number, person_id, household_id, user_area, state, unit_id, responsible_id, reserved,
	summary, origin_access, opened_at, taken_at, closed_at, close_reason, version`

func scanCase(row pgx.Row) (*Case, error) {
	var c Case
	err := row.Scan(&c.ID, &c.Number, &c.PersonID, &c.HouseholdID, &c.UserArea, &c.State, &c.UnitID, &c.ResponsibleID,
		&c.Reserved, &c.Summary, &c.OriginAccess, &c.OpenedAt, &c.TakenAt, &c.ClosedAt, &c.CloseReason, &c.Version)
	if err != nil {
		return nil, err
	}
	return &c, nil
}
