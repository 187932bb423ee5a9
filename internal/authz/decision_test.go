package authz_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

func TestDomainOf(t *testing.T) {
	id := uuid.MustParse("5f0c6a1e-1111-4222-8333-444455556666")
	for _, tc := range []struct {
		scope db.Scope
		want  string
	}{
		{db.Scope{Tenant: id}, "t:5f0c6a1e-1111-4222-8333-444455556666"},
		{db.Scope{Tenant: id, Region: "12"}, "t:5f0c6a1e-1111-4222-8333-444455556666"},
		{db.Scope{Region: "12"}, "r:12"},
		{db.Scope{Region: "12", Platform: true}, "r:12"},
		{db.Scope{Platform: true}, authz.PlatformDomain},
		{db.Scope{}, ""},
	} {
		if got := authz.DomainOf(tc.scope); got != tc.want {
			t.Errorf("DomainOf(%+v) = %q, want %q", tc.scope, got, tc.want)
		}
	}
}

// TestBuiltinDecisions checks the built-in roles against DOMAIN.md's table.
func TestBuiltinDecisions(t *testing.T) {
	tenant := pg.NewTenant(t)
	scope := db.Scope{Tenant: tenant}
	a := newFakeAssignments()
	ops := map[string]uuid.UUID{}
	for _, r := range []string{"tenant_admin", "coordinator", "social_worker", "intake_operator", "administrative", "auditor"} {
		ops[r] = uuid.New()
		a.assign(scope, ops[r], r)
	}
	e := newEnforcer(t, a, authz.Options{})
	for _, tc := range []struct {
		role string
		perm string
		want bool
	}{
		{"intake_operator", authz.PermPeopleWrite, true},
		{"intake_operator", authz.PermAccessesWrite, true},
		{"intake_operator", authz.PermCasesExists, true},
		{"intake_operator", authz.PermDiaryRead, false},
		{"intake_operator", authz.PermCasesReadOwn, false},
		{"administrative", authz.PermInterventionsDeliver, true},
		{"administrative", authz.PermSIUSSExport, true},
		{"administrative", authz.PermDiaryRead, false},
		{"administrative", authz.PermReservedRead, false},
		{"auditor", authz.PermAuditRead, true},
		{"auditor", authz.PermPeopleRead, false},
		{"auditor", authz.PermCasesExists, false},
		{"tenant_admin", authz.PermOperatorsManage, true},
		{"tenant_admin", authz.PermRolesManage, true},
		{"tenant_admin", authz.PermDiaryRead, false},
		{"tenant_admin", authz.PermAuditRead, true},
		{"coordinator", authz.PermCasesAssign, true},
		{"coordinator", authz.PermInterventionsAuthorise, true},
		{"coordinator", authz.PermReservedRead, true},
		{"coordinator", authz.PermCasesReadAll, false},
		{"social_worker", authz.PermDiaryWrite, true},
		{"social_worker", authz.PermInterventionsRequest, true},
		{"social_worker", authz.PermInterventionsAuthorise, false},
		{"social_worker", authz.PermCasesAssign, false},
	} {
		if got := can(t, e, ops[tc.role], scope, tc.perm); got != tc.want {
			t.Errorf("%s %s: got %v, want %v", tc.role, tc.perm, got, tc.want)
		}
	}

	// Granted lists exactly the role's permissions from policy.csv.
	want := map[string]bool{}
	for _, r := range authz.Builtin() {
		if r.Name == "intake_operator" {
			for _, p := range r.Permissions {
				want[p] = true
			}
		}
	}
	got, err := e.Granted(context.Background(), ops["intake_operator"], scope)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Granted(intake_operator) (-want +got):\n%s", diff)
	}
}

// TestCrossDomain: a role held in one domain gives nothing in another, for the
// same operator.
func TestCrossDomain(t *testing.T) {
	ctx := context.Background()
	tenantA, tenantB := pg.NewTenant(t), pg.NewTenant(t)
	a := newFakeAssignments()
	op, regional := uuid.New(), uuid.New()
	a.assign(db.Scope{Tenant: tenantA}, op, "coordinator")
	a.assign(db.Scope{Tenant: tenantB}, uuid.New(), "coordinator") // someone else
	a.assign(db.Scope{Region: "12"}, regional, "region_admin")
	a.assign(db.Scope{Tenant: tenantB}, regional, "region_admin") // a bug upstream must not grant anything
	e := newEnforcer(t, a, authz.Options{})

	for _, tc := range []struct {
		name  string
		op    uuid.UUID
		scope db.Scope
		perm  string
		want  bool
	}{
		{"coordinator in A", op, db.Scope{Tenant: tenantA}, authz.PermDiaryRead, true},
		{"coordinator of A in B", op, db.Scope{Tenant: tenantB}, authz.PermDiaryRead, false},
		{"coordinator of A in B, basic", op, db.Scope{Tenant: tenantB}, authz.PermPeopleRead, false},
		{"coordinator of A in region 12", op, db.Scope{Region: "12"}, authz.PermStatsRead, false},
		{"region_admin of 12", regional, db.Scope{Region: "12"}, authz.PermEntiProvision, true},
		{"region_admin of 12 in 03", regional, db.Scope{Region: "03"}, authz.PermEntiProvision, false},
		{"region_admin of 12 in 03, stats", regional, db.Scope{Region: "03"}, authz.PermStatsRead, false},
		{"region_admin of 12 in an ente", regional, db.Scope{Tenant: tenantA}, authz.PermPeopleRead, false},
		{"region_admin role given in an ente", regional, db.Scope{Tenant: tenantB}, authz.PermEntiProvision, false},
		{"region_admin of 12 on the platform", regional, db.Scope{Platform: true}, authz.PermRegionsManage, false},
	} {
		if got := can(t, e, tc.op, tc.scope, tc.perm); got != tc.want {
			t.Errorf("%s: Can(%s) = %v, want %v", tc.name, tc.perm, got, tc.want)
		}
	}

	roles, err := e.RolesOf(ctx, op, db.Scope{Tenant: tenantB})
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) != 0 {
		t.Errorf("RolesOf(op, B) = %v, want none", roles)
	}
	granted, err := e.Granted(ctx, regional, db.Scope{Tenant: tenantB})
	if err != nil {
		t.Fatal(err)
	}
	if len(granted) != 0 {
		t.Errorf("Granted(region_admin, B) = %v, want none", granted)
	}
}

func TestCanErrors(t *testing.T) {
	e := newEnforcer(t, newFakeAssignments(), authz.Options{})
	ctx := context.Background()
	if _, err := e.Can(ctx, uuid.New(), db.Scope{}, authz.PermPeopleRead); !errors.Is(err, derrors.ErrForbidden) {
		t.Errorf("Can with the zero scope: err = %v, want ErrForbidden", err)
	}
	if _, err := e.Can(ctx, uuid.New(), db.Scope{Platform: true}, "people:fly"); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("Can with an unknown permission: err = %v, want ErrInvalid", err)
	}
}

func TestPlatformAndRoles(t *testing.T) {
	a := newFakeAssignments()
	admin := uuid.New()
	a.assign(db.Scope{Platform: true}, admin, "platform_admin")
	e := newEnforcer(t, a, authz.Options{})
	if !can(t, e, admin, db.Scope{Platform: true}, authz.PermRegionAdminsManage) {
		t.Error("platform_admin may not manage regional administrators")
	}
	if can(t, e, admin, db.Scope{Region: "12"}, authz.PermEntiProvision) {
		t.Error("platform_admin may provision enti in a region it does not administer")
	}
	roles, err := e.RolesOf(context.Background(), admin, db.Scope{Platform: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"platform_admin"}, roles); diff != "" {
		t.Errorf("RolesOf (-want +got):\n%s", diff)
	}
}

// TestDecisionsMatchCasbin: for every operator and every permission of a
// domain with built-in and custom roles, Can answers what casbin's Enforce
// answers on the domain's enforcer.
func TestDecisionsMatchCasbin(t *testing.T) {
	ctx := context.Background()
	tenant := pg.NewTenant(t)
	scope := db.Scope{Tenant: tenant}
	a := newFakeAssignments()
	e := newEnforcer(t, a, authz.Options{})
	if err := e.SaveRole(ctx, tenant, authz.Role{Name: "educatore", LabelIT: "Educatore",
		Permissions: []string{authz.PermDiaryRead, authz.PermPlansWrite}}); err != nil {
		t.Fatal(err)
	}
	var ops []uuid.UUID
	for _, roles := range [][]string{
		{"tenant_admin"}, {"coordinator"}, {"social_worker"}, {"intake_operator"}, {"administrative"}, {"auditor"},
		{"educatore"}, {"educatore", "administrative"}, {"region_admin"}, {"no_such_role"}, {},
	} {
		op := uuid.New()
		a.assign(scope, op, roles...)
		ops = append(ops, op)
	}
	ops = append(ops, uuid.New()) // no membership at all
	ce, err := e.CasbinEnforcer(ctx, scope)
	if err != nil {
		t.Fatal(err)
	}
	allowed := 0
	for _, op := range ops {
		for _, p := range authz.Permissions() {
			obj, act, _ := strings.Cut(p.Name, ":")
			want, err := ce.Enforce(op.String(), authz.DomainOf(scope), obj, act)
			if err != nil {
				t.Fatal(err)
			}
			if got := can(t, e, op, scope, p.Name); got != want {
				t.Errorf("operator %s, %s: Can %v, casbin Enforce %v", op, p.Name, got, want)
			}
			if want {
				allowed++
			}
		}
	}
	if allowed < 40 {
		t.Errorf("only %d decisions allowed: the comparison covers too little", allowed)
	}
}
