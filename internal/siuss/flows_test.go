package siuss

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/interventions"
	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

func perms(t *testing.T, role string) map[string]bool {
	t.Helper()
	for _, r := range authz.Builtin() {
		if r.Name == role {
			m := map[string]bool{}
			for _, p := range r.Permissions {
				m[p] = true
			}
			return m
		}
	}
	t.Fatalf("no role %s", role)
	return nil
}

type world struct {
	tenant, caseID, entry uuid.UUID
	coord, admin, sw      casefile.Viewer
	its                   *interventions.Service
	svc                   *Service
	clock                 time.Time
}

// newWorld is an ente with the Belfiore code H501, a case whose person has a
// tax code and a residence, a catalogue entry, and operators (the
// administrative one with a tax code); the interventions tell siuss of
// every event.
func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{tenant: pg.NewTenant(t), entry: uuid.New(), clock: time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC)}
	err := pg.DB.InPlatform(context.Background(), func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), `UPDATE tenants SET belfiore_code = 'H501', istat_code = '058091' WHERE id = $1`, w.tenant)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	w.caseID = pg.NewCase(t, w.tenant)
	pg.Exec(t, w.tenant, `UPDATE people SET tax_code = 'RSSMRA80A01H501U', residence = '058091' WHERE id = $1`, w.caseID)
	op := func(role, cf string) casefile.Viewer {
		id := uuid.New()
		pg.Exec(t, w.tenant, `WITH o AS (INSERT INTO operators (id, email, name, tax_code) VALUES ($2, $3, $4, nullif($6, '')))
			INSERT INTO memberships (tenant_id, operator_id, roles) VALUES ($1, $2, ARRAY[$5])`,
			w.tenant, id, id.String()+"@comune.it", "Operatore "+role, role, cf)
		pg.Exec(t, w.tenant, `INSERT INTO operator_units (tenant_id, operator_id, unit_id) VALUES ($1, $2, $3)`, w.tenant, id, w.caseID)
		return casefile.Viewer{ID: id, Email: role + "@comune.it", Perms: perms(t, role), Roles: []string{role}}
	}
	w.coord, w.sw = op("coordinator", ""), op("social_worker", "")
	w.admin = op("administrative", "VRDLGU70A01H"+strings.ToUpper(uuid.NewString()[:3])+"X")
	pg.Exec(t, w.tenant, `UPDATE cases SET responsible_id = $2 WHERE id = $1`, w.caseID, w.sw.ID)
	pg.Exec(t, w.tenant, `INSERT INTO catalog_entries (tenant_id, id, name, inps_code, user_area, unit, means_test,
			share_ente, share_user, share_health, character)
		VALUES ($1, $2, 'Assistenza domiciliare anziani', 'A2.01', '2', 'hours', '4', 70, 20, 10, '1')`, w.tenant, w.entry)
	w.svc = NewService(pg.DB)
	w.svc.SetClock(func() time.Time { return w.clock })
	w.its = interventions.NewService(pg.DB, casefile.NewService(pg.DB, people.NewService(pg.DB)))
	w.its.SetEventHook(w.svc)
	return w
}

func (w *world) data() interventions.Data {
	return interventions.Data{ApplicationProtocol: "PG/2026/1", StartDate: people.Date{Year: 2026, Month: 2, Day: 1},
		MonthlyHours: ptr(20.0), TakenInCharge: true}
}

func (w *world) active(t *testing.T) *interventions.Intervention {
	t.Helper()
	ctx := context.Background()
	it, err := w.its.Create(ctx, w.tenant, interventions.NewIntervention{PersonID: w.caseID, CaseID: w.caseID,
		CatalogEntryID: w.entry, Data: w.data()}, w.sw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.its.Transition(ctx, w.tenant, it.ID, interventions.StateApproved, "", w.coord); err != nil {
		t.Fatal(err)
	}
	if it, err = w.its.Transition(ctx, w.tenant, it.ID, interventions.StateActive, "", w.admin); err != nil {
		t.Fatal(err)
	}
	return it
}

func (w *world) flows(t *testing.T, f Filter) []Flow {
	t.Helper()
	fs, err := w.svc.List(context.Background(), w.tenant, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, fl := range fs {
		validate(t, fl.Tipo, fl.XML)
	}
	return fs
}

// TestLifecycle: activation, change and closure each write a valid flow,
// numbered per day, with strictly increasing ts_flusso, each superseding the
// last; suspension writes none; List pages by since in milliseconds.
func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	it := w.active(t)
	d := it.Data
	d.MonthlyHours = ptr(25.5)
	it, err := w.its.Update(ctx, w.tenant, it.ID, it.Version, d, w.admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.its.Transition(ctx, w.tenant, it.ID, interventions.StateSuspended, "ricovero", w.admin); err != nil {
		t.Fatal(err)
	}
	w.clock = w.clock.Add(-time.Hour) // a clock stepping back does not break the order
	if _, err := w.its.Transition(ctx, w.tenant, it.ID, interventions.StateClosed, "fine progetto", w.admin); err != nil {
		t.Fatal(err)
	}
	fs := w.flows(t, Filter{Limit: 100})
	if len(fs) != 3 {
		t.Fatalf("flows = %d, want 3", len(fs))
	}
	ops := []string{OpActivation, OpChange, OpClosure}
	for i, f := range fs {
		if f.Operation != ops[i] || f.Tipo != TipoPS || f.TipoOperazione != "I" || f.State != StateWaiting {
			t.Errorf("flow %d = %s %s %s %s", i, f.Operation, f.Tipo, f.TipoOperazione, f.State)
		}
		if want := "H501.PS.20260202.000000" + string(rune('1'+i)); f.IDFlusso != want {
			t.Errorf("id_flusso = %s, want %s", f.IDFlusso, want)
		}
		if i > 0 && !f.TSFlusso.After(fs[i-1].TSFlusso) {
			t.Errorf("ts_flusso not increasing: %v then %v", fs[i-1].TSFlusso, f.TSFlusso)
		}
		if (i < 2) != (f.SupersededBy != nil) {
			t.Errorf("flow %d superseded_by = %v", i, f.SupersededBy)
		}
	}
	if fs[2].TSFlusso.Sub(fs[1].TSFlusso) != time.Millisecond {
		t.Errorf("ts after a clock step back = +%v, want +1ms", fs[2].TSFlusso.Sub(fs[1].TSFlusso))
	}
	since := fs[0].TSFlusso.UnixMilli()
	if got := w.flows(t, Filter{Since: since, Limit: 1}); len(got) != 1 || got[0].ID != fs[1].ID {
		t.Errorf("since first, limit 1 = %v", got)
	}
	if got := w.flows(t, Filter{Since: fs[2].TSFlusso.UnixMilli()}); len(got) != 0 {
		t.Errorf("since last = %d flows, want none", len(got))
	}
	// Generating an event again writes nothing new.
	err = pg.DB.InTenant(ctx, w.tenant, func(tx pgx.Tx) error {
		_, err := w.svc.Generate(ctx, tx, w.tenant, it.ID, fs[0].EventSeq)
		return err
	})
	if err != nil || len(w.flows(t, Filter{Limit: 100})) != 3 {
		t.Errorf("regenerate: %v", err)
	}
	// Another ente sees none of them.
	other := newWorld(t)
	if got := other.flows(t, Filter{Limit: 100}); len(got) != 0 {
		t.Errorf("other ente sees %d flows", len(got))
	}
	if _, err := other.svc.RecordOutcome(ctx, other.tenant, fs[0].IDFlusso, Outcome{Code: OutcomeOK}); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("outcome from another ente: %v", err)
	}
}

// TestOutcome: OK acquires, another code rejects with INPS's description;
// the same outcome twice changes nothing; an unknown code is invalid.
func TestOutcome(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.active(t)
	f := w.flows(t, Filter{})[0]
	o := Outcome{Code: OutcomeInvalidRequest, Description: "CodiceFiscale non valido", AcquiredAt: w.clock}
	for i, want := range []bool{true, false} {
		changed, err := w.svc.RecordOutcome(ctx, w.tenant, f.IDFlusso, o)
		if err != nil || changed != want {
			t.Fatalf("outcome %d: changed %v, %v", i, changed, err)
		}
	}
	got, err := w.svc.Get(ctx, w.tenant, f.IDFlusso)
	if err != nil || got.State != StateRejected || got.Outcome == nil || got.Outcome.Description != o.Description {
		t.Fatalf("after rejection: %+v %v", got, err)
	}
	if rs := w.flows(t, Filter{State: StateRejected}); len(rs) != 1 {
		t.Errorf("rejected = %d", len(rs))
	}
	if _, err := w.svc.RecordOutcome(ctx, w.tenant, f.IDFlusso, Outcome{Code: "BOH"}); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("unknown code: %v", err)
	}
	if changed, err := w.svc.RecordOutcome(ctx, w.tenant, f.IDFlusso, Outcome{Code: OutcomeOK, AcquisitionID: "X1"}); err != nil || !changed {
		t.Errorf("OK after rejection: %v %v", changed, err)
	}
	if got, _ := w.svc.Get(ctx, w.tenant, f.IDFlusso); got.State != StateAcquired {
		t.Errorf("state = %s", got.State)
	}
}

// TestMissingNoFlow: an ambito without a Belfiore code gets no flow, and
// MissingFor names why; once the code is set, the next edit of the
// intervention sends it as an activation.
func TestMissingNoFlow(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	belfiore := func(code any) {
		err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE tenants SET belfiore_code = $2 WHERE id = $1`, w.tenant, code)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	belfiore(nil)
	it := w.active(t)
	if fs := w.flows(t, Filter{}); len(fs) != 0 {
		t.Fatalf("flows without a Belfiore code: %d", len(fs))
	}
	fe, err := w.svc.MissingFor(ctx, w.tenant, it.ID)
	if err != nil || len(fe) != 1 || fe[0].Field != "ente.belfiore_code" {
		t.Fatalf("missing = %v, %v", fe, err)
	}
	belfiore("H501")
	if _, err := w.its.Update(ctx, w.tenant, it.ID, it.Version, it.Data, w.admin); err != nil {
		t.Fatal(err)
	}
	if fs := w.flows(t, Filter{}); len(fs) != 1 || fs[0].Operation != OpActivation {
		t.Fatalf("after the fix: %v", fs)
	}
	if fe, _ := w.svc.MissingFor(ctx, w.tenant, it.ID); len(fe) != 0 {
		t.Errorf("missing after the fix: %v", fe)
	}
}

// TestCancellationAndMinor: a refusal of an intervention already sent is a
// cancellation (C); a minor's activation writes a PS and a SINBA flow.
func TestCancellationAndMinor(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	it := w.active(t)
	// The state machine refuses only before activation; an event written by
	// hand stands for a withdrawal of an intervention INPS knows.
	pg.Exec(t, w.tenant, `INSERT INTO intervention_events (tenant_id, intervention_id, seq, kind, from_state, to_state, by_id, snapshot)
		SELECT tenant_id, intervention_id, 99, 'transition', 'active', 'refused', $2, snapshot FROM intervention_events
		WHERE intervention_id = $1 ORDER BY seq DESC LIMIT 1`, it.ID, w.admin.ID)
	err := pg.DB.InTenant(ctx, w.tenant, func(tx pgx.Tx) error {
		_, err := w.svc.Generate(ctx, tx, w.tenant, it.ID, 99)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	fs := w.flows(t, Filter{Limit: 10})
	if len(fs) != 2 || fs[1].Operation != OpCancellation || fs[1].TipoOperazione != "C" {
		t.Fatalf("cancellation: %+v", fs)
	}

	m := newWorld(t)
	pg.Exec(t, m.tenant, `UPDATE people SET birth_date = '2014-06-10' WHERE id = $1`, m.caseID)
	pg.Exec(t, m.tenant, `INSERT INTO assessments (tenant_id, case_id, person_id, seq, assessed_on, mobility, daily_living, behavioural,
			income, support, source, instrument, sinba, author_id)
		VALUES ($1, $2, $2, 1, '2026-01-20', 1, 1, 1, 2, 1, 2, 7, $3, $4)`, m.tenant, m.caseID,
		`{"attributes": {"MinoreStranieroNoAcc": "2", "CondizioneMinore": "1", "LuogoVita": "1", "ScuolaFrequentata": "6",
		"CondizioneLavoro": "1", "Disabilita": "2", "DataPrimaSegnalazione": "09/2025", "FonteSegnalazione": "13",
		"ValutazioneMinore": "2", "ValutazioneFamigliaMinore": "12", "SegnalazioneAutoritaGiudiziaria": "2",
		"ProvvedimentoGiudiziario": "2"}, "family": ["1"]}`, m.sw.ID)
	m.active(t)
	fs = m.flows(t, Filter{Limit: 10})
	if len(fs) != 2 || fs[0].Tipo != TipoPS || fs[1].Tipo != TipoSINBA || fs[1].IDFlusso != "H501.SINBA.20260202.0000002" {
		t.Fatalf("minor flows: %+v", fs)
	}
}

// TestOperatorTaxCodeFallback: an event by someone without a tax code (an
// API client, an operator without one) has no flow until the ente sets
// waas.operator_tax_code, which then stands in CFOperatore.
func TestOperatorTaxCodeFallback(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	pg.Exec(t, w.tenant, `UPDATE operators SET tax_code = NULL WHERE id = $1`, w.admin.ID)
	it := w.active(t)
	if fe, err := w.svc.MissingFor(ctx, w.tenant, it.ID); err != nil || len(fe) != 1 || fe[0].Field != "operator.tax_code" {
		t.Fatalf("missing without the operator's tax code = %v, %v", fe, err)
	}
	err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE tenants SET settings = settings || jsonb_build_object('waas',
			coalesce(settings -> 'waas', '{}') || '{"operator_tax_code": "02438750586"}') WHERE id = $1`, w.tenant)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.its.Update(ctx, w.tenant, it.ID, it.Version, it.Data, w.admin); err != nil {
		t.Fatal(err)
	}
	fs := w.flows(t, Filter{})
	if len(fs) != 1 || !strings.Contains(fs[0].XML, `CFOperatore="02438750586"`) {
		t.Fatalf("flows with the ente's tax code: %+v", fs)
	}
	validate(t, fs[0].Tipo, fs[0].XML)
}
