package agenda

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/derrors"
)

// world is an ente with a case in unit X, a social worker responsible for
// it and a coordinator in X, a social worker in unit Y, an operator without
// agenda:use and an API client.
type world struct {
	tenant, unitX, unitY, caseID, person uuid.UUID
	sw, coord, swY, noAgenda, client     Viewer
	svc                                  *Service
}

func viewer(id uuid.UUID, perms ...string) Viewer {
	v := Viewer{Viewer: casefile.Viewer{ID: id, Email: id.String()[:8] + "@example.it", Perms: map[string]bool{}}}
	for _, p := range perms {
		v.Perms[p] = true
	}
	return v
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{tenant: pg.NewTenant(t)}
	w.caseID = pg.NewCase(t, w.tenant)
	w.person, w.unitX = w.caseID, w.caseID // NewCase gives its person and unit the case's id
	w.unitY = newUnit(t, w.tenant)
	w.sw = viewer(pg.NewOperator(t, w.tenant, "Sara Sociale", w.unitX), authz.PermAgendaUse, authz.PermCasesReadOwn, authz.PermPeopleRead)
	w.coord = viewer(pg.NewOperator(t, w.tenant, "Carlo Coordinatore", w.unitX), authz.PermAgendaUse, authz.PermAgendaUnit,
		authz.PermCasesReadUnit, authz.PermPeopleRead)
	w.swY = viewer(pg.NewOperator(t, w.tenant, "Yuri Sociale", w.unitY), authz.PermAgendaUse, authz.PermCasesReadOwn, authz.PermPeopleRead)
	w.noAgenda = viewer(pg.NewOperator(t, w.tenant, "Nina Senzagenda", w.unitX), authz.PermPeopleRead)
	w.client = viewer(uuid.New(), authz.PermAgendaUse, authz.PermCasesReadAll)
	w.client.Client = true
	pg.Exec(t, w.tenant, `UPDATE cases SET responsible_id = $2 WHERE id = $1`, w.caseID, w.sw.ID)
	w.svc = NewService(pg.DB, casefile.NewService(pg.DB, nil))
	return w
}

// input is a valid appointment tomorrow at 10 in Rome.
func input() Input {
	d := time.Now().In(Rome).AddDate(0, 0, 1)
	start := time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, Rome)
	return Input{StartsAt: start, EndsAt: start.Add(time.Hour), PlaceKind: "office", Place: "Stanza 2", Title: "Colloquio"}
}

// TestOwnAndOthersAgendas: an operator manages their own agenda only; a
// coordinator also those of their units' operators; an API client names the
// operator and manages any; who may not manage an agenda does not even find
// its appointments.
func TestOwnAndOthersAgendas(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	mine, err := w.svc.Create(ctx, w.tenant, input(), w.sw)
	if err != nil {
		t.Fatal(err)
	}
	if mine.OperatorID != w.sw.ID || mine.OperatorName != "Sara Sociale" || mine.CreatedBy != w.sw.ID {
		t.Errorf("own appointment: %+v", mine)
	}

	refused := []struct {
		name string
		v    Viewer
		op   uuid.UUID
		want error
	}{
		{"social worker for the coordinator", w.sw, w.coord.ID, derrors.ErrForbidden},
		{"coordinator for another unit's worker", w.coord, w.swY.ID, derrors.ErrForbidden},
		{"operator without agenda:use", w.noAgenda, uuid.Nil, derrors.ErrForbidden},
		{"an operator of no ente", w.coord, uuid.New(), derrors.ErrInvalid},
	}
	for _, tc := range refused {
		in := input()
		in.OperatorID = tc.op
		if _, err := w.svc.Create(ctx, w.tenant, in, tc.v); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v; want %v", tc.name, err, tc.want)
		}
	}
	in := input()
	in.OperatorID = w.sw.ID
	byCoord, err := w.svc.Create(ctx, w.tenant, in, w.coord)
	if err != nil {
		t.Fatalf("coordinator for their unit's worker: %v", err)
	}
	if _, err := w.svc.Create(ctx, w.tenant, input(), w.client); !errors.Is(err, derrors.ErrInvalid) || derrors.Fields(err)[0].Field != "operator_id" {
		t.Errorf("client without operator_id: %v", err)
	}
	in.OperatorID = w.swY.ID
	byClient, err := w.svc.Create(ctx, w.tenant, in, w.client)
	if err != nil {
		t.Fatalf("client for a worker: %v", err)
	}

	week := Filter{From: time.Now().Add(-time.Hour), To: time.Now().Add(8 * 24 * time.Hour)}
	ids := func(as []Appointment) []uuid.UUID {
		out := []uuid.UUID{}
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	list := func(v Viewer, op *uuid.UUID) ([]uuid.UUID, error) {
		f := week
		f.OperatorID = op
		as, err := w.svc.List(ctx, w.tenant, f, v)
		return ids(as), err
	}
	for _, tc := range []struct {
		name string
		v    Viewer
		op   *uuid.UUID
		want []uuid.UUID
	}{
		{"worker, own", w.sw, nil, []uuid.UUID{mine.ID, byCoord.ID}},
		{"coordinator, own", w.coord, nil, []uuid.UUID{}},
		{"coordinator, the worker's", w.coord, &w.sw.ID, []uuid.UUID{mine.ID, byCoord.ID}},
		{"client, all", w.client, nil, []uuid.UUID{mine.ID, byCoord.ID, byClient.ID}},
		{"client, one", w.client, &w.swY.ID, []uuid.UUID{byClient.ID}},
	} {
		got, err := list(tc.v, tc.op)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b []uuid.UUID) bool {
			return len(a) == len(b) && (len(a) == 0 || cmp.Equal(setOf(a), setOf(b)))
		})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	if _, err := list(w.sw, &w.coord.ID); !errors.Is(err, derrors.ErrForbidden) {
		t.Errorf("worker listing the coordinator's agenda: %v", err)
	}
	if _, err := list(w.coord, &w.swY.ID); !errors.Is(err, derrors.ErrForbidden) {
		t.Errorf("coordinator listing another unit's agenda: %v", err)
	}
	if _, err := w.svc.Get(ctx, w.tenant, byClient.ID, w.sw); !errors.Is(err, ErrNotFound) {
		t.Errorf("worker reading another's appointment: %v", err)
	}
	if _, err := w.svc.SetOutcome(ctx, w.tenant, byClient.ID, Outcome{Outcome: "cancelled"}, w.coord); !errors.Is(err, ErrNotFound) {
		t.Errorf("coordinator cancelling another unit's appointment: %v", err)
	}
	// Moving an appointment to an agenda the viewer may not manage.
	mv := input()
	mv.OperatorID = w.swY.ID
	if _, err := w.svc.Update(ctx, w.tenant, mine.ID, mv, w.sw); !errors.Is(err, derrors.ErrForbidden) {
		t.Errorf("worker moving their appointment to another's agenda: %v", err)
	}

	// Another ente sees none of it, even with a viewer of the same id.
	other := pg.NewTenant(t)
	if _, err := w.svc.Get(ctx, other, mine.ID, w.client); !errors.Is(err, ErrNotFound) {
		t.Errorf("another ente's client reading: %v", err)
	}
	if _, err := w.svc.List(ctx, other, Filter{From: week.From, To: week.To, OperatorID: &w.sw.ID}, w.client); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("another ente's client listing this ente's operator: %v", err)
	}
	if as, err := w.svc.List(ctx, other, week, w.client); err != nil || len(as) != 0 {
		t.Errorf("another ente's client lists %d, %v", len(as), err)
	}
	if got := pg.Trail(t, w.tenant, "appointment", mine.ID); !cmp.Equal(got, []string{"appointment.created"}) {
		t.Errorf("trail of the own appointment: %v", got)
	}
}

func setOf(ids []uuid.UUID) map[uuid.UUID]bool {
	m := map[uuid.UUID]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// TestCaseLink: a case is linked only by who may read it (and brings its
// person); when the viewer can no longer read it, the appointment shows
// without it, and editing it keeps the link.
func TestCaseLink(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	in := input()
	in.CaseID = &w.caseID
	if _, err := w.svc.Create(ctx, w.tenant, in, w.swY); !errors.Is(err, derrors.ErrInvalid) || derrors.Fields(err)[0].Field != "case_id" {
		t.Fatalf("a worker not on the case links it: %v", err)
	}
	in.CaseID, in.CaseNumber = nil, "2026/999999"
	if _, err := w.svc.Create(ctx, w.tenant, in, w.sw); derrors.Fields(err) == nil || derrors.Fields(err)[0].Field != "case_number" {
		t.Fatalf("an unknown case number: %v", err)
	}
	cs, err := casefile.NewService(pg.DB, nil).Get(ctx, w.tenant, w.caseID, w.sw.Viewer, "test")
	if err != nil {
		t.Fatal(err)
	}
	number := cs.Case.Number
	in.CaseNumber = number
	a, err := w.svc.Create(ctx, w.tenant, in, w.sw)
	if err != nil {
		t.Fatal(err)
	}
	if a.CaseID == nil || *a.CaseID != w.caseID || a.CaseNumber != number || a.PersonID == nil || *a.PersonID != w.person || a.PersonName != "Gialli Lia" {
		t.Fatalf("linked: case %v %q, person %v %q", a.CaseID, a.CaseNumber, a.PersonID, a.PersonName)
	}
	if count(t, w.tenant) != 1 {
		t.Fatalf("%d appointments after two refusals and one success", count(t, w.tenant))
	}

	// The worker leaves the case.
	pg.Exec(t, w.tenant, `UPDATE cases SET responsible_id = NULL WHERE id = $1`, w.caseID)
	got, err := w.svc.Get(ctx, w.tenant, a.ID, w.sw)
	if err != nil {
		t.Fatal(err)
	}
	if got.CaseID != nil || got.CaseNumber != "" || !got.CaseHidden {
		t.Errorf("a case the worker may not read shows: %v %q hidden=%v", got.CaseID, got.CaseNumber, got.CaseHidden)
	}
	edit := input()
	edit.Title = "Colloquio spostato"
	if _, err := w.svc.Update(ctx, w.tenant, a.ID, edit, w.sw); err != nil {
		t.Fatal(err)
	}
	var kept *uuid.UUID
	err = pgQueryRow(t, w.tenant, `SELECT case_id FROM appointments WHERE id = $1`, a.ID).Scan(&kept)
	if err != nil || kept == nil || *kept != w.caseID {
		t.Errorf("after editing, the hidden case link is %v, %v", kept, err)
	}
	// The coordinator of the case's unit still sees it.
	got, err = w.svc.Get(ctx, w.tenant, a.ID, w.coord)
	if err != nil || got.CaseNumber != number || got.Title != "Colloquio spostato" {
		t.Errorf("coordinator: %+v, %v", got, err)
	}
	// A viewer without people:read sees no person.
	delete(w.sw.Perms, authz.PermPeopleRead)
	if got, err = w.svc.Get(ctx, w.tenant, a.ID, w.sw); err != nil || got.PersonID != nil || got.PersonName != "" {
		t.Errorf("without people:read: %v %q, %v", got.PersonID, got.PersonName, err)
	}
	want := []string{"appointment.created", "appointment.viewed", "appointment.updated", "appointment.viewed", "appointment.viewed"}
	if diff := cmp.Diff(want, pg.Trail(t, w.tenant, "appointment", a.ID)); diff != "" {
		t.Errorf("trail (-want +got):\n%s", diff)
	}
}

// TestValidation: bad input names its fields and writes nothing.
func TestValidation(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	for _, tc := range []struct {
		name   string
		change func(*Input)
		fields []string
	}{
		{"end before start", func(in *Input) { in.EndsAt = in.StartsAt.Add(-time.Minute) }, []string{"ends_at"}},
		{"end at start", func(in *Input) { in.EndsAt = in.StartsAt }, []string{"ends_at"}},
		{"longer than a day", func(in *Input) { in.EndsAt = in.StartsAt.Add(25 * time.Hour) }, []string{"ends_at"}},
		{"no times", func(in *Input) { in.StartsAt, in.EndsAt = time.Time{}, time.Time{} }, []string{"starts_at", "ends_at"}},
		{"no title, bad place", func(in *Input) { in.Title, in.PlaceKind = "  ", "bar" }, []string{"title", "place_kind"}},
		{"other place without text", func(in *Input) { in.PlaceKind, in.Place = "other", "" }, []string{"place"}},
		{"unknown person", func(in *Input) { p := uuid.New(); in.PersonID = &p }, []string{"person_id"}},
		{"unknown tax code", func(in *Input) { in.PersonTaxCode = "RSSMRA80A01H501U" }, []string{"person_tax_code"}},
	} {
		in := input()
		tc.change(&in)
		_, err := w.svc.Create(ctx, w.tenant, in, w.sw)
		var got []string
		for _, f := range derrors.Fields(err) {
			got = append(got, f.Field)
		}
		if !errors.Is(err, derrors.ErrInvalid) || !cmp.Equal(got, tc.fields) {
			t.Errorf("%s: fields %v (%v); want %v", tc.name, got, err, tc.fields)
		}
	}
	if _, err := w.svc.List(ctx, w.tenant, Filter{From: time.Now(), To: time.Now().Add(-time.Hour)}, w.sw); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("a period ending before it starts: %v", err)
	}
	if n := count(t, w.tenant); n != 0 {
		t.Errorf("%d appointments written by refused input", n)
	}
}

// TestOutcome: held or missed only once started; cancelled before; a second
// outcome corrects the first.
func TestOutcome(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	future, err := w.svc.Create(ctx, w.tenant, input(), w.sw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.SetOutcome(ctx, w.tenant, future.ID, Outcome{Outcome: "held"}, w.sw); derrors.Fields(err) == nil {
		t.Errorf("held before it started: %v", err)
	}
	if _, err := w.svc.SetOutcome(ctx, w.tenant, future.ID, Outcome{Outcome: "done"}, w.sw); derrors.Fields(err) == nil {
		t.Errorf("an unknown outcome: %v", err)
	}
	a, err := w.svc.SetOutcome(ctx, w.tenant, future.ID, Outcome{Outcome: "cancelled", Notes: " La persona ha chiamato "}, w.sw)
	if err != nil || a.Outcome != "cancelled" || a.OutcomeNotes != "La persona ha chiamato" || a.OutcomeAt == nil || a.Version != 2 {
		t.Fatalf("cancelled: %+v, %v", a, err)
	}
	past := input()
	past.StartsAt, past.EndsAt = past.StartsAt.AddDate(0, 0, -3), past.EndsAt.AddDate(0, 0, -3)
	p, err := w.svc.Create(ctx, w.tenant, past, w.sw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.SetOutcome(ctx, w.tenant, p.ID, Outcome{Outcome: "missed"}, w.sw); err != nil {
		t.Fatal(err)
	}
	if a, err = w.svc.SetOutcome(ctx, w.tenant, p.ID, Outcome{Outcome: "held"}, w.sw); err != nil || a.Outcome != "held" {
		t.Fatalf("correcting the outcome: %+v, %v", a, err)
	}
	want := []string{"appointment.created", "appointment.outcome_set", "appointment.outcome_set"}
	if diff := cmp.Diff(want, pg.Trail(t, w.tenant, "appointment", p.ID)); diff != "" {
		t.Errorf("trail (-want +got):\n%s", diff)
	}
}

// TestWeekAcrossDST: the week of the change back to winter time (2026-W43)
// ends at Monday's midnight in Rome, not 168 hours after it started.
func TestWeekAcrossDST(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	mk := func(s string) uuid.UUID {
		start, err := time.ParseInLocation("2006-01-02 15:04", s, Rome)
		if err != nil {
			t.Fatal(err)
		}
		a, err := w.svc.Create(ctx, w.tenant, Input{StartsAt: start, EndsAt: start.Add(20 * time.Minute), PlaceKind: "phone", Title: s}, w.sw)
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	monday := mk("2026-10-19 00:00")
	sunday := mk("2026-10-25 23:30")
	next := mk("2026-10-26 00:30")
	before := mk("2026-10-18 23:59")
	for _, tc := range []struct {
		week string
		want []uuid.UUID
	}{
		{"2026-W42", []uuid.UUID{before}},
		{"2026-W43", []uuid.UUID{monday, sunday}},
		{"2026-W44", []uuid.UUID{next}},
	} {
		wk, _ := ParseWeek(tc.week)
		as, err := w.svc.List(ctx, w.tenant, Filter{From: wk.Start(), To: wk.End()}, w.sw)
		if err != nil {
			t.Fatal(err)
		}
		var got []uuid.UUID
		for _, a := range as {
			got = append(got, a.ID)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.week, diff)
		}
	}
}
