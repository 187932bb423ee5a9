package onboarding

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/people"
)

// taxCode is the codice fiscale of the data given (birth "YYYY-MM-DD").
func taxCode(last, first, sex, birth, place string) string {
	d, _ := time.Parse(time.DateOnly, birth)
	day := d.Day()
	if sex == "F" {
		day += 40
	}
	s := fmt.Sprintf("%s%s%02d%c%02d%s", people.SurnameCode(last), people.NameCode(first), d.Year()%100,
		"ABCDEHLMPRST"[d.Month()-1], day, place)
	return s + string(people.CheckChar(s))
}

const header = "external_id;tax_code;last_name;first_name;sex;birth_date;birth_place;citizenship;residence"

// row is a valid people row number n with a tax code.
func row(n int) string {
	last, first := "Rossi", []string{"Mario", "Luca", "Paolo", "Marco", "Giorgio", "Franco", "Carlo", "Piero", "Dario"}[n%9]
	birth := fmt.Sprintf("19%02d-03-%02d", 50+n, 1+n%28)
	return fmt.Sprintf("X-%d;%s;%s;%s;M;%s;H501;380;058091", n, taxCode(last, first, "M", birth, "H501"), last, first, birth)
}

// counts are the rows of the ente's tables an import writes.
type counts struct{ People, Versions, External, Words, Audit int }

func count(t *testing.T, tenant uuid.UUID) counts {
	t.Helper()
	var c counts
	err := pg.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM people), (SELECT count(*) FROM person_versions),
			(SELECT count(*) FROM import_external_ids), (SELECT count(*) FROM person_name_words),
			(SELECT count(*) FROM audit_events WHERE action = 'import.completed')`).
			Scan(&c.People, &c.Versions, &c.External, &c.Words, &c.Audit)
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func run(t *testing.T, s *Service, tenant uuid.UUID, file string) (*Result, error) {
	t.Helper()
	var phases []string
	res, err := s.Import(context.Background(), tenant, KindPeople, strings.NewReader(file), uuid.Nil,
		Actor{Email: "test"}, func(p Progress) {
			if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
				phases = append(phases, p.Phase)
			}
		})
	if res != nil && len(res.Errors) == 0 && err == nil {
		if diff := cmp.Diff([]string{"reading", "checking", "writing"}, phases); diff != "" {
			t.Errorf("phases (-want +got):\n%s", diff)
		}
	}
	return res, err
}

// TestImportPeople: the template file and a file of valid rows are imported
// whole, with versions, external ids, name words and one audit event; the
// same file again changes nothing.
func TestImportPeople(t *testing.T) {
	ctx := context.Background()
	tenant := pg.NewTenant(t)
	s := NewService(pg.DB)
	tpl, err := Template(KindPeople)
	if err != nil {
		t.Fatal(err)
	}
	res, err := run(t, s, tenant, string(tpl))
	if err != nil {
		t.Fatalf("template: %v %+v", err, res)
	}
	if res.Rows != 2 || res.Created != 2 || res.Skipped != 0 {
		t.Errorf("template: %+v", res)
	}
	lines := []string{header}
	for n := 1; n <= 8; n++ {
		lines = append(lines, row(n))
	}
	file := strings.Join(lines, "\n") + "\n"
	res, err = run(t, s, tenant, file)
	if err != nil || res.Created != 8 || res.Rows != 8 {
		t.Fatalf("import: %v %+v", err, res)
	}
	c := count(t, tenant)
	if c.People != 10 || c.Versions != 10 || c.External != 10 || c.Words == 0 || c.Audit != 2 {
		t.Errorf("after import: %+v", c)
	}
	// The stored record is the registry's: the same as Get returns, with its
	// first version.
	var id uuid.UUID
	pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT object_id FROM import_external_ids WHERE external_id = 'A-0002'`).Scan(&id)
	})
	p, err := people.NewService(pg.DB).Get(ctx, tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	if p.LastName != "Bianchi" || p.BirthDate.String() != "1975-03-15" || p.TaxCode != "" || !strings.HasPrefix(p.ProvisionalID, "PROV-") ||
		p.Citizenship != "840" || p.SecondCitizenship != "380" || p.Version != 1 {
		t.Errorf("imported person: %+v", p)
	}
	vs, err := people.NewService(pg.DB).Versions(ctx, tenant, id)
	if err != nil || len(vs) != 1 || vs[0].Action != "created" || vs[0].Data.ProvisionalID != p.ProvisionalID {
		t.Errorf("versions: %v %+v", err, vs)
	}
	hits, err := people.NewService(pg.DB).Search(ctx, tenant, people.Query{Text: "bianchi anna"})
	if err != nil || len(hits) != 1 {
		t.Errorf("search of an imported person: %v %d hits", err, len(hits))
	}

	// Again: every row skipped, nothing written but the audit event.
	res, err = run(t, s, tenant, file)
	if err != nil || res.Created != 0 || res.Skipped != 8 {
		t.Fatalf("re-run: %v %+v", err, res)
	}
	// The same data written differently (a date as DD/MM/YYYY, spaces, a
	// lower-case tax code) is the same data.
	res, err = run(t, s, tenant, strings.NewReplacer("1980-01-01", "01/01/1980", ";Rossi;", "; Rossi ;", "RSSMRA", "rssmra").Replace(string(tpl)))
	if err != nil || res.Created != 0 || res.Skipped != 2 {
		t.Fatalf("re-run of the template: %v %+v", err, res)
	}
	if after := count(t, tenant); after != (counts{c.People, c.Versions, c.External, c.Words, c.Audit + 2}) {
		t.Errorf("re-run changed the data: %+v, was %+v", after, c)
	}
}

// TestImportErrors: a file with errors in rows 3 and 7 reports both, with
// their fields, and writes nothing — not even its valid rows.
func TestImportErrors(t *testing.T) {
	tenant := pg.NewTenant(t)
	s := NewService(pg.DB)
	lines := []string{header}
	for n := 1; n <= 8; n++ {
		lines = append(lines, row(n))
	}
	lines[2] = strings.Replace(lines[2], ";H501;", ";Q999;", 1)             // row 3: unknown birth place
	lines[6] = strings.Replace(lines[6], ";1956-03-07;", ";31/02/1956;", 1) // row 7: no such date
	lines[6] = strings.Replace(lines[6], ";058091", ";999999", 1)           // and unknown residence
	res, err := run(t, s, tenant, strings.Join(lines, "\n"))
	if !errors.Is(err, ErrRowsInvalid) {
		t.Fatalf("err = %v, want ErrRowsInvalid", err)
	}
	var got []string
	for _, e := range res.Errors {
		got = append(got, fmt.Sprintf("%d %s", e.Row, e.Field))
		if e.Message == "" {
			t.Errorf("row %d %s: no message", e.Row, e.Field)
		}
	}
	// Row 3's tax code disagrees with the unknown place too: the place is
	// reported, the disagreement is noise.
	want := []string{"3 birth_place", "7 birth_date", "7 residence"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s\n%+v", diff, res.Errors)
	}
	if res.Created != 0 || res.Rows != 8 {
		t.Errorf("result: %+v", res)
	}
	if c := count(t, tenant); c != (counts{}) {
		t.Errorf("a file with errors wrote %+v", c)
	}
}

// TestImportConflicts: duplicates within the file, an external id imported
// with other data, a tax code registered outside the import, and a wrong
// header are all reported, with nothing written.
func TestImportConflicts(t *testing.T) {
	ctx := context.Background()
	tenant := pg.NewTenant(t)
	s := NewService(pg.DB)
	if _, err := run(t, s, tenant, header+"\n"+row(1)+"\n"); err != nil {
		t.Fatal(err)
	}
	_, _, err := people.NewService(pg.DB).Create(ctx, tenant, people.Input{LastName: "Verdi", FirstName: "Anna", Sex: "F",
		BirthDate: people.Date{Year: 1990, Month: 5, Day: 4}, BirthPlace: "H501",
		TaxCode: taxCode("Verdi", "Anna", "F", "1990-05-04", "H501")}, people.Actor{}, false)
	if err != nil {
		t.Fatal(err)
	}
	before := count(t, tenant)
	verdi := fmt.Sprintf("V-1;%s;Verdi;Anna;F;1990-05-04;H501;380;", taxCode("Verdi", "Anna", "F", "1990-05-04", "H501"))
	changed := strings.Replace(row(1), ";058091", ";058003", 1)
	file := strings.Join([]string{header, changed, row(2), strings.Replace(row(2), "X-2;", "X-9;", 1),
		strings.Replace(row(3), "X-3;", "X-2;", 1), verdi, "", "X-10;;Neri;;M;1970-01-01;H501;380;"}, "\n")
	res, err := run(t, s, tenant, file)
	if !errors.Is(err, ErrRowsInvalid) {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, e := range res.Errors {
		got = append(got, fmt.Sprintf("%d %s", e.Row, e.Field))
	}
	want := []string{"2 external_id", "4 tax_code", "5 external_id", "6 tax_code", "8 first_name"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s\n%+v", diff, res.Errors)
	}
	if after := count(t, tenant); after != before {
		t.Errorf("wrote %+v, was %+v", after, before)
	}

	res, err = run(t, s, tenant, "\ufeffexternal_id,cognome,last_name\n1,2,3\n")
	if !errors.Is(err, ErrRowsInvalid) {
		t.Fatalf("bad header: err = %v", err)
	}
	got = nil
	for _, e := range res.Errors {
		got = append(got, fmt.Sprintf("%d %s", e.Row, e.Field))
	}
	want = []string{"1 cognome", "1 first_name", "1 sex", "1 birth_date", "1 birth_place"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("header errors (-want +got):\n%s", diff)
	}
	if _, err := run(t, s, tenant, "  \n"); !errors.Is(err, ErrNoFile) {
		t.Errorf("empty file: %v", err)
	}
}

// TestImportCommaBOM: a comma-separated file with a byte-order mark and
// quoted values is read as well.
func TestImportCommaBOM(t *testing.T) {
	tenant := pg.NewTenant(t)
	file := "\ufeffexternal_id,tax_code,last_name,first_name,sex,birth_date,birth_place\n" +
		`"7","","D'Amico, detto Totò",Salvatore,M,02/11/1948,F839` + "\n"
	res, err := run(t, NewService(pg.DB), tenant, file)
	if err == nil || res.Errors[0].Field != "last_name" {
		t.Fatalf("a comma in a surname: %v %+v", err, res)
	}
	file = strings.Replace(file, ", detto Totò", "", 1)
	res, err = run(t, NewService(pg.DB), tenant, file)
	if err != nil || res.Created != 1 {
		t.Fatalf("%v %+v", err, res)
	}
}

// TestRunJob: an upload is queued with its job; the job imports it, records
// the outcome and clears the file; a file with errors fails with its errors
// stored; another ente sees neither.
func TestRunJob(t *testing.T) {
	ctx := context.Background()
	tenant, other := pg.NewTenant(t), pg.NewTenant(t)
	s := NewService(pg.DB)
	op := pg.NewOperator(t, tenant, "Amministratore")
	by := Actor{ID: op, Email: "admin@example.it"}
	if _, err := s.Start(ctx, tenant, "assessments", "x.csv", []byte("x"), by); err == nil {
		t.Error("unknown kind accepted")
	}
	if _, err := s.Start(ctx, tenant, KindPeople, "x.csv", nil, by); err == nil {
		t.Error("empty file accepted")
	}
	tpl, _ := Template(KindPeople)
	r, err := s.Start(ctx, tenant, KindPeople, "persone.csv", tpl, by)
	if err != nil || r.State != "queued" {
		t.Fatalf("Start: %v %+v", err, r)
	}
	var jobs int
	pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE task_type = $1 AND payload->>'run_id' = $2`, TaskRun, r.ID.String()).Scan(&jobs)
	})
	if jobs != 1 {
		t.Errorf("%d jobs queued", jobs)
	}
	if err := s.Run(ctx, tenant, r.ID); err != nil {
		t.Fatal(err)
	}
	r, err = s.Get(ctx, tenant, r.ID)
	if err != nil || r.State != "done" || r.Created != 2 || r.RowsTotal != 2 || r.FinishedAt == nil {
		t.Fatalf("after Run: %v %+v", err, r)
	}
	if err := s.Run(ctx, tenant, r.ID); err != nil { // a job run twice
		t.Fatal(err)
	}
	var content []byte
	pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT content FROM import_runs WHERE id = $1`, r.ID).Scan(&content)
	})
	if content != nil {
		t.Error("the file is kept after the import")
	}
	bad := bytes.Replace(tpl, []byte(";H501;"), []byte(";Q999;"), 1)
	r2, err := s.Start(ctx, tenant, KindPeople, "errata.csv", bad, by)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(ctx, tenant, r2.ID); err != nil {
		t.Fatalf("a file with errors is a result, not a failure to retry: %v", err)
	}
	r2, _ = s.Get(ctx, tenant, r2.ID)
	if r2.State != "failed" || r2.ErrorCount != 1 || len(r2.Errors) != 1 || r2.Errors[0] != (RowError{2, "birth_place", r2.Errors[0].Message}) || r2.Error == "" {
		t.Errorf("failed run: %+v", r2)
	}
	runs, err := s.List(ctx, tenant)
	if err != nil || len(runs) != 2 || runs[0].ID != r2.ID {
		t.Errorf("List: %v %+v", err, runs)
	}
	if _, err := s.Get(ctx, other, r.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("another ente's run: %v", err)
	}
	if runs, _ := s.List(ctx, other); len(runs) != 0 {
		t.Errorf("another ente lists %d runs", len(runs))
	}
	if err := s.Run(ctx, other, r.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("another ente's job: %v", err)
	}
}
