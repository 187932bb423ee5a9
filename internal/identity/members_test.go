package identity

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

func TestCreate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	a := pg.NewTenant(t)
	unit := newUnit(t, a)
	if err := pg.DB.InTenant(ctx, a, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO roles (tenant_id, name, label) VALUES ($1, 'educatore', 'Educatore')`, a)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	email := uniqueEmail("anna")
	tc := newTaxCode()
	m, err := e.Create(ctx, a, NewOperator{Email: "  " + strings.ToUpper(email), Name: " Anna Rossi ", TaxCode: strings.ToLower(tc),
		Profile: "assistente sociale", Password: goodPassword, Roles: []string{"social_worker", "educatore", "social_worker"},
		Units: []uuid.UUID{unit}}, admin)
	if err != nil {
		t.Fatal(err)
	}
	want := &Member{
		Operator: Operator{ID: m.ID, Email: email, Name: "Anna Rossi", TaxCode: tc, Profile: "assistente sociale",
			Locale: "it", Status: "active", HasPassword: true},
		Roles: []string{"educatore", "social_worker"}, Units: []uuid.UUID{unit}, MembershipStatus: "active",
	}
	if diff := cmp.Diff(want, m, cmpopts.IgnoreFields(Operator{}, "CreatedAt")); diff != "" {
		t.Errorf("Create (-want +got):\n%s", diff)
	}
	got, err := e.Member(ctx, a, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, got); diff != "" {
		t.Errorf("Member differs from Create's result (-create +member):\n%s", diff)
	}
	ev := lastEvent(t, a)
	if ev.Action != "operator.created" || ev.ActorID != admin.ID || ev.ObjectID != m.ID.String() || ev.IP != admin.IP {
		t.Errorf("event %+v; want operator.created by admin", ev)
	}
	if diff := cmp.Diff([]db.Scope{{Tenant: a}}, e.notified()); diff != "" {
		t.Errorf("notified (-want +got):\n%s", diff)
	}
	_, err = e.Create(ctx, a, NewOperator{Email: email, Name: "Anna"}, admin)
	wantErr(t, "creating a member twice", err, derrors.ErrConflict)
}

func TestCreateValidation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	a, b := pg.NewTenant(t), pg.NewTenant(t)
	foreignUnit := newUnit(t, b)
	taken := e.member(t, b, "Taken")
	takenTC := newTaxCode()
	if err := e.UpdateMember(ctx, b, taken.ID, MemberUpdate{Name: "Taken", TaxCode: takenTC, Status: "active"}, admin); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		in   NewOperator
		want []FieldError
	}{
		{"everything wrong", NewOperator{Email: "not-an-email", TaxCode: "ABC", Password: "short"}, []FieldError{
			{"email", "indirizzo e-mail non valido"}, {"name", "il nome è obbligatorio"},
			{"tax_code", "il codice fiscale deve avere 16 lettere o cifre"}, {"password", "la password deve avere almeno 12 caratteri"}}},
		{"password with the e-mail", NewOperator{Email: "mario.bianchi@x.it", Name: "Mario", Password: "ciao-mario.bianchi"},
			[]FieldError{{"password", "la password non deve contenere il nome dell'indirizzo e-mail"}}},
		{"unknown role", NewOperator{Email: uniqueEmail("r"), Name: "R", Roles: []string{"region_admin", "boss"}},
			[]FieldError{{"roles", "ruoli sconosciuti: boss, region_admin"}}},
		{"unit of another ente", NewOperator{Email: uniqueEmail("u"), Name: "U", Units: []uuid.UUID{foreignUnit}},
			[]FieldError{{"units", "una delle unità scelte non è di questo ente"}}},
		{"tax code of another operator", NewOperator{Email: uniqueEmail("t"), Name: "T", TaxCode: strings.ToLower(takenTC)},
			[]FieldError{{"tax_code", "questo codice fiscale è già di un altro operatore"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.Create(ctx, a, tc.in, admin)
			wantErr(t, "Create", err, derrors.ErrInvalid)
			if diff := cmp.Diff(tc.want, Fields(err)); diff != "" {
				t.Errorf("field errors (-want +got):\n%s", diff)
			}
		})
	}
	if ms, err := e.Members(ctx, a); err != nil || len(ms) != 0 {
		t.Errorf("members after refused creations: %v, %v; want none", ms, err)
	}
}

func TestCreateExistingAccountInAnotherEnte(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	a, b := pg.NewTenant(t), pg.NewTenant(t)
	amb := e.member(t, a, "Ambra", "social_worker")
	m, err := e.Create(ctx, b, NewOperator{Email: amb.Email, Name: "Someone Else", Password: "a-different-password",
		Roles: []string{"coordinator"}}, admin)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != amb.ID || m.Name != "Ambra" || !slices.Equal(m.Roles, []string{"coordinator"}) {
		t.Errorf("member at B = %+v; want Ambra's account, coordinator", m)
	}
	if ev := lastEvent(t, b); ev.Action != "operator.membership_added" {
		t.Errorf("event at B = %s; want operator.membership_added", ev.Action)
	}
	// One account, one password, two enti; the roles are each ente's.
	for _, tenant := range []uuid.UUID{a, b} {
		if _, err := e.Login(ctx, db.Scope{Tenant: tenant}, amb.Email, goodPassword, Client{}); err != nil {
			t.Errorf("login at %s: %v", tenant, err)
		}
	}
	ra, _ := e.RoleAssignments(ctx, db.Scope{Tenant: a})
	rb, _ := e.RoleAssignments(ctx, db.Scope{Tenant: b})
	if !slices.Equal(ra[amb.ID], []string{"social_worker"}) || !slices.Equal(rb[amb.ID], []string{"coordinator"}) {
		t.Errorf("roles at A %v, at B %v", ra[amb.ID], rb[amb.ID])
	}
}

func TestMembersAreIsolated(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	a, b := pg.NewTenant(t), pg.NewTenant(t)
	zoe := e.member(t, a, "Zoe", "social_worker")
	e.member(t, a, "Adam", "auditor")
	bea := e.member(t, b, "Bea", "social_worker")

	ms, err := e.Members(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms {
		names = append(names, m.Name)
	}
	if diff := cmp.Diff([]string{"Adam", "Zoe"}, names); diff != "" {
		t.Errorf("members of A by name (-want +got):\n%s", diff)
	}

	_, err = e.Member(ctx, b, zoe.ID)
	wantErr(t, "B reads A's member", err, derrors.ErrNotFound)
	err = e.UpdateMember(ctx, b, zoe.ID, MemberUpdate{Name: "Hacked", Roles: []string{"tenant_admin"}, Status: "active"}, admin)
	wantErr(t, "B updates A's member", err, derrors.ErrNotFound)
	_, err = e.Get(ctx, db.Scope{Tenant: b}, zoe.ID)
	wantErr(t, "B gets A's operator", err, derrors.ErrNotFound)
	err = e.SetLocale(ctx, db.Scope{Tenant: b}, zoe.ID, "en")
	wantErr(t, "B sets A's operator's locale", err, derrors.ErrNotFound)
	if got, _ := e.Member(ctx, a, zoe.ID); got.Name != "Zoe" || got.Locale != "it" {
		t.Errorf("Zoe after B's attempts: %+v", got)
	}
	if bs, err := e.Members(ctx, b); err != nil || len(bs) != 1 || bs[0].ID != bea.ID {
		t.Errorf("members of B = %v, %v; want Bea only", bs, err)
	}
}

func TestUpdateMember(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	a := pg.NewTenant(t)
	u1, u2 := newUnit(t, a), newUnit(t, a)
	m := e.member(t, a, "Marta", "social_worker")
	err := e.UpdateMember(ctx, a, m.ID, MemberUpdate{Name: "Marta Verdi", Profile: "coordinatrice",
		Roles: []string{"coordinator", "social_worker"}, Units: []uuid.UUID{u1, u2}, Status: "active"}, admin)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := e.Member(ctx, a, m.ID)
	wantUnits := []uuid.UUID{u1, u2}
	slices.SortFunc(wantUnits, func(x, y uuid.UUID) int { return strings.Compare(x.String(), y.String()) })
	if got.Name != "Marta Verdi" || got.Profile != "coordinatrice" || !slices.Equal(got.Roles, []string{"coordinator", "social_worker"}) ||
		!slices.Equal(got.Units, wantUnits) {
		t.Errorf("after update: %+v", got)
	}
	ev := lastEvent(t, a)
	if diff := cmp.Diff(map[string]any{"roles_before": []any{"social_worker"}, "roles_after": []any{"coordinator", "social_worker"}},
		map[string]any{"roles_before": ev.Details["roles_before"], "roles_after": ev.Details["roles_after"]}); ev.Action != "operator.updated" || diff != "" {
		t.Errorf("event %s (-want +got):\n%s", ev.Action, diff)
	}

	for _, tc := range []struct {
		name string
		u    MemberUpdate
		want []string
	}{
		{"no name, bad status", MemberUpdate{Status: "gone"}, []string{"name", "status"}},
		{"unknown role", MemberUpdate{Name: "M", Roles: []string{"platform_admin"}, Status: "active"}, []string{"roles"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.UpdateMember(ctx, a, m.ID, tc.u, admin)
			if diff := cmp.Diff(tc.want, fieldNames(err)); diff != "" {
				t.Errorf("UpdateMember: %v (-want +got):\n%s", err, diff)
			}
		})
	}

	// Disabling the membership shuts Marta out and removes her roles.
	if err := e.UpdateMember(ctx, a, m.ID, MemberUpdate{Name: "Marta Verdi", Roles: []string{"coordinator"}, Status: "disabled"}, admin); err != nil {
		t.Fatal(err)
	}
	_, err = e.Login(ctx, db.Scope{Tenant: a}, m.Email, goodPassword, Client{})
	wantErr(t, "login when disabled", err, ErrBadCredentials)
	roles, err := e.RoleAssignments(ctx, db.Scope{Tenant: a})
	if _, ok := roles[m.ID]; ok || err != nil {
		t.Errorf("RoleAssignments after disabling = %v, %v; want Marta absent", roles, err)
	}
	if n := len(e.notified()); n != 3 {
		t.Errorf("%d notifications; want 3 (create, two updates)", n)
	}
}

func TestOperatorForSSO(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	a, b := pg.NewTenant(t), pg.NewTenant(t)
	tc := newTaxCode()
	m, err := e.Create(ctx, a, NewOperator{Email: uniqueEmail("sso"), Name: "Sara", TaxCode: tc}, admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name           string
		tenant         uuid.UUID
		email, taxCode string
		wantErr        error
	}{
		{"by tax code", a, "other@x.it", strings.ToLower(tc), nil},
		{"by SPID-style tax code", a, "", "TINIT-" + tc, nil},
		{"by e-mail", a, strings.ToUpper(m.Email), "", nil},
		{"unknown tax code", a, m.Email, "XXXXXX80A41H501U", derrors.ErrNotFound},
		{"other ente", b, m.Email, "", derrors.ErrNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			op, err := e.OperatorForSSO(ctx, c.tenant, c.email, c.taxCode)
			if c.wantErr != nil {
				wantErr(t, "OperatorForSSO", err, c.wantErr)
				return
			}
			if err != nil || op.ID != m.ID {
				t.Errorf("OperatorForSSO = %v, %v; want Sara", op, err)
			}
		})
	}
	if err := e.SetLocale(ctx, db.Scope{Tenant: a}, m.ID, "en"); err != nil {
		t.Fatal(err)
	}
	if op, _ := e.Get(ctx, db.Scope{Tenant: a}, m.ID); op.Locale != "en" {
		t.Errorf("locale = %s; want en", op.Locale)
	}
	if err := e.SetLocale(ctx, db.Scope{Tenant: a}, m.ID, "fr"); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("SetLocale(fr) = %v; want ErrInvalid", err)
	}
}
