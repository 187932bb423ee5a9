package assessment

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/casefile/casefiletest"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

var (
	worker = casefile.Viewer{ID: uuid.New(), Email: "sw@comune.it", Perms: map[string]bool{authz.PermAssessmentsWrite: true}}
	reader = casefile.Viewer{ID: uuid.New(), Email: "coord@comune.it", Perms: map[string]bool{}}
	intake = casefile.Viewer{ID: uuid.New(), Email: "pua@comune.it", Perms: map[string]bool{authz.PermAssessmentsWrite: true}}
	grants = casefiletest.Grants{
		worker.ID: {Exists: true, Content: true, Write: true},
		reader.ID: {Exists: true, Content: true},
		intake.ID: {Exists: true},
	}
	sina = SINA{Mobility: 2, DailyLiving: 2, Behavioural: 1, Income: 3, Support: 2, Source: 1, Instrument: 1}
)

func fields(err error) []string {
	var out []string
	for _, f := range derrors.Fields(err) {
		out = append(out, f.Field)
	}
	return out
}

// setBirth makes the case's person born on birth.
func setBirth(t *testing.T, tenant, caseID uuid.UUID, birth string) {
	t.Helper()
	if err := pg.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), `UPDATE people SET birth_date = $2 WHERE id = $1`, caseID, birth)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func TestCreateKeepsHistory(t *testing.T) {
	ctx := context.Background()
	tenant := pg.NewTenant(t)
	c := pg.NewCase(t, tenant)
	s := NewService(pg.DB, grants)
	s.now = func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC) }

	first, err := s.Create(ctx, tenant, c, Input{AssessedOn: people.Date{Year: 2026, Month: 1, Day: 10}, SINA: sina}, worker)
	if err != nil {
		t.Fatal(err)
	}
	second := sina
	second.Mobility, second.Cognitive, second.Instrument, second.InstrumentOther = 3, 2, 7, " Barthel "
	second.CivilInvalidity, second.InvaliditySource = []int{2, 2, 5}, 1
	if _, err := s.Create(ctx, tenant, c, Input{SINA: second, Notes: "Peggiorata la mobilità."}, worker); err != nil {
		t.Fatal(err)
	}
	subj, hist, err := s.List(ctx, tenant, c, reader)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].Seq != 2 || hist[1].ID != first.ID || subj.PersonID != c {
		t.Fatalf("history = %+v; want the second first, then the first", hist)
	}
	want := SINA{Mobility: 3, DailyLiving: 2, Cognitive: 2, Behavioural: 1, Income: 3, Support: 2, Source: 1, Instrument: 7,
		InstrumentOther: "Barthel", CivilInvalidity: []int{2, 5}, InvaliditySource: 1}
	if diff := cmp.Diff(want, hist[0].SINA); diff != "" {
		t.Errorf("latest SINA (-want +got):\n%s", diff)
	}
	if hist[0].AssessedOn != (people.Date{Year: 2026, Month: 3, Day: 1}) {
		t.Errorf("assessed on %v; want today", hist[0].AssessedOn)
	}
	var latest *Assessment
	if err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		latest, err = Latest(ctx, tx, c)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if latest == nil || latest.ID != hist[0].ID {
		t.Errorf("Latest = %+v; want %s", latest, hist[0].ID)
	}
	// The runtime role may not change or remove an assessment.
	for _, q := range []string{`UPDATE assessments SET mobility = 1`, `DELETE FROM assessments`} {
		err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error { _, err := tx.Exec(ctx, q); return err })
		if err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
}

func TestCreateRefusals(t *testing.T) {
	ctx := context.Background()
	tenant := pg.NewTenant(t)
	c := pg.NewCase(t, tenant)
	s := NewService(pg.DB, grants)
	s.now = func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC) }

	bad := SINA{Mobility: 4, Behavioural: 3, Income: 1, Support: 1, Source: 9, Instrument: 7, CivilInvalidity: []int{3}}
	_, err := s.Create(ctx, tenant, c, Input{AssessedOn: people.Date{Year: 2027, Month: 1, Day: 1}, SINA: bad}, worker)
	want := []string{"assessed_on", "mobility", "daily_living", "behavioural", "source", "instrument_other", "invalidity_source"}
	if diff := cmp.Diff(want, fields(err)); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	// The person of NewCase was born in 2001: no SINBA.
	_, err = s.Create(ctx, tenant, c, Input{SINA: sina, SINBA: &SINBA{}}, worker)
	if !slices.Contains(fields(err), "sinba") {
		t.Errorf("SINBA for an adult: %v", err)
	}
	if _, err := s.Create(ctx, tenant, c, Input{SINA: sina}, reader); !errors.Is(err, ErrNoWrite) {
		t.Errorf("reader: %v; want ErrNoWrite", err)
	}
	if _, _, err := s.List(ctx, tenant, c, intake); !errors.Is(err, derrors.ErrForbidden) {
		t.Errorf("intake List: %v; want forbidden", err)
	}
	other := pg.NewTenant(t)
	if _, _, err := s.List(ctx, other, c, worker); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("other ente: %v; want not found", err)
	}
	_, hist, err := s.List(ctx, tenant, c, worker)
	if err != nil || len(hist) != 0 {
		t.Errorf("after refusals: %d assessments, %v", len(hist), err)
	}
}

func TestSINBAForMinors(t *testing.T) {
	ctx := context.Background()
	tenant := pg.NewTenant(t)
	c := pg.NewCase(t, tenant)
	setBirth(t, tenant, c, "2015-06-01")
	s := NewService(pg.DB, grants)
	s.now = func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC) }

	attrs := map[string]string{"MinoreStranieroNoAcc": "2", "CondizioneMinore": "1", "LuogoVita": "3", "ScuolaFrequentata": "5",
		"CondizioneLavoro": "1", "Disabilita": "2", "DataPrimaSegnalazione": "13/2025", "FonteSegnalazione": "13",
		"ValutazioneMinore": "2", "ValutazioneFamigliaMinore": "2", "SegnalazioneAutoritaGiudiziaria": "2",
		"ProvvedimentoGiudiziario": "1", "Bogus": "1", "LuogoVitaX": ""}
	_, err := s.Create(ctx, tenant, c, Input{SINA: sina, SINBA: &SINBA{Attributes: attrs, Family: []string{"1", "9"}}}, worker)
	got := fields(err)
	slices.Sort(got)
	want := []string{"sinba.AutoritaProvvedimento", "sinba.Bogus", "sinba.DataPrimaSegnalazione", "sinba.DataProvvedimentoGiudiziario",
		"sinba.TipoProvvedimentoGiudiziario", "sinba.family"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	delete(attrs, "Bogus")
	attrs["DataPrimaSegnalazione"], attrs["DataProvvedimentoGiudiziario"] = "11/2025", "12/2025"
	attrs["AutoritaProvvedimento"], attrs["TipoProvvedimentoGiudiziario"] = "2", "4"
	a, err := s.Create(ctx, tenant, c, Input{SINA: sina, SINBA: &SINBA{Attributes: attrs, Family: []string{"2", "1", "1"}}}, worker)
	if err != nil {
		t.Fatal(err)
	}
	got2, err := s.Get(ctx, tenant, a.ID, reader)
	if err != nil {
		t.Fatal(err)
	}
	if got2.SINBA == nil || got2.SINBA.Attributes["LuogoVita"] != "3" || !slices.Equal(got2.SINBA.Family, []string{"1", "2"}) {
		t.Errorf("SINBA read back: %+v", got2.SINBA)
	}
	if _, ok := got2.SINBA.Attributes["LuogoVitaX"]; ok {
		t.Error("an empty attribute was kept")
	}
}
