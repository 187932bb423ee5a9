package casefile

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
)

// TestPath walks DOMAIN.md's path: a proposal opened at intake, assigned by
// the coordinator, taken in charge by the social worker, closed with a reason
// and reopened, each step in the history and in the audit trail.
func TestPath(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	var c *Case
	err := pg.DB.InTenant(ctx, w.tenant, func(tx pgx.Tx) (err error) {
		c, err = w.svc.OpenTx(ctx, tx, w.tenant, OpenInput{PersonID: w.person, UserArea: "elderly", UnitID: w.unitX}, w.intake)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.State != "open" || c.ResponsibleID != nil {
		t.Fatalf("opened %+v", c)
	}
	steps := []struct {
		name    string
		do      func() (*Case, error)
		wantErr error
	}{
		{"social worker may not assign", func() (*Case, error) { return w.svc.Assign(ctx, w.tenant, c.ID, w.swA.ID, w.swA) }, derrors.ErrForbidden},
		{"coordinator of Y may not assign X's", func() (*Case, error) { return w.svc.Assign(ctx, w.tenant, c.ID, w.swY.ID, w.coordY) }, derrors.ErrForbidden},
		{"responsible outside the unit", func() (*Case, error) { return w.svc.Assign(ctx, w.tenant, c.ID, w.swY.ID, w.coordX) }, derrors.ErrInvalid},
		{"take in charge before assignment", func() (*Case, error) { return w.svc.TakeInCharge(ctx, w.tenant, c.ID, w.coordX) }, derrors.ErrConflict},
		{"assign", func() (*Case, error) { return w.svc.Assign(ctx, w.tenant, c.ID, w.swA.ID, w.coordX) }, nil},
		{"someone else takes in charge", func() (*Case, error) { return w.svc.TakeInCharge(ctx, w.tenant, c.ID, w.swB) }, derrors.ErrForbidden},
		{"take in charge", func() (*Case, error) { return w.svc.TakeInCharge(ctx, w.tenant, c.ID, w.swA) }, nil},
		{"reopen an open case", func() (*Case, error) { return w.svc.Reopen(ctx, w.tenant, c.ID, "x", w.swA) }, derrors.ErrConflict},
		{"close without reason", func() (*Case, error) { return w.svc.Close(ctx, w.tenant, c.ID, " ", w.swA) }, derrors.ErrInvalid},
		{"intake may not close", func() (*Case, error) { return w.svc.Close(ctx, w.tenant, c.ID, "fine", w.intake) }, derrors.ErrForbidden},
		{"close", func() (*Case, error) { return w.svc.Close(ctx, w.tenant, c.ID, "Obiettivi raggiunti", w.swA) }, nil},
		{"reopen without reason", func() (*Case, error) { return w.svc.Reopen(ctx, w.tenant, c.ID, "", w.swA) }, derrors.ErrInvalid},
		{"reopen", func() (*Case, error) { return w.svc.Reopen(ctx, w.tenant, c.ID, "Nuova segnalazione", w.swA) }, nil},
		{"referred from reopened is no transition", func() (*Case, error) {
			return w.svc.Transition(ctx, w.tenant, c.ID, "referred", "", w.coordX)
		}, derrors.ErrConflict},
		{"back in charge", func() (*Case, error) { return w.svc.Transition(ctx, w.tenant, c.ID, "taken_in_charge", "", w.swA) }, nil},
		{"social worker may not refer (coordinator only)", func() (*Case, error) {
			return w.svc.Transition(ctx, w.tenant, c.ID, "referred", "Alla ASL", w.swA)
		}, derrors.ErrForbidden},
		{"coordinator refers", func() (*Case, error) { return w.svc.Transition(ctx, w.tenant, c.ID, "referred", "Alla ASL", w.coordX) }, nil},
	}
	for _, st := range steps {
		got, err := st.do()
		if st.wantErr == nil && err != nil || st.wantErr != nil && !errors.Is(err, st.wantErr) {
			t.Fatalf("%s: %v, want %v", st.name, err, st.wantErr)
		}
		if err == nil {
			c = got
		}
	}
	if c.State != "referred" || c.TakenAt == nil || c.ClosedAt != nil || c.CloseReason != "" || *c.ResponsibleID != w.swA.ID {
		t.Errorf("final case %+v", c)
	}
	view, err := w.svc.Get(ctx, w.tenant, c.ID, w.coordX, "test")
	if err != nil {
		t.Fatal(err)
	}
	var history []string
	for _, e := range view.Events {
		history = append(history, fmt.Sprintf("%s %s>%s %s", e.Kind, e.FromState, e.ToState, e.Reason))
	}
	want := []string{
		"opened >open ", "assigned > ", "transition open>taken_in_charge ",
		"transition taken_in_charge>closed Obiettivi raggiunti", "transition closed>reopened Nuova segnalazione",
		"transition reopened>taken_in_charge ", "transition taken_in_charge>referred Alla ASL",
	}
	if diff := cmp.Diff(want, history); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	wantAudit := []string{"case.opened", "case.assigned", "case.taken_in_charge", "case.closed", "case.reopened",
		"case.taken_in_charge", "case.transitioned", "case.viewed"}
	if diff := cmp.Diff(wantAudit, actions(t, w.tenant, c.ID)); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	if len(view.Team) != 1 || view.Team[0].OperatorID != w.swA.ID || view.Team[0].Role != "responsible" {
		t.Errorf("team %+v", view.Team)
	}
}

// TestOpenValidation: bad input names its fields and writes nothing, not
// even a case number.
func TestOpenValidation(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	other := newWorld(t)
	for _, tc := range []struct {
		name string
		in   OpenInput
		want []string
	}{
		{"empty", OpenInput{}, []string{"person_id", "user_area", "unit_id"}},
		{"another ente's person and unit", OpenInput{PersonID: other.person, UserArea: "elderly", UnitID: other.unitX}, []string{"person_id", "unit_id"}},
		{"responsible outside the unit", OpenInput{PersonID: w.person, UserArea: "disability", UnitID: w.unitX, ResponsibleID: &w.swY.ID}, []string{"responsible_id"}},
		{"unknown area", OpenInput{PersonID: w.person, UserArea: "everyone", UnitID: w.unitX}, []string{"user_area"}},
	} {
		_, err := w.svc.Open(ctx, w.tenant, tc.in, w.coordX)
		var got []string
		for _, f := range Fields(err) {
			got = append(got, f.Field)
		}
		if !errors.Is(err, derrors.ErrInvalid) || !cmp.Equal(tc.want, got) {
			t.Errorf("%s: %v, fields %v, want %v", tc.name, err, got, tc.want)
		}
	}
	if _, err := w.svc.Open(ctx, w.tenant, OpenInput{PersonID: w.person, UserArea: "elderly", UnitID: w.unitX}, w.intake); !errors.Is(err, derrors.ErrForbidden) {
		t.Errorf("Open by intake: %v, want forbidden", err)
	}
	c := w.open(t, w.unitX, w.coordX, false, nil)
	if c.Number[5:] != "000001" {
		t.Errorf("first number after refused openings = %s, want …/000001", c.Number)
	}
}

// TestNumbersUnderConcurrency: many openings at once take consecutive numbers.
func TestNumbersUnderConcurrency(t *testing.T) {
	w := newWorld(t)
	const n = 20
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		numbers []string
	)
	for range n {
		wg.Go(func() {
			c, err := w.svc.Open(context.Background(), w.tenant, OpenInput{PersonID: w.person, UserArea: "elderly", UnitID: w.unitX}, w.coordX)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			numbers = append(numbers, c.Number[5:])
			mu.Unlock()
		})
	}
	wg.Wait()
	sort.Strings(numbers)
	var want []string
	for i := 1; i <= n; i++ {
		want = append(want, fmt.Sprintf("%06d", i))
	}
	if diff := cmp.Diff(want, numbers); diff != "" {
		t.Errorf("numbers (-want +got):\n%s", diff)
	}
}

// TestTeam: members join and leave, the rows stay, and leaving takes access.
func TestTeam(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	c := w.open(t, w.unitX, w.coordX, true, &w.swA.ID)
	if _, err := w.svc.AddMember(ctx, w.tenant, c.ID, w.swB.ID, "responsible", w.swA); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("add as responsible: %v", err)
	}
	if _, err := w.svc.AddMember(ctx, w.tenant, c.ID, w.swB.ID, "psychologist", w.swA); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.AddMember(ctx, w.tenant, c.ID, w.swB.ID, "educator", w.swA); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("add twice: %v", err)
	}
	if got := listed(t, w, Filter{}, w.swB); !got[c.Number] {
		t.Errorf("team member does not see the reserved case: %v", got)
	}
	if _, err := w.svc.RemoveMember(ctx, w.tenant, c.ID, w.swA.ID, w.coordX); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("remove the responsible: %v", err)
	}
	if _, err := w.svc.RemoveMember(ctx, w.tenant, c.ID, w.swB.ID, w.swA); err != nil {
		t.Fatal(err)
	}
	if got := listed(t, w, Filter{}, w.swB); got[c.Number] {
		t.Errorf("former member still sees the case")
	}
	view, err := w.svc.Get(ctx, w.tenant, c.ID, w.swA, "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Team) != 2 || view.Team[1].RemovedAt == nil {
		t.Errorf("team %+v, want the removed member kept", view.Team)
	}
}

// TestCustomWorkflow: an ente's own workflow replaces the default, checked
// by role.
func TestCustomWorkflow(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	admin := Viewer{ID: w.coordX.ID, Perms: map[string]bool{"workflow:manage": true}}
	wf := Workflow{
		States: []State{
			{Name: "open", LabelIT: "Aperta", LabelEN: "Open", Initial: true},
			{Name: "triage", LabelIT: "Triage", LabelEN: "Triage"},
			{Name: "closed", LabelIT: "Chiusa", LabelEN: "Closed", Terminal: true},
		},
		Transitions: []Transition{
			{From: "open", To: "triage", Roles: []string{"social_worker"}},
			{From: "triage", To: "closed", RequiresReason: true},
		},
	}
	if err := w.svc.SaveWorkflow(ctx, w.tenant, wf, nil, w.coordX); !errors.Is(err, derrors.ErrForbidden) {
		t.Errorf("save without workflow:manage: %v", err)
	}
	if err := w.svc.SaveWorkflow(ctx, w.tenant, wf, nil, admin); err != nil {
		t.Fatal(err)
	}
	c := w.open(t, w.unitX, w.coordX, false, &w.swA.ID)
	if _, err := w.svc.Transition(ctx, w.tenant, c.ID, "triage", "", w.coordX); !errors.Is(err, ErrRoleNotAllowed) {
		t.Errorf("coordinator to triage: %v, want role refused", err)
	}
	if _, err := w.svc.Transition(ctx, w.tenant, c.ID, "triage", "", w.swA); err != nil {
		t.Fatal(err)
	}
	if c, err := w.svc.Close(ctx, w.tenant, c.ID, "Fine", w.swA); err != nil || c.ClosedAt == nil {
		t.Fatalf("close: %+v %v", c, err)
	}
	// States in use may not go.
	wf.States = wf.States[:2]
	wf.Transitions = wf.Transitions[:1]
	if err := w.svc.SaveWorkflow(ctx, w.tenant, wf, nil, admin); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("dropping a state in use: %v", err)
	}
}

// TestWorkflowValidate names what is wrong with a definition.
func TestWorkflowValidate(t *testing.T) {
	st := func(name string, initial, terminal bool) State {
		return State{Name: name, LabelIT: name, LabelEN: name, Initial: initial, Terminal: terminal}
	}
	for _, tc := range []struct {
		name string
		w    Workflow
		want []string
	}{
		{"default", DefaultWorkflow(), nil},
		{"no initial", Workflow{States: []State{st("aa", false, true)}}, []string{"initial"}},
		{"two initials", Workflow{States: []State{st("aa", true, false), st("bb", true, true)},
			Transitions: []Transition{{From: "aa", To: "bb"}}}, []string{"initial"}},
		{"no terminal", Workflow{States: []State{st("aa", true, false)}}, []string{"terminal"}},
		{"unreachable", Workflow{States: []State{st("aa", true, false), st("bb", false, true)}}, []string{"transitions"}},
		{"bad name and unknown state", Workflow{States: []State{st("A!", true, true)},
			Transitions: []Transition{{From: "A!", To: "zz"}}}, []string{"states.0.name", "transitions.0"}},
		{"unknown role", Workflow{States: []State{st("aa", true, false), st("bb", false, true)},
			Transitions: []Transition{{From: "aa", To: "bb", Roles: []string{"wizard"}}}}, []string{"transitions.0.roles"}},
		{"missing label", Workflow{States: []State{{Name: "aa", Initial: true, Terminal: true}}}, []string{"states.0.label"}},
	} {
		err := tc.w.Validate(func(r string) bool { return r == "coordinator" || r == "social_worker" })
		var got []string
		for _, f := range Fields(err) {
			got = append(got, f.Field)
		}
		if !cmp.Equal(tc.want, got) {
			t.Errorf("%s: fields %v, want %v (%v)", tc.name, got, tc.want, err)
		}
	}
}

// TestMergeMovesCases: merging people moves the dropped person's cases.
func TestMergeMovesCases(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ppl := people.NewService(pg.DB)
	svc := NewService(pg.DB, ppl)
	dup, _, err := ppl.Create(ctx, w.tenant, people.Input{FirstName: "Ada", LastName: "Neri", Sex: "F",
		BirthDate: people.Date{Year: 1980, Month: 1, Day: 1}, BirthPlace: "H501"}, people.Actor{Email: "t"}, true)
	if err != nil {
		t.Fatal(err)
	}
	c, err := svc.Open(ctx, w.tenant, OpenInput{PersonID: dup.ID, UserArea: "elderly", UnitID: w.unitX}, w.coordX)
	if err != nil {
		t.Fatal(err)
	}
	if err := ppl.Merge(ctx, w.tenant, w.person, dup.ID, people.Actor{Email: "t"}); err != nil {
		t.Fatal(err)
	}
	view, err := svc.Get(ctx, w.tenant, c.ID, w.coordX, "test")
	if err != nil {
		t.Fatal(err)
	}
	if view.Case.PersonID != w.person || view.Events[len(view.Events)-1].Kind != "edited" {
		t.Errorf("after merge: person %s, events %+v", view.Case.PersonID, view.Events)
	}
	_ = uuid.Nil
}
