package casefile

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/derrors"
)

// Who sees what is decided by these SQL expressions, shared by AccessTo and
// List, over a case aliased c; $2 is the viewer and $3..$6 their
// cases:read_all, cases:read_unit, cases:read_own and reserved:read.
//
//   - read_all sees every case; read_unit the cases of the viewer's units
//     (operator_units); read_own the cases the viewer is responsible for or on
//     the current team of.
//   - A reserved case needs, besides, reserved:read or being on its team.
//   - cases:exists alone sees that a case exists (number, state, person,
//     unit), never its content.
const (
	memberSQL = `(c.responsible_id IS NOT DISTINCT FROM $2::uuid OR EXISTS (SELECT 1 FROM case_team t
		WHERE t.tenant_id = c.tenant_id AND t.case_id = c.id AND t.operator_id = $2 AND t.removed_at IS NULL))`
	inUnitSQL  = `c.unit_id IN (SELECT u.unit_id FROM operator_units u WHERE u.tenant_id = c.tenant_id AND u.operator_id = $2)`
	contentSQL = `(($3::boolean OR ($4::boolean AND ` + inUnitSQL + `) OR ($5::boolean AND ` + memberSQL + `))
		AND (NOT c.reserved OR $6::boolean OR ` + memberSQL + `))`
)

// visibilityArgs are $2..$6 of the expressions above.
func visibilityArgs(v Viewer) []any {
	return []any{v.ID, v.Perms["cases:read_all"], v.Perms["cases:read_unit"], v.Perms["cases:read_own"], v.Perms["reserved:read"]}
}

// mayKnow reports whether v may know that cases exist at all.
func mayKnow(v Viewer) bool {
	return v.Perms["cases:exists"] || v.Perms["cases:read_all"] || v.Perms["cases:read_unit"] || v.Perms["cases:read_own"]
}

// access is what v may do with a case given whether SQL found its content
// visible and v on its team.
func access(v Viewer, content, member bool) Access {
	a := Access{Exists: content || mayKnow(v), Content: content}
	if content {
		a.Reserved = v.Perms["reserved:read"] || member
		a.Diary = v.Perms["diary:read"]
		a.Write = v.Perms["cases:write"]
	}
	return a
}

// AccessTo tells what v may do with case id of tenant, inside tx (scoped to
// tenant): the diary and documents ask it in their own transactions. A case
// that does not exist, or that v may not even know of, is derrors.ErrNotFound;
// otherwise Exists is true and the other fields say the rest.
func (s *Service) AccessTo(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, v Viewer) (Access, error) {
	a, err := accessTo(ctx, tx, tenant, id, v, false)
	if err != nil {
		return Access{}, fmt.Errorf("casefile.AccessTo(%s, %s): %w", tenant, id, err)
	}
	return a, nil
}

// AccessAsker is what KnownAccess asks: *Service, or a test's fake.
type AccessAsker interface {
	AccessTo(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, v Viewer) (Access, error)
}

// KnownAccess asks cases what v may do with case id of tenant, inside tx, for
// the packages that keep records on cases: a case v may not know of is
// derrors.ErrNotFound ("caso non trovato"), whatever cases answered; what
// else v may do with it is theirs to decide.
func KnownAccess(ctx context.Context, cases AccessAsker, tx pgx.Tx, tenant, id uuid.UUID, v Viewer) (Access, error) {
	acc, err := cases.AccessTo(ctx, tx, tenant, id, v)
	if errors.Is(err, derrors.ErrNotFound) || (err == nil && !acc.Exists) {
		return acc, fmt.Errorf("%w: caso non trovato", derrors.ErrNotFound)
	}
	return acc, err
}

// ReadableAccess is KnownAccess for the packages that read what hangs off a
// case: a case whose content v may not read is noContent (their own
// forbidden error, naming what they keep).
func ReadableAccess(ctx context.Context, cases AccessAsker, tx pgx.Tx, tenant, id uuid.UUID, v Viewer, noContent error) (Access, error) {
	acc, err := KnownAccess(ctx, cases, tx, tenant, id, v)
	if err == nil && !acc.Content {
		return acc, noContent
	}
	return acc, err
}

// accessTo is AccessTo, locking the case row for update when lock is set.
func accessTo(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, v Viewer, lock bool) (Access, error) {
	q := `SELECT ` + contentSQL + `, ` + memberSQL + ` FROM cases c WHERE c.tenant_id = $1 AND c.id = $7`
	if lock {
		q += ` FOR UPDATE OF c`
	}
	args := append(append([]any{tenant}, visibilityArgs(v)...), id)
	var content, member bool
	err := tx.QueryRow(ctx, q, args...).Scan(&content, &member)
	if errors.Is(err, pgx.ErrNoRows) {
		return Access{}, ErrCaseNotFound
	}
	if err != nil {
		return Access{}, err
	}
	a := access(v, content, member)
	if !a.Exists {
		return Access{}, ErrCaseNotFound
	}
	return a, nil
}

// ErrCaseNotFound is a case that does not exist or that the viewer may not
// know of.
var ErrCaseNotFound = fmt.Errorf("%w: cartella non trovata", derrors.ErrNotFound)
