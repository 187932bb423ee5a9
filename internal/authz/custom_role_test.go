package authz_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

func TestSaveRoleValidation(t *testing.T) {
	tenant := pg.NewTenant(t)
	e := newEnforcer(t, newFakeAssignments(), authz.Options{})
	ok := authz.Role{Name: "educatore", LabelIT: "Educatore", Permissions: []string{authz.PermPeopleRead}}
	for _, tc := range []struct {
		name      string
		edit      func(*authz.Role)
		wantField string
	}{
		{"name with capitals", func(r *authz.Role) { r.Name = "Educatore" }, "name"},
		{"name of one letter", func(r *authz.Role) { r.Name = "e" }, "name"},
		{"name starting with a digit", func(r *authz.Role) { r.Name = "1educatore" }, "name"},
		{"name too long", func(r *authz.Role) { r.Name = "e2345678901234567890123456789012345678901" }, "name"},
		{"built-in name", func(r *authz.Role) { r.Name = "coordinator" }, "name"},
		{"built-in name of a region", func(r *authz.Role) { r.Name = "region_analyst" }, "name"},
		{"no label", func(r *authz.Role) { r.LabelIT, r.LabelEN = "  ", "" }, "label"},
		{"unknown permission", func(r *authz.Role) { r.Permissions = []string{"people:fly"} }, "permissions"},
		{"region permission", func(r *authz.Role) { r.Permissions = []string{authz.PermPeopleRead, authz.PermStatsRead} }, "permissions"},
		{"platform permission", func(r *authz.Role) { r.Permissions = []string{authz.PermRegionsManage} }, "permissions"},
	} {
		r := ok
		tc.edit(&r)
		err := e.SaveRole(context.Background(), tenant, r)
		var fe *authz.FieldError
		if !errors.Is(err, derrors.ErrInvalid) || !errors.As(err, &fe) || fe.Field != tc.wantField {
			t.Errorf("%s: err = %v, want a FieldError on %s wrapping ErrInvalid", tc.name, err, tc.wantField)
		}
	}
	roles, err := e.Roles(context.Background(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) != 6 {
		t.Errorf("after only invalid saves, %d roles, want the 6 built-in", len(roles))
	}
	if err := e.SaveRole(context.Background(), uuid.New(), ok); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("SaveRole in an unknown ente: err = %v, want ErrNotFound", err)
	}
}

// TestCustomRoleLifecycle: a custom role's permissions take effect on this
// instance as soon as it is saved, changed or removed.
func TestCustomRoleLifecycle(t *testing.T) {
	ctx := context.Background()
	tenant, other := pg.NewTenant(t), pg.NewTenant(t)
	scope := db.Scope{Tenant: tenant}
	a := newFakeAssignments()
	op := uuid.New()
	a.assign(scope, op, "educatore")
	a.assign(db.Scope{Tenant: other}, op, "educatore")
	e := newEnforcer(t, a, authz.Options{})

	if can(t, e, op, scope, authz.PermDiaryRead) {
		t.Fatal("a role that does not exist yet grants diary:read")
	}
	educatore := authz.Role{Name: "educatore", LabelIT: "Educatore", Description: "Educatore professionale",
		Permissions: []string{authz.PermDiaryRead, authz.PermPeopleRead, authz.PermDiaryRead}}
	if err := e.SaveRole(ctx, tenant, educatore); err != nil {
		t.Fatal(err)
	}
	if !can(t, e, op, scope, authz.PermDiaryRead) {
		t.Error("after SaveRole, educatore may not diary:read")
	}
	if can(t, e, op, scope, authz.PermDiaryWrite) {
		t.Error("educatore may diary:write, which it was not given")
	}
	if can(t, e, op, db.Scope{Tenant: other}, authz.PermDiaryRead) {
		t.Error("ente A's custom role grants diary:read in ente B, which has a role of the same name only by assignment")
	}

	roles, err := e.Roles(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range roles {
		names = append(names, r.Name)
	}
	wantNames := []string{"tenant_admin", "coordinator", "social_worker", "intake_operator", "administrative", "auditor", "educatore"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("Roles (-want +got):\n%s", diff)
	}
	wantRole := authz.Role{Name: "educatore", LabelIT: "Educatore", LabelEN: "Educatore", Description: "Educatore professionale",
		Scope: authz.ScopeTenant, Permissions: []string{authz.PermDiaryRead, authz.PermPeopleRead}}
	if diff := cmp.Diff(wantRole, roles[len(roles)-1]); diff != "" {
		t.Errorf("stored custom role (-want +got):\n%s", diff)
	}

	// Edit: diary:read out, diary:write in.
	educatore.Permissions = []string{authz.PermPeopleRead, authz.PermDiaryWrite}
	if err := e.SaveRole(ctx, tenant, educatore); err != nil {
		t.Fatal(err)
	}
	if can(t, e, op, scope, authz.PermDiaryRead) || !can(t, e, op, scope, authz.PermDiaryWrite) {
		t.Error("after the edit, want diary:read denied and diary:write allowed")
	}

	// Delete: refused while held, then allowed.
	if err := e.DeleteRole(ctx, tenant, "educatore"); !errors.Is(err, derrors.ErrConflict) {
		t.Fatalf("DeleteRole of a held role: err = %v, want ErrConflict", err)
	}
	a.assign(scope, op) // identity takes the role away
	if err := e.DeleteRole(ctx, tenant, "educatore"); err != nil {
		t.Fatal(err)
	}
	a.assign(scope, op, "educatore") // a stale assignment grants nothing
	e.Invalidate(scope)
	if can(t, e, op, scope, authz.PermPeopleRead) {
		t.Error("a deleted role still grants people:read")
	}
	if err := e.DeleteRole(ctx, tenant, "educatore"); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("DeleteRole twice: err = %v, want ErrNotFound", err)
	}
	if err := e.DeleteRole(ctx, tenant, "coordinator"); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("DeleteRole of a built-in role: err = %v, want ErrInvalid", err)
	}
}

func TestValidRoles(t *testing.T) {
	ctx := context.Background()
	tenant, other := pg.NewTenant(t), pg.NewTenant(t)
	e := newEnforcer(t, newFakeAssignments(), authz.Options{})
	if err := e.SaveRole(ctx, tenant, authz.Role{Name: "educatore", LabelIT: "Educatore"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		scope   db.Scope
		roles   []string
		unknown string // "" for valid
	}{
		{"built-in and custom", db.Scope{Tenant: tenant}, []string{"coordinator", "educatore"}, ""},
		{"none", db.Scope{Tenant: tenant}, nil, ""},
		{"another ente's custom role", db.Scope{Tenant: other}, []string{"auditor", "educatore"}, "educatore"},
		{"a region role in an ente", db.Scope{Tenant: tenant}, []string{"region_admin"}, "region_admin"},
		{"made up", db.Scope{Tenant: tenant}, []string{"coordinator", "capo"}, "capo"},
		{"region roles", db.Scope{Region: "12"}, []string{"region_admin", "region_analyst"}, ""},
		{"a tenant role in a region", db.Scope{Region: "12"}, []string{"coordinator"}, "coordinator"},
		{"platform", db.Scope{Platform: true}, []string{"platform_admin"}, ""},
		{"a region role on the platform", db.Scope{Platform: true}, []string{"region_admin"}, "region_admin"},
	} {
		err := e.ValidRoles(ctx, tc.scope, tc.roles)
		if tc.unknown == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var fe *authz.FieldError
		if !errors.Is(err, derrors.ErrInvalid) || !errors.As(err, &fe) || fe.Field != "roles" || fe.Message != "ruolo sconosciuto: "+tc.unknown {
			t.Errorf("%s: err = %v, want a FieldError on roles naming %s", tc.name, err, tc.unknown)
		}
	}
}
