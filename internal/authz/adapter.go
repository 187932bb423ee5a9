package authz

import (
	"context"
	"errors"
	"fmt"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
)

// policyStore is the casbin adapter through which a domain's enforcer gets its
// policy: the built-in roles of the domain's kind (embedded policy.csv), the
// ente's custom roles (table roles, read in the ente's scope) and the
// operators' role assignments (Assignments). It only loads, one domain at a
// time: the whole policy of every domain is never loaded, and changes go
// through SaveRole, DeleteRole and the owner of the assignments, never through
// casbin's own write API.
type policyStore struct {
	db          *db.DB
	assignments Assignments
	builtin     []Role
}

// domainFilter is the filter of policyStore.LoadFilteredPolicy: the domain to
// load. ctx travels in it because casbin's adapter API takes none.
type domainFilter struct {
	ctx    context.Context
	scope  db.Scope
	domain string
}

var errLoadAll = errors.New("authz: the policy is loaded one domain at a time (LoadFilteredPolicy)")

var _ persist.FilteredAdapter = policyStore{}

// LoadFilteredPolicy loads the domain of filter, a domainFilter, into m.
func (s policyStore) LoadFilteredPolicy(m model.Model, filter any) error {
	f, ok := filter.(domainFilter)
	if !ok {
		return fmt.Errorf("authz: policy filter %T, want a domain", filter)
	}
	kind := scopeKind(f.scope)
	for _, r := range s.builtin {
		if r.Scope != kind {
			continue
		}
		for _, perm := range r.Permissions {
			obj, act, _ := splitPermission(perm)
			if err := persist.LoadPolicyArray([]string{"p", r.Name, "*", obj, act}, m); err != nil {
				return fmt.Errorf("authz: load %s: %w", f.domain, err)
			}
		}
	}
	if kind == ScopeTenant {
		custom, err := s.customRoles(f.ctx, f.scope.Tenant)
		if err != nil {
			return err
		}
		for _, r := range custom {
			for _, perm := range r.Permissions {
				obj, act, ok := splitPermission(perm)
				if !ok || permissionScope[perm] != ScopeTenant {
					continue // a permission this version no longer has
				}
				if err := persist.LoadPolicyArray([]string{"p", r.Name, f.domain, obj, act}, m); err != nil {
					return fmt.Errorf("authz: load %s: %w", f.domain, err)
				}
			}
		}
	}
	assigned, err := s.assignments.RoleAssignments(f.ctx, f.scope)
	if err != nil {
		return fmt.Errorf("authz: role assignments of %s: %w", f.domain, err)
	}
	for op, roles := range assigned {
		sub := op.String()
		for _, role := range roles {
			if err := persist.LoadPolicyArray([]string{"g", sub, role, f.domain}, m); err != nil {
				return fmt.Errorf("authz: load %s: %w", f.domain, err)
			}
		}
	}
	return nil
}

// customRoles reads an ente's custom roles, by name.
func (s policyStore) customRoles(ctx context.Context, tenant uuid.UUID) ([]Role, error) {
	var roles []Role
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT name, label, description, permissions FROM roles ORDER BY name`)
		if err != nil {
			return err
		}
		roles, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Role, error) {
			r := Role{Scope: ScopeTenant}
			err := row.Scan(&r.Name, &r.LabelIT, &r.Description, &r.Permissions)
			r.LabelEN = r.LabelIT
			return r, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("authz: custom roles of %s: %w", tenant, err)
	}
	return roles, nil
}

// IsFiltered is always true: see LoadFilteredPolicy.
func (policyStore) IsFiltered() bool { return true }

// LoadPolicy refuses: see LoadFilteredPolicy.
func (policyStore) LoadPolicy(model.Model) error { return errLoadAll }

// SavePolicy refuses: roles change through SaveRole and DeleteRole.
func (policyStore) SavePolicy(model.Model) error { return errReadOnly }

// AddPolicy refuses: roles change through SaveRole and DeleteRole.
func (policyStore) AddPolicy(string, string, []string) error { return errReadOnly }

// RemovePolicy refuses: roles change through SaveRole and DeleteRole.
func (policyStore) RemovePolicy(string, string, []string) error { return errReadOnly }

// RemoveFilteredPolicy refuses: roles change through SaveRole and DeleteRole.
func (policyStore) RemoveFilteredPolicy(string, string, int, ...string) error { return errReadOnly }

var errReadOnly = errors.New("authz: casbin's policy is read-only; change roles with SaveRole and DeleteRole")
