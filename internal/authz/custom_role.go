package authz

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

// FieldError is an invalid field of a role: Field is the form field (name,
// label, permissions, roles), Message is for the user. It wraps
// derrors.ErrInvalid.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Unwrap makes errors.Is(err, derrors.ErrInvalid) hold.
func (e *FieldError) Unwrap() error { return derrors.ErrInvalid }

var roleName = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// Roles returns the roles an ente may assign: the built-in tenant roles in
// their usual order, then its custom roles by name.
func (e *Enforcer) Roles(ctx context.Context, tenant uuid.UUID) ([]Role, error) {
	var roles []Role
	for _, r := range e.builtin {
		if r.Scope == ScopeTenant {
			r.Permissions = slices.Clone(r.Permissions)
			roles = append(roles, r)
		}
	}
	custom, err := e.store.customRoles(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("authz.Roles(%s): %w", tenant, err)
	}
	return append(roles, custom...), nil
}

// validate checks a custom role and returns it as stored: the label trimmed
// and the permissions sorted without repeats.
func (e *Enforcer) validate(r Role) (Role, error) {
	if !roleName.MatchString(r.Name) {
		return r, &FieldError{"name", "il nome deve iniziare con una lettera minuscola e avere da 2 a 40 caratteri tra lettere minuscole, cifre e _"}
	}
	if _, ok := builtinRole(e.builtin, "", r.Name); ok {
		return r, &FieldError{"name", fmt.Sprintf("%q è il nome di un ruolo predefinito", r.Name)}
	}
	label := strings.TrimSpace(r.LabelIT)
	if label == "" {
		label = strings.TrimSpace(r.LabelEN)
	}
	if label == "" {
		return r, &FieldError{"label", "l'etichetta è obbligatoria"}
	}
	r.LabelIT, r.LabelEN = label, label
	for _, p := range r.Permissions {
		scope, ok := permissionScope[p]
		if !ok {
			return r, &FieldError{"permissions", fmt.Sprintf("permesso sconosciuto: %s", p)}
		}
		if scope != ScopeTenant {
			return r, &FieldError{"permissions", fmt.Sprintf("%s non è un permesso dell'ente", p)}
		}
	}
	r.Permissions = slices.Compact(slices.Sorted(slices.Values(r.Permissions)))
	if r.Permissions == nil {
		r.Permissions = []string{}
	}
	r.Scope, r.Builtin = ScopeTenant, false
	return r, nil
}

// SaveRole creates or updates a custom role of an ente and announces the
// change (Changed). An invalid role gives a *FieldError (wrapping ErrInvalid);
// an unknown ente, ErrNotFound. Only LabelIT is stored (LabelEN if it is
// empty): a custom role has one label.
func (e *Enforcer) SaveRole(ctx context.Context, tenant uuid.UUID, r Role) error {
	r, err := e.validate(r)
	if err != nil {
		return fmt.Errorf("authz.SaveRole(%s, %s): %w", tenant, r.Name, err)
	}
	err = e.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO roles (tenant_id, name, label, description, permissions)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (tenant_id, name) DO UPDATE
			SET label = excluded.label, description = excluded.description,
			    permissions = excluded.permissions, updated_at = now()`,
			tenant, r.Name, r.LabelIT, r.Description, r.Permissions)
		return err
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" { // roles.tenant_id → tenants
		err = fmt.Errorf("%w: ente non trovato", derrors.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("authz.SaveRole(%s, %s): %w", tenant, r.Name, err)
	}
	e.Changed(ctx, db.Scope{Tenant: tenant})
	return nil
}

// DeleteRole removes a custom role of an ente and announces the change. It
// gives ErrConflict while an operator holds the role, ErrNotFound if there is
// no such custom role, ErrInvalid for a built-in role.
func (e *Enforcer) DeleteRole(ctx context.Context, tenant uuid.UUID, name string) error {
	if _, ok := builtinRole(e.builtin, "", name); ok {
		return fmt.Errorf("authz.DeleteRole(%s, %s): %w", tenant, name,
			&FieldError{"name", "i ruoli predefiniti non si possono eliminare"})
	}
	scope := db.Scope{Tenant: tenant}
	var exists bool
	err := e.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM roles WHERE name = $1)`, name).Scan(&exists)
	})
	if err != nil {
		return fmt.Errorf("authz.DeleteRole(%s, %s): %w", tenant, name, err)
	}
	if !exists {
		return fmt.Errorf("authz.DeleteRole(%s, %s): %w: ruolo %q non trovato", tenant, name, derrors.ErrNotFound, name)
	}
	assigned, err := e.assignments.RoleAssignments(ctx, scope)
	if err != nil {
		return fmt.Errorf("authz.DeleteRole(%s, %s): %w", tenant, name, err)
	}
	holders := 0
	for _, roles := range assigned {
		if slices.Contains(roles, name) {
			holders++
		}
	}
	if holders > 0 {
		return fmt.Errorf("authz.DeleteRole(%s, %s): %w: il ruolo è assegnato a %d operatori (toglierlo prima a loro)",
			tenant, name, derrors.ErrConflict, holders)
	}
	var deleted int64
	err = e.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM roles WHERE name = $1`, name)
		deleted = tag.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("authz.DeleteRole(%s, %s): %w", tenant, name, err)
	}
	if deleted == 0 {
		return fmt.Errorf("authz.DeleteRole(%s, %s): %w: ruolo %q non trovato", tenant, name, derrors.ErrNotFound, name)
	}
	e.Changed(ctx, scope)
	return nil
}

// ValidRoles checks that each name may be assigned in scope: a built-in role
// of the scope's kind or, in an ente, one of its custom roles. The first that
// is not gives a *FieldError on "roles" (wrapping ErrInvalid). It reads the
// database, not the cache, since it guards writes.
func (e *Enforcer) ValidRoles(ctx context.Context, scope db.Scope, names []string) error {
	kind := scopeKind(scope)
	if kind == "" {
		return fmt.Errorf("authz.ValidRoles(%v): %w: nessun ambito", names, derrors.ErrInvalid)
	}
	var rest []string
	for _, n := range names {
		if _, ok := builtinRole(e.builtin, kind, n); !ok {
			rest = append(rest, n)
		}
	}
	known := map[string]bool{}
	if len(rest) > 0 && kind == ScopeTenant {
		err := e.db.InTenant(ctx, scope.Tenant, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT name FROM roles WHERE name = ANY($1)`, rest)
			if err != nil {
				return err
			}
			found, err := pgx.CollectRows(rows, pgx.RowTo[string])
			for _, n := range found {
				known[n] = true
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("authz.ValidRoles(%s, %v): %w", DomainOf(scope), names, err)
		}
	}
	for _, n := range rest {
		if !known[n] {
			return fmt.Errorf("authz.ValidRoles(%s, %v): %w", DomainOf(scope), names,
				&FieldError{"roles", fmt.Sprintf("ruolo sconosciuto: %s", n)})
		}
	}
	return nil
}
