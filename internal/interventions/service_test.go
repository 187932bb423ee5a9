package interventions

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
)

func fieldNames(err error) []string {
	out := []string{}
	for _, f := range derrors.Fields(err) {
		out = append(out, f.Field)
	}
	return out
}

// TestLifecycle takes an intervention along its path, each move by the role
// that may make it, with the refusals on the way; activation is refused with
// the exact missing fields, then accepted once they are filled in.
func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	it := w.request(t)
	if it.State != StateRequested || it.Character != CharacterOccasional || it.MeansTest != MeansTestISEE ||
		*it.ShareEnte != 100 || *it.ShareUser != 0 || it.ISEEThresholdCents == nil || *it.ISEEThresholdCents != 1500000 {
		t.Fatalf("request not defaulted from the catalogue: %+v", it)
	}
	move := func(v casefile.Viewer, to, reason string) (*Intervention, error) {
		return w.svc.Transition(ctx, w.tenant, it.ID, to, reason, v)
	}
	if _, err := move(w.sw, StateApproved, ""); !errors.Is(err, derrors.ErrForbidden) {
		t.Fatalf("social worker approving: %v; want forbidden", err)
	}
	if _, err := move(w.admin, StateActive, ""); !errors.Is(err, derrors.ErrConflict) {
		t.Fatalf("activating a requested intervention: %v; want conflict", err)
	}
	if _, err := move(w.coord, StateApproved, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := move(w.coord, StateRanked, ""); err != nil {
		t.Fatal(err)
	}

	// Activation refused: what it lacks, field by field; nothing written.
	before := w.count(t, `SELECT count(*) FROM intervention_events WHERE intervention_id = $1`, it.ID)
	trail := w.trail(t, w.caseID)
	_, err := move(w.admin, StateActive, "")
	want := []string{"application_protocol", "monthly_amount_cents", "dsu_protocol", "dsu_year", "dsu_date", "isee_value_cents"}
	if !errors.Is(err, derrors.ErrInvalid) {
		t.Fatalf("activation without data: %v; want invalid", err)
	}
	if diff := cmp.Diff(want, fieldNames(err)); diff != "" {
		t.Fatalf("missing fields (-want +got):\n%s", diff)
	}
	v, err := w.svc.Get(ctx, w.tenant, it.ID, w.admin)
	if err != nil {
		t.Fatal(err)
	}
	if v.State != StateRanked || v.Version != 3 || w.count(t, `SELECT count(*) FROM intervention_events WHERE intervention_id = $1`, it.ID) != before ||
		w.trail(t, w.caseID) != trail+" intervention.viewed" {
		t.Fatalf("a refused activation left traces: state %s version %d", v.State, v.Version)
	}
	if diff := cmp.Diff(want, fieldNames(&derrors.Invalid{Fields: v.Missing})); diff != "" {
		t.Errorf("the page's missing list (-want +got):\n%s", diff)
	}

	// The administrative office fills them in, with a stale version first.
	d := v.Data
	d.ApplicationProtocol, d.MonthlyAmountCents, d.PeriodMonths = "PROT-2026-0042", ptr[int64](25000), nil
	d.DSUProtocol, d.DSUYear, d.DSUDate = "INPS-ISEE-2026-00000042A-00", ptr(2026), people.Date{Year: 2026, Month: 1, Day: 5}
	d.ISEEValueCents = ptr[int64](1600000) // above the threshold
	if _, err := w.svc.Update(ctx, w.tenant, it.ID, v.Version-1, d, w.admin); !errors.Is(err, derrors.ErrConflict) {
		t.Fatalf("stale edit: %v; want conflict", err)
	}
	if _, err := w.svc.Update(ctx, w.tenant, it.ID, v.Version, d, w.intake); !errors.Is(err, derrors.ErrForbidden) {
		t.Fatalf("intake operator editing: %v; want forbidden", err)
	}
	up, err := w.svc.Update(ctx, w.tenant, it.ID, v.Version, d, w.admin)
	if err != nil {
		t.Fatal(err)
	}
	_, err = move(w.admin, StateActive, "")
	if diff := cmp.Diff([]string{"isee_value_cents"}, fieldNames(err)); diff != "" {
		t.Fatalf("ISEE above the threshold (-want +got):\n%s", diff)
	}
	d.ISEEValueCents = ptr[int64](1400000)
	if up, err = w.svc.Update(ctx, w.tenant, it.ID, up.Version, d, w.admin); err != nil {
		t.Fatal(err)
	}
	if _, err := move(w.coord, StateActive, ""); !errors.Is(err, derrors.ErrForbidden) {
		t.Fatalf("coordinator activating: %v; want forbidden", err)
	}
	act, err := move(w.admin, StateActive, "")
	if err != nil {
		t.Fatal(err)
	}
	if act.State != StateActive {
		t.Fatalf("state %s", act.State)
	}

	// An edit of an active intervention is a change event; it may not take
	// away what activation needs.
	d.MonthlyAmountCents = ptr[int64](30000)
	if act, err = w.svc.Update(ctx, w.tenant, it.ID, act.Version, d, w.admin); err != nil {
		t.Fatal(err)
	}
	bad := d
	bad.DSUProtocol = ""
	if _, err := w.svc.Update(ctx, w.tenant, it.ID, act.Version, bad, w.admin); !errors.Is(err, derrors.ErrInvalid) || fieldNames(err)[0] != "dsu_protocol" {
		t.Fatalf("emptying the DSU of an active intervention: %v", err)
	}
	if _, err := move(w.admin, StateSuspended, " "); fieldNames(err)[0] != "reason" {
		t.Fatalf("suspension without reason: %v", err)
	}
	for _, m := range []struct {
		to, reason string
	}{{StateSuspended, "Ricovero ospedaliero"}, {StateActive, ""}, {StateClosed, "Obiettivi raggiunti"}} {
		if _, err := move(w.admin, m.to, m.reason); err != nil {
			t.Fatalf("→ %s: %v", m.to, err)
		}
	}
	if _, err := move(w.admin, StateActive, ""); !errors.Is(err, derrors.ErrConflict) {
		t.Fatalf("reopening a closed intervention: %v; want conflict", err)
	}
	if _, err := w.svc.Update(ctx, w.tenant, it.ID, act.Version+4, d, w.admin); !errors.Is(err, derrors.ErrConflict) {
		t.Fatalf("editing a closed intervention: %v; want conflict", err)
	}
	v, err = w.svc.Get(ctx, w.tenant, it.ID, w.coord)
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, e := range v.Events {
		steps = append(steps, e.Kind+":"+e.FromState+">"+e.ToState+":"+e.Reason)
	}
	wantSteps := []string{"created:>requested:", "transition:requested>approved:", "transition:approved>ranked:",
		"transition:ranked>active:", "changed:active>active:", "transition:active>suspended:Ricovero ospedaliero",
		"transition:suspended>active:", "transition:active>closed:Obiettivi raggiunti"}
	if diff := cmp.Diff(wantSteps, steps); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if v.ClosedOn.IsZero() || len(v.Missing) != 0 {
		t.Errorf("closed on %v, missing %v", v.ClosedOn, v.Missing)
	}
	var snap Intervention
	if err := json.Unmarshal(v.Events[4].Snapshot, &snap); err != nil || snap.MonthlyAmountCents == nil || *snap.MonthlyAmountCents != 30000 {
		t.Errorf("the change event's snapshot lacks the new amount: %s", v.Events[4].Snapshot)
	}
}

// TestCreateRefusals: a request without what it needs writes nothing.
func TestCreateRefusals(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	stranger := uuid.New()
	for _, tc := range []struct {
		name   string
		v      casefile.Viewer
		in     NewIntervention
		kind   error
		fields []string
	}{
		{"administrative may not request", w.admin, NewIntervention{PersonID: w.person, CaseID: w.caseID, CatalogEntryID: w.euro}, derrors.ErrForbidden, nil},
		{"intake may not request", w.intake, NewIntervention{PersonID: w.person, CaseID: w.caseID, CatalogEntryID: w.euro}, derrors.ErrForbidden, nil},
		{"nothing", w.sw, NewIntervention{CaseID: w.caseID}, derrors.ErrInvalid, []string{"start_date", "person_id", "catalog_entry_id"}},
		{"bad values", w.sw, NewIntervention{PersonID: stranger, CaseID: w.caseID, CatalogEntryID: uuid.New(), Data: Data{
			StartDate: people.Date{Year: 2026, Month: 3, Day: 1}, EndDate: people.Date{Year: 2026, Month: 2, Day: 1},
			PeriodMonths: ptr(13), ShareUser: ptr(120.0), MeansTest: "9"}},
			derrors.ErrInvalid, []string{"means_test", "end_date", "period_months", "share_user", "catalog_entry_id", "person_id"}},
		{"a case not theirs", w.swOther, NewIntervention{PersonID: w.person, CaseID: w.caseID, CatalogEntryID: w.euro,
			Data: Data{StartDate: people.Date{Year: 2026, Month: 1, Day: 1}}}, derrors.ErrNotFound, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.svc.Create(ctx, w.tenant, tc.in, tc.v)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("%v; want %v", err, tc.kind)
			}
			if tc.fields != nil {
				if diff := cmp.Diff(tc.fields, fieldNames(err)); diff != "" {
					t.Errorf("fields (-want +got):\n%s", diff)
				}
			}
		})
	}
	if n := w.count(t, `SELECT count(*) FROM interventions`); n != 0 {
		t.Errorf("%d interventions written by refused requests", n)
	}
	if tr := w.trail(t, w.caseID); tr != "" {
		t.Errorf("refused requests audited: %s", tr)
	}
}

// TestVisibility: who sees which intervention, role by role; the
// administrative office sees every one (reserved cases included), an
// operator without the case's content none, another ente none.
func TestVisibility(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	open := w.request(t)
	reserved, err := w.svc.Create(ctx, w.tenant, NewIntervention{PersonID: w.person, CaseID: w.reservedCase, CatalogEntryID: w.hours,
		Data: Data{StartDate: people.Date{Year: 2026, Month: 1, Day: 1}}}, w.swOther)
	if err != nil {
		t.Fatal(err)
	}
	other := pg.NewTenant(t)
	for _, tc := range []struct {
		name    string
		tenant  uuid.UUID
		v       casefile.Viewer
		listed  []uuid.UUID
		getOpen error
		getRes  error
	}{
		{"coordinator of the unit", w.tenant, w.coord, []uuid.UUID{reserved.ID, open.ID}, nil, nil},
		{"responsible social worker", w.tenant, w.sw, []uuid.UUID{open.ID}, nil, derrors.ErrNotFound},
		{"social worker of the reserved case", w.tenant, w.swOther, []uuid.UUID{reserved.ID}, derrors.ErrNotFound, nil},
		{"administrative", w.tenant, w.admin, []uuid.UUID{reserved.ID, open.ID}, nil, nil},
		{"intake operator", w.tenant, w.intake, nil, derrors.ErrForbidden, derrors.ErrForbidden},
		{"another ente's coordinator", other, w.coord, []uuid.UUID{}, derrors.ErrNotFound, derrors.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, err := w.svc.List(ctx, tc.tenant, Filter{}, tc.v)
			if tc.listed == nil {
				if !errors.Is(err, derrors.ErrForbidden) {
					t.Errorf("List: %v; want forbidden", err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				got := []uuid.UUID{}
				for _, it := range list {
					got = append(got, it.ID)
				}
				if diff := cmp.Diff(tc.listed, got); diff != "" {
					t.Errorf("listed (-want +got):\n%s", diff)
				}
			}
			for id, want := range map[uuid.UUID]error{open.ID: tc.getOpen, reserved.ID: tc.getRes} {
				_, err := w.svc.Get(ctx, tc.tenant, id, tc.v)
				if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
					t.Errorf("Get %s: %v; want %v", id, err, want)
				}
			}
		})
	}
	// By case and by filters.
	if l, err := w.svc.List(ctx, w.tenant, Filter{CaseID: w.caseID}, w.sw); err != nil || len(l) != 1 || l[0].ID != open.ID {
		t.Errorf("List by case: %v %v", l, err)
	}
	if _, err := w.svc.List(ctx, w.tenant, Filter{CaseID: w.reservedCase}, w.sw); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("List of a reserved case: %v; want not found", err)
	}
	if l, err := w.svc.List(ctx, w.tenant, Filter{State: StateRequested, CatalogEntryID: w.hours}, w.admin); err != nil || len(l) != 1 || l[0].ID != reserved.ID {
		t.Errorf("List by state and entry: %v %v", l, err)
	}
}

// TestDeliveries: recorded only on active (or closed, before closing)
// interventions, by the administrative office, validated field by field;
// cancelled, never changed.
func TestDeliveries(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	now := time.Now()
	w.svc.now = func() time.Time { return now }
	start := people.DateOf(now.AddDate(0, -2, 0))
	it, err := w.svc.Create(ctx, w.tenant, NewIntervention{PersonID: w.person, CaseID: w.caseID, CatalogEntryID: w.hours,
		Data: Data{StartDate: start, ApplicationProtocol: "P-1", MonthlyHours: ptr(20.0)}}, w.sw)
	if err != nil {
		t.Fatal(err)
	}
	day := people.DateOf(now.AddDate(0, -1, 0))
	add := func(v casefile.Viewer, in NewDelivery) (*Delivery, error) {
		return w.svc.AddDelivery(ctx, w.tenant, it.ID, in, v)
	}
	if _, err := add(w.admin, NewDelivery{DeliveredOn: day, Hours: ptr(4.0)}); !errors.Is(err, derrors.ErrConflict) {
		t.Fatalf("delivery of a requested intervention: %v; want conflict", err)
	}
	for _, to := range []string{StateApproved} {
		if _, err := w.svc.Transition(ctx, w.tenant, it.ID, to, "", w.coord); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.svc.Transition(ctx, w.tenant, it.ID, StateActive, "", w.admin); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		in     NewDelivery
		fields []string
	}{
		{"nothing", NewDelivery{}, []string{"delivered_on", "hours"}},
		{"amount without hours", NewDelivery{DeliveredOn: day, AmountCents: ptr[int64](1000)}, []string{"hours"}},
		{"before the start", NewDelivery{DeliveredOn: people.DateOf(now.AddDate(0, -3, 0)), Hours: ptr(2.0)}, []string{"delivered_on"}},
		{"in the future", NewDelivery{DeliveredOn: people.DateOf(now.AddDate(0, 0, 2)), Hours: ptr(2.0)}, []string{"delivered_on"}},
		{"negative", NewDelivery{DeliveredOn: day, Hours: ptr(-1.0)}, []string{"hours", "hours"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := add(w.admin, tc.in)
			if diff := cmp.Diff(tc.fields, fieldNames(err)); diff != "" {
				t.Errorf("fields of %v (-want +got):\n%s", err, diff)
			}
		})
	}
	if _, err := add(w.coord, NewDelivery{DeliveredOn: day, Hours: ptr(4.0)}); !errors.Is(err, derrors.ErrForbidden) {
		t.Fatalf("coordinator recording: %v; want forbidden", err)
	}
	if n := w.count(t, `SELECT count(*) FROM intervention_deliveries`); n != 0 {
		t.Fatalf("%d deliveries written by refused requests", n)
	}
	d, err := add(w.admin, NewDelivery{DeliveredOn: day, Hours: ptr(4.5), Provider: " Cooperativa Aurora ", Notes: "Prima settimana"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Provider != "Cooperativa Aurora" || *d.Hours != 4.5 || d.Cancelled {
		t.Errorf("delivery %+v", d)
	}
	if _, err := w.svc.CancelDelivery(ctx, w.tenant, it.ID, d.ID, "", w.admin); fieldNames(err)[0] != "reason" {
		t.Errorf("cancellation without reason: %v", err)
	}
	if c, err := w.svc.CancelDelivery(ctx, w.tenant, it.ID, d.ID, "Ore sbagliate", w.admin); err != nil || !c.Cancelled || c.CancelReason != "Ore sbagliate" {
		t.Fatalf("cancel: %+v %v", c, err)
	}
	if _, err := w.svc.CancelDelivery(ctx, w.tenant, it.ID, d.ID, "Di nuovo", w.admin); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("cancelling twice: %v; want conflict", err)
	}
	if _, err := w.svc.CancelDelivery(ctx, w.tenant, it.ID, uuid.New(), "Boh", w.admin); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("cancelling another delivery: %v; want not found", err)
	}
	if _, err := add(w.admin, NewDelivery{DeliveredOn: day, Hours: ptr(3.0)}); err != nil {
		t.Fatal(err)
	}
	// Closed today: a delivery of yesterday is still accepted.
	if _, err := w.svc.Transition(ctx, w.tenant, it.ID, StateClosed, "Fine del servizio", w.admin); err != nil {
		t.Fatal(err)
	}
	if _, err := add(w.admin, NewDelivery{DeliveredOn: people.DateOf(now.AddDate(0, 0, -1)), Hours: ptr(1.0)}); err != nil {
		t.Errorf("delivery before closing: %v", err)
	}
	ds, err := w.svc.Deliveries(ctx, w.tenant, it.ID, w.coord)
	if err != nil || len(ds) != 3 || !ds[0].Cancelled && !ds[1].Cancelled {
		t.Fatalf("deliveries %+v %v", ds, err)
	}
	if _, err := w.svc.Deliveries(ctx, w.tenant, it.ID, w.intake); !errors.Is(err, derrors.ErrForbidden) {
		t.Errorf("intake reading deliveries: %v", err)
	}
	if _, err := w.svc.Deliveries(ctx, pg.NewTenant(t), it.ID, w.admin); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("another ente reading deliveries: %v", err)
	}
}

// TestActiveCounts counts active interventions per responsible and unit.
func TestActiveCounts(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	it, err := w.svc.Create(ctx, w.tenant, NewIntervention{PersonID: w.person, CaseID: w.caseID, CatalogEntryID: w.hours,
		Data: Data{StartDate: people.Date{Year: 2026, Month: 1, Day: 1}, ApplicationProtocol: "P-2", MonthlyHours: ptr(10.0)}}, w.sw)
	if err != nil {
		t.Fatal(err)
	}
	w.request(t) // requested: not counted
	if _, err := w.svc.Transition(ctx, w.tenant, it.ID, StateApproved, "", w.coord); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Transition(ctx, w.tenant, it.ID, StateActive, "", w.admin); err != nil {
		t.Fatal(err)
	}
	c, err := w.svc.ActiveCounts(ctx, w.tenant)
	if err != nil {
		t.Fatal(err)
	}
	want := &Caseload{ByOperator: []Count{{ID: w.sw.ID, Name: "Operatore social_worker", Active: 1}},
		ByUnit: []Count{{ID: w.unit, Name: "Servizio sociale", Active: 1}}}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}
