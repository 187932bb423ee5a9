package households

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sigess/sigess/internal/derrors"
)

func TestCreateGetAudited(t *testing.T) {
	ctx := context.Background()
	s := newService()
	tenant := pg.NewTenant(t)
	anna, luca := person(t, tenant, "Verdi", "Anna"), person(t, tenant, "Verdi", "Luca")
	h, err := s.Create(ctx, tenant, NewHousehold{Address: " Via Roma 1 ", Members: []MemberInput{
		{PersonID: anna, Relationship: Head, Cohabiting: true},
		{PersonID: luca, Relationship: "child", Cohabiting: true, From: day(2020, 5, 1)},
	}}, operator)
	if err != nil {
		t.Fatal(err)
	}
	if h.Name != "Nucleo Verdi Anna" || h.Address != "Via Roma 1" {
		t.Errorf("name %q address %q; want the head's name and a trimmed address", h.Name, h.Address)
	}
	got, err := s.Get(ctx, tenant, h.ID, operator)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Name, Rel string
		From      string
		Current   bool
	}
	var rows []row
	for _, m := range got.Members {
		rows = append(rows, row{m.Name, m.Relationship, m.From.String(), m.CurrentOn(s.today())})
	}
	want := []row{{"Verdi Luca", "child", "2020-05-01", true}, {"Verdi Anna", Head, "2025-03-10", true}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	if _, err := s.Update(ctx, tenant, h.ID, Details{Name: "Famiglia Verdi", Address: "Via Roma 1"}, operator); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, tenant, h.ID, Details{Name: "  "}, operator); !cmp.Equal(fieldNames(err), []string{"name"}) {
		t.Errorf("update with no name: %v; want a field error on name", err)
	}
	ev := trail(t, tenant, "household")
	if diff := cmp.Diff([]string{"household.member_added", "household.member_added", "household.created", "household.viewed", "household.updated"},
		actions(ev)); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	for _, e := range ev {
		if e.ObjectID != h.ID.String() || e.ActorID != operator.ID || e.IP != operator.IP {
			t.Errorf("%s: object %s actor %s ip %s; want the household, the operator and their address", e.Action, e.ObjectID, e.ActorID, e.IP)
		}
	}
	if f := ev[len(ev)-1].Details["fields"]; !cmp.Equal(f, []any{"name"}) {
		t.Errorf("household.updated fields %v; want [name]", f)
	}

	// Another ente sees nothing, and cannot add its people to it.
	other := pg.NewTenant(t)
	if _, err := s.Get(ctx, other, h.ID, operator); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Get from another ente: %v; want not found", err)
	}
	if _, err := s.AddMember(ctx, other, h.ID, MemberInput{PersonID: person(t, other, "Neri", "Ugo"), Relationship: "carer"}, operator); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("AddMember from another ente: %v; want not found", err)
	}
	if _, err := s.AddMember(ctx, tenant, h.ID, MemberInput{PersonID: person(t, other, "Neri", "Ugo"), Relationship: "carer"}, operator); !cmp.Equal(fieldNames(err), []string{"person_id"}) {
		t.Errorf("adding another ente's person: %v; want a field error on person_id", err)
	}
}

func TestCreateValidation(t *testing.T) {
	ctx := context.Background()
	s := newService()
	tenant := pg.NewTenant(t)
	anna, luca := person(t, tenant, "Gialli", "Anna"), person(t, tenant, "Gialli", "Luca")
	for _, tc := range []struct {
		name string
		in   NewHousehold
		want []string
	}{
		{"no name, no members", NewHousehold{}, []string{"name"}},
		{"unknown relationship", NewHousehold{Members: []MemberInput{{PersonID: anna, Relationship: "cousin"}}}, []string{"relationship"}},
		{"two heads", NewHousehold{Members: []MemberInput{{PersonID: anna, Relationship: Head}, {PersonID: luca, Relationship: Head}}}, []string{"relationship"}},
		{"second member bad", NewHousehold{Members: []MemberInput{{PersonID: anna, Relationship: Head}, {Relationship: "child", From: day(2024, 1, 1), To: day(2023, 1, 1)}}},
			[]string{"members[1].person_id", "members[1].to"}},
		{"unknown person", NewHousehold{Name: "X", Members: []MemberInput{{PersonID: uuid.New(), Relationship: Head}}}, []string{"person_id"}},
		{"same person twice", NewHousehold{Members: []MemberInput{{PersonID: anna, Relationship: Head}, {PersonID: anna, Relationship: "child"}}},
			[]string{"members[1].person_id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := s.Create(ctx, tenant, tc.in, operator)
			if h != nil || !errors.Is(err, derrors.ErrInvalid) {
				t.Fatalf("Create = %v, %v; want invalid", h, err)
			}
			if diff := cmp.Diff(tc.want, fieldNames(err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	// Nothing half-written: no household, no membership, no event.
	var n int
	if err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM households) + (SELECT count(*) FROM household_members)`).Scan(&n)
	}); err != nil || n != 0 {
		t.Errorf("after invalid creates: %d rows, %v; want none", n, err)
	}
	if ev := trail(t, tenant, "household"); len(ev) != 0 {
		t.Errorf("invalid creates audited: %v", actions(ev))
	}
}

// TestOneCohabitingHousehold: a person lives in one household at a time; they
// may be counted in others without living there, and move once the first
// membership ends.
func TestOneCohabitingHousehold(t *testing.T) {
	ctx := context.Background()
	s := newService()
	tenant := pg.NewTenant(t)
	mario, carla := person(t, tenant, "Rossi", "Mario"), person(t, tenant, "Bianchi", "Carla")
	first, err := s.Create(ctx, tenant, NewHousehold{Members: []MemberInput{{PersonID: mario, Relationship: Head, Cohabiting: true, From: day(2010, 1, 1)}}}, operator)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Create(ctx, tenant, NewHousehold{Members: []MemberInput{{PersonID: carla, Relationship: Head, Cohabiting: true, From: day(2015, 1, 1)}}}, operator)
	if err != nil {
		t.Fatal(err)
	}
	add := func(in MemberInput) error {
		_, err := s.AddMember(ctx, tenant, second.ID, in, operator)
		return err
	}
	err = add(MemberInput{PersonID: mario, Relationship: "partner", Cohabiting: true, From: day(2024, 6, 1)})
	if !cmp.Equal(fieldNames(err), []string{"cohabiting"}) || !errors.Is(err, derrors.ErrInvalid) {
		t.Fatalf("moving in while living elsewhere: %v; want a field error on cohabiting", err)
	}
	if msg := Fields(err)[0].Message; msg != "«Rossi Mario» convive già nel nucleo «Nucleo Rossi Mario»: chiudere prima quella appartenenza" {
		t.Errorf("message %q; want it to name the person and the other household", msg)
	}
	// Not living there: allowed.
	if err := add(MemberInput{PersonID: mario, Relationship: "parent", Cohabiting: false, From: day(2024, 6, 1)}); err != nil {
		t.Fatalf("non-cohabiting membership: %v", err)
	}
	// ...but not twice in the same household at once.
	if err := add(MemberInput{PersonID: mario, Relationship: "parent", From: day(2024, 7, 1)}); !cmp.Equal(fieldNames(err), []string{"person_id"}) {
		t.Errorf("same person twice: %v; want a field error on person_id", err)
	}
	if err := add(MemberInput{PersonID: mario, Relationship: Head}); !cmp.Equal(fieldNames(err), []string{"person_id"}) {
		t.Errorf("second head (same person): %v", err)
	}

	// Mario leaves the first household on 2025-01-01 and may then live in a third.
	mm := first.Members[0]
	if _, err := s.EndMember(ctx, tenant, first.ID, mm.ID, day(2025, 1, 1), operator); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EndMember(ctx, tenant, first.ID, mm.ID, day(2025, 2, 1), operator); !cmp.Equal(fieldNames(err), []string{"to"}) {
		t.Errorf("ending twice: %v; want a field error on to", err)
	}
	third, err := s.Create(ctx, tenant, NewHousehold{Name: "Nuovo", Members: []MemberInput{{PersonID: mario, Relationship: Head, Cohabiting: true, From: day(2025, 1, 1)}}}, operator)
	if err != nil {
		t.Fatalf("moving in after leaving: %v", err)
	}
	// Back-dated into the time he still lived in the first: refused.
	_, err = s.Create(ctx, tenant, NewHousehold{Name: "Vecchio", Members: []MemberInput{{PersonID: mario, Relationship: Head, Cohabiting: true, From: day(2024, 12, 1), To: day(2025, 1, 1)}}}, operator)
	if !cmp.Equal(fieldNames(err), []string{"cohabiting"}) {
		t.Errorf("overlapping past cohabitation: %v; want a field error on cohabiting", err)
	}

	// The database holds the rule even without the service's check.
	err = pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO household_members (tenant_id, household_id, person_id, relationship, cohabiting, valid_from)
			VALUES ($1, $2, $3, 'partner', true, '2025-03-01')`, tenant, second.ID, mario)
		return err
	})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.ConstraintName != "household_members_one_cohabiting" {
		t.Errorf("direct insert of a second cohabitation: %v; want the exclusion constraint", err)
	}

	// His history, current first.
	sums, err := s.List(ctx, tenant, mario, operator)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID         uuid.UUID
		Cohabiting bool
		To         string
	}
	var got []row
	for _, sm := range sums {
		to := ""
		if !sm.Member.To.IsZero() {
			to = sm.Member.To.String()
		}
		got = append(got, row{sm.ID, sm.Member.Cohabiting, to})
	}
	want := []row{{third.ID, true, ""}, {second.ID, false, ""}, {first.ID, true, "2025-01-01"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}

	// Candidates tell who lives where today.
	cs, err := s.Candidates(ctx, tenant, "Rossi Mario")
	if err != nil || len(cs) == 0 || cs[0].LivesIn != "Nuovo" {
		t.Errorf("Candidates = %+v, %v; want Mario living in Nuovo", cs, err)
	}
}

func TestMembershipsAreHistory(t *testing.T) {
	ctx := context.Background()
	tenant := pg.NewTenant(t)
	s := newService()
	h, err := s.Create(ctx, tenant, NewHousehold{Members: []MemberInput{{PersonID: person(t, tenant, "Blu", "Ada"), Relationship: Head, Cohabiting: true}}}, operator)
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{`DELETE FROM household_members`, `DELETE FROM households`, `DELETE FROM isee_records`, `UPDATE isee_records SET value_cents = 0`} {
		err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error { _, err := tx.Exec(ctx, sql); return err })
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("%s as the runtime role: %v; want permission denied", sql, err)
		}
	}
	if got, _ := s.Get(ctx, tenant, h.ID, operator); got == nil || len(got.Members) != 1 {
		t.Errorf("household after the attempts: %+v", got)
	}
}
