package people

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/derrors"
)

func TestCreateValidation(t *testing.T) {
	ctx := context.Background()
	s := NewService(pg.DB)
	tenant := pg.NewTenant(t)
	with := func(f func(in *Input)) Input { in := mario(); f(&in); return in }
	for _, tc := range []struct {
		name        string
		in          Input
		wantFields  []string
		confirmable bool
	}{
		{"wrong check character", with(func(in *Input) { in.TaxCode = "RSSMRA80A01H501A" }), []string{"tax_code"}, false},
		{"mismatching birth date", with(func(in *Input) { in.BirthDate = Date{1980, 1, 2} }), []string{"birth_date"}, true},
		{"mismatching sex and name", with(func(in *Input) { in.Sex = "F"; in.FirstName = "Marco" }), []string{"first_name", "sex"}, true},
		{"unknown Belfiore code", with(func(in *Input) { in.BirthPlace = "A000" }), []string{"birth_place"}, false},
		{"missing fields", Input{}, []string{"last_name", "first_name", "sex", "birth_date", "birth_place"}, false},
		{"bad residence, e-mail, citizenship", with(func(in *Input) { in.Residence = "999999"; in.Email = "x"; in.Citizenship = "IT" }),
			[]string{"citizenship", "residence", "email"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _, err := s.Create(ctx, tenant, tc.in, operator, false)
			var ve *ValidationError
			if p != nil || !errors.As(err, &ve) || !errors.Is(err, derrors.ErrInvalid) {
				t.Fatalf("Create = %v, %v; want a ValidationError", p, err)
			}
			var got []string
			for _, f := range ve.Fields {
				got = append(got, f.Field)
			}
			if diff := cmp.Diff(tc.wantFields, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			if ve.Confirmable != tc.confirmable {
				t.Errorf("Confirmable = %v, want %v", ve.Confirmable, tc.confirmable)
			}
		})
	}
	if hits, _ := s.Search(ctx, tenant, Query{Text: "Rossi Mario"}); len(hits) != 0 {
		t.Errorf("invalid input created %d people", len(hits))
	}

	// A mismatch the operator confirmed is accepted, kept on the record and audited.
	in := with(func(in *Input) { in.BirthDate = Date{1980, 1, 2}; in.AcceptMismatch = true })
	p, _, err := s.Create(ctx, tenant, in, operator, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Mismatches) != 1 || p.Mismatches[0].Field != "birth_date" {
		t.Errorf("accepted mismatches = %+v; want birth_date", p.Mismatches)
	}
	ev := trail(t, tenant)
	if last := ev[len(ev)-1]; last.Action != "person.created" || last.Details["mismatches_accepted"] == nil || last.ObjectID != p.ID.String() {
		t.Errorf("audit = %s %v; want person.created with mismatches_accepted", last.Action, last.Details)
	}
}

func TestCreateGetUpdate(t *testing.T) {
	ctx := context.Background()
	s := NewService(pg.DB)
	tenant := pg.NewTenant(t)
	in := mario()
	in.TaxCode = "rssmra 80a01 h501u"
	in.Details = map[string]any{"civil_status": "married"}
	p := create(t, s, tenant, in)
	if p.TaxCode != "RSSMRA80A01H501U" || p.ProvisionalID != "" || p.Version != 1 || p.Citizenship != "380" {
		t.Errorf("created %+v; want normalised tax code, no provisional id, version 1, citizenship 380", p)
	}
	got, err := s.Get(ctx, tenant, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("Get (-created +got):\n%s", diff)
	}

	// Without a tax code: a provisional identifier, unique in the ente.
	anon := Input{FirstName: "Fatima", LastName: "El Amrani", Sex: "F", BirthDate: Date{1990, 5, 3}, BirthPlace: "Z330", Citizenship: "504"}
	a := create(t, s, tenant, anon)
	if !regexp.MustCompile(`^PROV-[0-9A-Z]{4}-[0-9A-Z]{4}$`).MatchString(a.ProvisionalID) || a.TaxCode != "" {
		t.Errorf("provisional id %q, tax code %q; want PROV-XXXX-XXXX and none", a.ProvisionalID, a.TaxCode)
	}

	// Update: changed fields audited, a version written, stale versions refused.
	in.Phone, in.Version = "06 1234567", p.Version
	up, err := s.Update(ctx, tenant, p.ID, in, operator)
	if err != nil {
		t.Fatal(err)
	}
	if up.Version != 2 || up.Phone != "06 1234567" {
		t.Errorf("updated version %d phone %q; want 2, 06 1234567", up.Version, up.Phone)
	}
	ev := trail(t, tenant)
	if last := ev[len(ev)-1]; last.Action != "person.updated" || !cmp.Equal(last.Details["fields"], []any{"phone"}) {
		t.Errorf("audit %s %v; want person.updated of phone", last.Action, last.Details)
	}
	if _, err := s.Update(ctx, tenant, p.ID, in, operator); !errors.Is(err, ErrStale) {
		t.Errorf("update from version 1 again: %v; want ErrStale", err)
	}
	in.Version = up.Version
	if same, err := s.Update(ctx, tenant, p.ID, in, operator); err != nil || same.Version != 2 {
		t.Errorf("update changing nothing: version %v, %v; want 2 (no new version)", same.Version, err)
	}
	vs, err := s.Versions(ctx, tenant, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, v := range vs {
		actions = append(actions, v.Action+":"+v.Data.Phone)
	}
	if diff := cmp.Diff([]string{"created:", "updated:06 1234567"}, actions); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}

	// The provisional person gets a tax code later; another's is refused.
	anon.TaxCode, anon.Version = in.TaxCode, a.Version
	anon.FirstName, anon.LastName, anon.Sex, anon.BirthDate, anon.BirthPlace = in.FirstName, in.LastName, in.Sex, in.BirthDate, in.BirthPlace
	if _, err := s.Update(ctx, tenant, a.ID, anon, operator); !errors.Is(err, ErrTaxCodeTaken) {
		t.Errorf("update to another person's tax code: %v; want ErrTaxCodeTaken", err)
	}
}

func TestDuplicateWarning(t *testing.T) {
	ctx := context.Background()
	s := NewService(pg.DB)
	tenant := pg.NewTenant(t)
	p := create(t, s, tenant, mario())

	// The same tax code: a candidate, and never a second record.
	_, cs, err := s.Create(ctx, tenant, mario(), operator, false)
	if err != nil || len(cs) != 1 || cs[0].Reason != "tax_code" || cs[0].Person.ID != p.ID {
		t.Errorf("same tax code: %v, %+v; want one tax_code candidate", err, cs)
	}
	if _, _, err := s.Create(ctx, tenant, mario(), operator, true); !errors.Is(err, ErrTaxCodeTaken) {
		t.Errorf("same tax code forced: %v; want ErrTaxCodeTaken", err)
	}

	// No tax code, a typo in the surname, the same birth date.
	typo := Input{FirstName: "Mario", LastName: "Rosi", Sex: "M", BirthDate: Date{1980, 1, 1}, BirthPlace: "H501"}
	created, cs, err := s.Create(ctx, tenant, typo, operator, false)
	if err != nil || created != nil || len(cs) != 1 || cs[0].Reason != "name_birth_date" {
		t.Fatalf("similar name, same date: %v, %v, %+v; want one name_birth_date candidate and nothing created", created, err, cs)
	}
	// Another year: not a duplicate.
	other := typo
	other.BirthDate = Date{1985, 1, 1}
	if created, cs, err := s.Create(ctx, tenant, other, operator, false); err != nil || created == nil || len(cs) != 0 {
		t.Errorf("similar name, other year: %v, %v, %+v; want created", created, err, cs)
	}
	// Confirmed by the operator: created, the override audited.
	created, _, err = s.Create(ctx, tenant, typo, operator, true)
	if err != nil || created == nil {
		t.Fatalf("forced: %v, %v", created, err)
	}
	ev := trail(t, tenant)
	if last := ev[len(ev)-1]; !cmp.Equal(last.Details["duplicates_overridden"], []any{p.ID.String()}) {
		t.Errorf("audit details %v; want duplicates_overridden [%s]", last.Details, p.ID)
	}
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s := NewService(pg.DB)
	tenant := pg.NewTenant(t)
	rossi := create(t, s, tenant, mario())
	rossi85 := create(t, s, tenant, Input{FirstName: "Mario", LastName: "Rossi", Sex: "M", BirthDate: Date{1985, 3, 3}, BirthPlace: "H501"})
	verdi := create(t, s, tenant, Input{TaxCode: "VRDGPP13R10B293P", FirstName: "Giuseppe", LastName: "Verdi", Sex: "M",
		BirthDate: Date{1913, 10, 10}, BirthPlace: "B293"})
	bianchi := create(t, s, tenant, Input{TaxCode: "BNCLRA85T52Z404Y", FirstName: "Laura", LastName: "Bianchi", Sex: "F",
		BirthDate: Date{1985, 12, 12}, BirthPlace: "Z404", Citizenship: "840"})
	grazia := create(t, s, tenant, Input{FirstName: "Maria Grazia", LastName: "De Luca", Sex: "F",
		BirthDate: Date{1950, 2, 2}, BirthPlace: "H501"})
	for _, tc := range []struct {
		name string
		q    Query
		want []uuid.UUID
	}{
		{"full tax code", Query{Text: "RSSMRA80A01H501U"}, []uuid.UUID{rossi.ID}},
		{"tax code prefix, any case", Query{Text: "vrdgpp1"}, []uuid.UUID{verdi.ID}},
		{"tax code prefix matching none", Query{Text: "VRDGPP14"}, nil},
		{"surname and name", Query{Text: "Rossi Mario"}, []uuid.UUID{rossi.ID, rossi85.ID}},
		{"typo", Query{Text: "Rosi Mario", BirthYear: 1980}, []uuid.UUID{rossi.ID}},
		{"name first", Query{Text: "laura bianchi"}, []uuid.UUID{bianchi.ID}},
		{"surname only, typo", Query{Text: "Verdl"}, []uuid.UUID{verdi.ID}},
		{"name first, typo", Query{Text: "Mario Rosi"}, []uuid.UUID{rossi.ID, rossi85.ID}},
		{"a letter doubled and one swapped", Query{Text: "Rossi Mraio"}, []uuid.UUID{rossi.ID, rossi85.ID}},
		{"start of the name", Query{Text: "rossi ma"}, []uuid.UUID{rossi.ID, rossi85.ID}},
		{"compound surname, name first", Query{Text: "Maria Grazia De Luca"}, []uuid.UUID{grazia.ID}},
		{"second name only", Query{Text: "De Luca Grazia"}, []uuid.UUID{grazia.ID}},
		{"birth year filter", Query{Text: "Rossi", BirthYear: 1985}, []uuid.UUID{rossi85.ID}},
		{"unrelated name", Query{Text: "Esposito Gennaro"}, nil},
		{"empty", Query{Text: "  "}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits, err := s.Search(ctx, tenant, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []uuid.UUID
			for _, h := range hits {
				got = append(got, h.Person.ID)
			}
			// Equal scores (the two Mario Rossi) have no meaningful order.
			if diff := cmp.Diff(tc.want, got, cmpSortedIDs(len(tc.want) > 1)); diff != "" {
				t.Errorf("Search(%+v) (-want +got):\n%s", tc.q, diff)
			}
		})
	}
}

func cmpSortedIDs(sorted bool) cmp.Option {
	if !sorted {
		return cmp.Options{}
	}
	return cmp.Transformer("sort", func(ids []uuid.UUID) map[uuid.UUID]bool {
		m := map[uuid.UUID]bool{}
		for _, id := range ids {
			m[id] = true
		}
		return m
	})
}

func TestMerge(t *testing.T) {
	ctx := context.Background()
	s := NewService(pg.DB)
	tenant := pg.NewTenant(t)
	var hooked [][2]uuid.UUID
	s.OnMerge(func(_ context.Context, _ pgx.Tx, tn, keep, drop uuid.UUID) error {
		hooked = append(hooked, [2]uuid.UUID{keep, drop})
		return nil
	})
	// The same man registered twice: once provisionally, once with his tax code.
	keep := create(t, s, tenant, Input{FirstName: "Mario", LastName: "Rossi", Sex: "M", BirthDate: Date{1980, 1, 1}, BirthPlace: "H501"})
	drop := create(t, s, tenant, mario())
	if err := s.Merge(ctx, tenant, keep.ID, drop.ID, operator); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][2]uuid.UUID{{keep.ID, drop.ID}}, hooked); diff != "" {
		t.Errorf("hooks ran with (-want +got):\n%s", diff)
	}
	gotDrop, err := s.Get(ctx, tenant, drop.ID)
	if err != nil || gotDrop.MergedInto == nil || *gotDrop.MergedInto != keep.ID {
		t.Fatalf("Get(dropped) = %+v, %v; want merged into %s", gotDrop, err, keep.ID)
	}
	gotKeep, _ := s.Get(ctx, tenant, keep.ID)
	if gotKeep.TaxCode != "RSSMRA80A01H501U" || gotKeep.ProvisionalID != keep.ProvisionalID {
		t.Errorf("kept record: tax code %q provisional %q; want the dropped one's tax code and its own provisional id", gotKeep.TaxCode, gotKeep.ProvisionalID)
	}
	for _, q := range []string{"RSSMRA80A01H501U", "Rossi Mario"} {
		hits, _ := s.Search(ctx, tenant, Query{Text: q})
		if len(hits) != 1 || hits[0].Person.ID != keep.ID {
			t.Errorf("Search(%q) after merge: %d hits; want only the kept record", q, len(hits))
		}
	}
	for id, want := range map[uuid.UUID][]string{keep.ID: {"created", "absorbed"}, drop.ID: {"created", "merged"}} {
		vs, err := s.Versions(ctx, tenant, id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range vs {
			got = append(got, v.Action)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("versions of %s (-want +got):\n%s", id, diff)
		}
	}
	ev := trail(t, tenant)
	last := ev[len(ev)-1]
	if last.Action != "person.merged" || last.ObjectID != keep.ID.String() || last.Details["dropped"] != drop.ID.String() || last.ActorID != operator.ID {
		t.Errorf("audit %s %s %v; want person.merged of %s dropping %s", last.Action, last.ObjectID, last.Details, keep.ID, drop.ID)
	}

	// A merged record can be neither changed nor merged again.
	in := mario()
	in.Version = gotDrop.Version
	if _, err := s.Update(ctx, tenant, drop.ID, in, operator); !errors.Is(err, ErrMerged) {
		t.Errorf("Update(dropped): %v; want ErrMerged", err)
	}
	if err := s.Merge(ctx, tenant, drop.ID, keep.ID, operator); !errors.Is(err, ErrMerged) {
		t.Errorf("Merge into the dropped record: %v; want ErrMerged", err)
	}
	if err := s.Merge(ctx, tenant, keep.ID, keep.ID, operator); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("Merge with itself: %v; want ErrInvalid", err)
	}

	// A failing hook undoes the whole merge.
	other := create(t, s, tenant, Input{FirstName: "Luca", LastName: "Neri", Sex: "M", BirthDate: Date{1970, 2, 2}, BirthPlace: "H501"})
	before := len(trail(t, tenant))
	s.OnMerge(func(context.Context, pgx.Tx, uuid.UUID, uuid.UUID, uuid.UUID) error {
		return errors.New("cases refused")
	})
	if err := s.Merge(ctx, tenant, keep.ID, other.ID, operator); err == nil {
		t.Fatal("merge with a failing hook succeeded")
	}
	if got, _ := s.Get(ctx, tenant, other.ID); got.MergedInto != nil || got.Version != other.Version {
		t.Errorf("after a failed merge: %+v; want untouched", got)
	}
	if n := len(trail(t, tenant)); n != before {
		t.Errorf("a failed merge left %d audit events", n-before)
	}
}

func TestCrossTenant(t *testing.T) {
	ctx := context.Background()
	s := NewService(pg.DB)
	a, b := pg.NewTenant(t), pg.NewTenant(t)
	p := create(t, s, a, mario())
	bp := create(t, s, b, Input{FirstName: "Anna", LastName: "Neri", Sex: "F", BirthDate: Date{1960, 6, 6}, BirthPlace: "H501"})

	if _, err := s.Get(ctx, b, p.ID); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("B Get A's person: %v; want ErrNotFound", err)
	}
	for _, q := range []string{"RSSMRA80A01H501U", "RSSMRA8", "Rossi Mario"} {
		if hits, err := s.Search(ctx, b, Query{Text: q}); err != nil || len(hits) != 0 {
			t.Errorf("B Search(%q): %d hits, %v; want none", q, len(hits), err)
		}
	}
	in := mario()
	in.Version = p.Version
	if _, err := s.Update(ctx, b, p.ID, in, operator); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("B Update A's person: %v; want ErrNotFound", err)
	}
	if err := s.Merge(ctx, b, bp.ID, p.ID, operator); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("B Merge A's person into its own: %v; want ErrNotFound", err)
	}
	if vs, err := s.Versions(ctx, b, p.ID); err != nil || len(vs) != 0 {
		t.Errorf("B Versions of A's person: %d, %v; want none", len(vs), err)
	}
	// B may register the same tax code: registries are per ente.
	if _, cs, err := s.Create(ctx, b, mario(), operator, false); err != nil || len(cs) != 0 {
		t.Errorf("B registering A's person's tax code: %v, %d candidates; want created", err, len(cs))
	}
	if got, err := s.Get(ctx, a, p.ID); err != nil || got.Version != 1 {
		t.Errorf("A's person after B's attempts: %+v, %v; want untouched", got, err)
	}
}

// TestNameWords holds the Go spelling variants to the SQL ones (the search
// looks up the first among the second) and checks that a renamed person is
// found by the new name.
func TestNameWords(t *testing.T) {
	ctx := context.Background()
	for _, w := range []string{"ROSSI", "DE", "LUCA", "D", "ABBA", "ESPOSITO"} {
		var sql []string
		err := pg.Admin.QueryRow(ctx, `SELECT array_agg(v ORDER BY v) FROM name_word_variants($1) AS v`, w).Scan(&sql)
		if err != nil {
			t.Fatal(err)
		}
		got := wordVariants(w)
		slices.Sort(got)
		if !slices.Equal(got, sql) {
			t.Errorf("wordVariants(%q) = %v; SQL name_word_variants = %v", w, got, sql)
		}
	}

	s := NewService(pg.DB)
	tenant := pg.NewTenant(t)
	p := create(t, s, tenant, mario())
	in := mario()
	in.LastName, in.TaxCode, in.Version = "Sgarbossa", "", p.Version
	if _, err := s.Update(ctx, tenant, p.ID, in, operator); err != nil {
		t.Fatal(err)
	}
	hits, err := s.Search(ctx, tenant, Query{Text: "Sgarbosa Mario"})
	if err != nil || len(hits) != 1 || hits[0].Person.ID != p.ID {
		t.Errorf("Search(Sgarbosa Mario) after the rename = %v, %v; want the renamed person", hits, err)
	}
	var words int
	if err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM person_name_words WHERE word = 'SGARBOSSA'`).Scan(&words)
	}); err != nil || words != len(wordVariants("SGARBOSSA")) {
		t.Errorf("SGARBOSSA stored under %d spellings (%v); want %d", words, err, len(wordVariants("SGARBOSSA")))
	}
}

func TestNamePrefixes(t *testing.T) {
	got := namePrefixes([]string{"MARIO", "ROS"}, [][]string{{"MARIO", "MARIA"}, {"ROSA"}})
	want := []string{"MARIO ROSA", "MARIO ROS", "MARIA ROSA", "MARIA ROS", "ROSA MARIO", "ROSA MARIA"}
	if !slices.Equal(got, want) {
		t.Errorf("namePrefixes = %q; want %q", got, want)
	}
	if got := namePrefixes([]string{"XYZ", "ROSSI"}, [][]string{nil, {"ROSSI"}}); len(got) != 0 {
		t.Errorf("namePrefixes with a word matching nothing = %q; want none", got)
	}
}
