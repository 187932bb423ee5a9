package identity

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

func newRegion(t *testing.T, code string) {
	t.Helper()
	ctx := context.Background()
	if err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO regions (code, slug, name) VALUES ($1, $2, $2) ON CONFLICT DO NOTHING`, code, "r"+code)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func TestRegionAndPlatformAdmins(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	a := pg.NewTenant(t) // region 12
	newRegion(t, "03")
	worker := e.member(t, a, "Walter", "social_worker")

	for _, tc := range []struct {
		name  string
		roles []string
		want  []string
	}{
		{"no roles", nil, []string{"roles"}},
		{"ente role", []string{"tenant_admin"}, []string{"roles"}},
	} {
		_, err := e.CreateRegionAdmin(ctx, "12", NewOperator{Email: uniqueEmail("r"), Name: "R", Roles: tc.roles}, admin)
		if diff := cmp.Diff(tc.want, fieldNames(err)); diff != "" {
			t.Errorf("%s: %v (-want +got):\n%s", tc.name, err, diff)
		}
	}
	_, err := e.CreateRegionAdmin(ctx, "99", NewOperator{Email: uniqueEmail("r"), Name: "R", Roles: []string{"region_admin"}}, admin)
	wantErr(t, "unknown region", err, derrors.ErrNotFound)

	rita, err := e.CreateRegionAdmin(ctx, "12", NewOperator{Email: uniqueEmail("rita"), Name: "Rita", Password: goodPassword,
		Roles: []string{"region_admin"}}, admin)
	if err != nil {
		t.Fatal(err)
	}
	// Walter's existing account becomes an analyst of region 03.
	walter, err := e.CreateRegionAdmin(ctx, "03", NewOperator{Email: worker.Email, Name: "ignored", Roles: []string{"region_analyst"}}, admin)
	if err != nil || walter.ID != worker.ID || walter.Name != "Walter" {
		t.Fatalf("CreateRegionAdmin for an existing account = %+v, %v", walter, err)
	}
	_, err = e.CreateRegionAdmin(ctx, "03", NewOperator{Email: worker.Email, Name: "W", Roles: []string{"region_admin"}}, admin)
	wantErr(t, "twice", err, derrors.ErrConflict)

	// Region 12 is shared with other tests: look for ours only.
	ras, err := e.RegionAdmins(ctx, "12")
	found := map[uuid.UUID][]string{}
	for _, ra := range ras {
		found[ra.ID] = ra.Roles
	}
	if diff := cmp.Diff(map[uuid.UUID][]string{rita.ID: {"region_admin"}}, onlyKnown(found, rita.ID, worker.ID)); err != nil || diff != "" {
		t.Errorf("RegionAdmins(12): %v (-want +got):\n%s", err, diff)
	}

	// Rita logs in to her region only.
	if _, err := e.Login(ctx, db.Scope{Region: "12"}, rita.Email, goodPassword, Client{}); err != nil {
		t.Errorf("Rita at region 12: %v", err)
	}
	for _, scope := range []db.Scope{{Region: "03"}, {Tenant: a}, {Platform: true}} {
		_, err := e.Login(ctx, scope, rita.Email, goodPassword, Client{})
		wantErr(t, "Rita at "+scopeKey(scope), err, ErrBadCredentials)
	}
	// The failure at region 03 is in that region's console trail.
	if got := trail(t, db.Scope{Region: "03"}); !slices.Contains(got, "auth.login_failed:unknown") {
		t.Errorf("trail of region 03 = %v; want the failed login", got)
	}

	pa, err := e.CreatePlatformAdmin(ctx, NewOperator{Email: uniqueEmail("plat"), Name: "Paola", Password: goodPassword})
	if err != nil || !pa.PlatformAdmin {
		t.Fatalf("CreatePlatformAdmin = %+v, %v", pa, err)
	}
	_, err = e.CreatePlatformAdmin(ctx, NewOperator{Email: pa.Email, Name: "Paola"})
	wantErr(t, "platform admin twice", err, derrors.ErrConflict)
	if _, err := e.Login(ctx, db.Scope{Platform: true}, pa.Email, goodPassword, Client{}); err != nil {
		t.Errorf("Paola at the platform: %v", err)
	}
	platformTrail := trail(t, db.Scope{Platform: true})
	for _, want := range []string{"operator.created", "operator.region_added"} {
		if !slices.Contains(platformTrail, want) {
			t.Errorf("platform trail %v lacks %s", platformTrail, want)
		}
	}

	for _, tc := range []struct {
		scope db.Scope
		id    uuid.UUID
		want  []string
	}{
		{db.Scope{Tenant: a}, worker.ID, []string{"social_worker"}},
		{db.Scope{Region: "12"}, rita.ID, []string{"region_admin"}},
		{db.Scope{Region: "03"}, worker.ID, []string{"region_analyst"}},
		{db.Scope{Platform: true}, pa.ID, []string{"platform_admin"}},
	} {
		got, err := e.RoleAssignments(ctx, tc.scope)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[uuid.UUID][]string{tc.id: tc.want}, onlyKnown(got, worker.ID, rita.ID, pa.ID)); diff != "" {
			t.Errorf("RoleAssignments(%s) (-want +got):\n%s", scopeKey(tc.scope), diff)
		}
	}
	want := []db.Scope{{Tenant: a}, {Region: "12"}, {Region: "03"}, {Platform: true}}
	if diff := cmp.Diff(want, e.notified()); diff != "" {
		t.Errorf("notified (-want +got):\n%s", diff)
	}
}

// onlyKnown keeps the entries of m for ids (other tests add operators to the
// platform and region 12 concurrently).
func onlyKnown(m map[uuid.UUID][]string, ids ...uuid.UUID) map[uuid.UUID][]string {
	out := map[uuid.UUID][]string{}
	for _, id := range ids {
		if r, ok := m[id]; ok {
			out[id] = r
		}
	}
	return out
}

func TestSeed(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	a := pg.NewTenant(t)
	email := uniqueEmail("demo")
	seeds := []SeedOperator{
		{Tenant: a, Email: email, Name: "Demo", Password: goodPassword, TOTPSecret: seedSecret, Roles: []string{"tenant_admin"}},
		{Region: "12", Email: email, Name: "Changed", Password: "another-password", Roles: []string{"region_analyst"}},
		{Platform: true, Email: email, Name: "Demo"},
	}
	snapshot := func() string {
		var s string
		asOwner(t, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT row(o.name, o.password_hash, o.totp_secret, o.recovery_codes, o.platform_admin,
				(SELECT array_agg(roles::text) FROM memberships WHERE operator_id = o.id),
				(SELECT array_agg(roles::text) FROM region_admins WHERE operator_id = o.id))::text
				FROM operators o WHERE email = $1`, email).Scan(&s)
		})
		return s
	}
	for i, so := range seeds {
		created, err := e.Seed(ctx, so)
		if err != nil || !created {
			t.Fatalf("seed %d: %v, %v; want created", i, created, err)
		}
	}
	before := snapshot()
	for i, so := range seeds {
		created, err := e.Seed(ctx, so)
		if err != nil || created {
			t.Errorf("seed %d again: %v, %v; want nothing created", i, created, err)
		}
	}
	if after := snapshot(); after != before {
		t.Errorf("second Seed changed the account:\n%s\n%s", before, after)
	}
	op, err := e.Login(ctx, db.Scope{Tenant: a}, email, goodPassword, Client{})
	if err != nil || op.Name != "Demo" || !op.MFAEnabled || !op.PlatformAdmin {
		t.Errorf("seeded operator = %+v, %v", op, err)
	}
	_, err = e.Seed(ctx, SeedOperator{Tenant: a, Region: "12", Email: uniqueEmail("x"), Name: "X"})
	if err == nil {
		t.Error("Seed with two scopes accepted")
	}
}
