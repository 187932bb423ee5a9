package plans

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

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
	worker = casefile.Viewer{ID: uuid.New(), Email: "sw@comune.it", Perms: map[string]bool{authz.PermPlansWrite: true}}
	reader = casefile.Viewer{ID: uuid.New(), Email: "coord@comune.it", Perms: map[string]bool{}}
	grants = casefiletest.Grants{
		worker.ID: {Exists: true, Content: true, Write: true},
		reader.ID: {Exists: true, Content: true},
	}
)

func fields(err error) []string {
	var out []string
	for _, f := range derrors.Fields(err) {
		out = append(out, f.Field)
	}
	return out
}

func TestPlanLifecycle(t *testing.T) {
	ctx := context.Background()
	tenant := pg.NewTenant(t)
	c := pg.NewCase(t, tenant)
	s := NewService(pg.DB, grants)
	s.now = func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC) }

	_, err := s.Create(ctx, tenant, c, Input{ReviewMonths: 30, Goals: []GoalInput{{Text: " ", Horizon: "soon"}},
		Beneficiaries: []uuid.UUID{uuid.New()}, Consent: Consent{Signed: true}}, worker)
	want := []string{"review_months", "goals.0.text", "goals.0.horizon", "beneficiaries", "consent.by", "consent.on"}
	if diff := cmp.Diff(want, fields(err)); diff != "" {
		t.Errorf("refused plan fields (-want +got):\n%s", diff)
	}
	if _, ps, _ := s.List(ctx, tenant, c, reader); len(ps) != 0 {
		t.Fatalf("%d plans after a refusal", len(ps))
	}
	p, err := s.Create(ctx, tenant, c, Input{ReviewMonths: 3, Goals: []GoalInput{
		{Text: "Autonomia negli spostamenti", Horizon: "short"}, {Text: "Rete di vicinato", Horizon: "long"}}}, worker)
	if err != nil {
		t.Fatal(err)
	}
	if p.State != Draft || len(p.Goals) != 2 || len(p.Beneficiaries) != 1 || p.Beneficiaries[0].PersonID != c {
		t.Fatalf("created %+v", p)
	}
	active := Active
	if _, err := s.Update(ctx, tenant, p.ID, Patch{State: &active}, worker); !cmp.Equal(fields(err), []string{"consent.signed"}) {
		t.Errorf("activation without consent: %v", err)
	}
	if _, err := s.Update(ctx, tenant, p.ID, Patch{State: &active}, reader); !errors.Is(err, ErrNoWrite) {
		t.Errorf("reader: %v", err)
	}
	goals := []GoalInput{{ID: p.Goals[1].ID, Text: "Rete di vicinato e parrocchia", Horizon: "medium"}, {Text: "Pasti regolari", Horizon: "short"}}
	p, err = s.Update(ctx, tenant, p.ID, Patch{State: &active, Goals: &goals,
		Consent: &Consent{By: "Lia Gialli", On: people.Date{Year: 2026, Month: 2, Day: 28}, Signed: true}}, worker)
	if err != nil {
		t.Fatal(err)
	}
	if p.State != Active || p.NextReviewOn != (people.Date{Year: 2026, Month: 6, Day: 1}) || len(p.Goals) != 2 ||
		p.Goals[0].Text != "Rete di vicinato e parrocchia" || p.Goals[0].ID != goals[0].ID {
		t.Fatalf("activated %+v", p)
	}
	r := ReviewInput{ReviewedOn: people.Date{Year: 2026, Month: 2, Day: 28}, Notes: "Buoni progressi",
		Outcomes: map[uuid.UUID]string{p.Goals[0].ID: "partly_met", p.Goals[1].ID: "met"}}
	if p, err = s.AddReview(ctx, tenant, p.ID, r, worker); err != nil {
		t.Fatal(err)
	}
	if len(p.Reviews) != 1 || p.Goals[1].Outcome != "met" || p.NextReviewOn != (people.Date{Year: 2026, Month: 5, Day: 28}) {
		t.Errorf("after the review: %+v", p)
	}
	_, err = s.AddReview(ctx, tenant, p.ID, ReviewInput{Outcomes: map[uuid.UUID]string{p.Goals[0].ID: "great", uuid.New(): "met"}}, worker)
	if len(fields(err)) != 2 {
		t.Errorf("bad review: %v", err)
	}
	closed := Closed
	if _, err := s.Update(ctx, tenant, p.ID, Patch{State: &closed}, worker); !cmp.Equal(fields(err), []string{"close_reason"}) {
		t.Errorf("close without reason: %v", err)
	}
	if p, err = s.Update(ctx, tenant, p.ID, Patch{State: &closed, CloseReason: "Obiettivi raggiunti"}, worker); err != nil || p.State != Closed {
		t.Fatalf("close: %v %+v", err, p)
	}
	if _, err := s.AddReview(ctx, tenant, p.ID, ReviewInput{}, worker); !errors.Is(err, ErrNotActive) {
		t.Errorf("review of a closed plan: %v", err)
	}
	if _, err := s.Update(ctx, tenant, p.ID, Patch{State: &active}, worker); !errors.Is(err, ErrClosed) {
		t.Errorf("reopen a closed plan: %v", err)
	}
	got, _, err := s.Get(ctx, tenant, p.ID, "", reader)
	if err != nil || len(got.Reviews) != 1 || got.Reviews[0].Notes != "Buoni progressi" {
		t.Errorf("Get: %v %+v", err, got)
	}
	if _, _, err := s.Get(ctx, pg.NewTenant(t), p.ID, "", worker); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("other ente: %v", err)
	}
}

func TestDueReviews(t *testing.T) {
	ctx := context.Background()
	tenant := pg.NewTenant(t)
	seen, hidden, later := pg.NewCase(t, tenant), pg.NewCase(t, tenant), pg.NewCase(t, tenant)
	viewer := casefile.Viewer{ID: uuid.New(), Email: "v@comune.it", Perms: map[string]bool{authz.PermPlansWrite: true}}
	g := casefiletest.Grants{
		seen:   {Exists: true, Content: true, Write: true},
		hidden: {Exists: true},
		later:  {Exists: true, Content: true, Write: true},
	}
	s := NewService(pg.DB, grants)
	s.now = func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC) }
	active := Active
	consent := Consent{By: "Lia Gialli", On: people.Date{Year: 2026, Month: 2, Day: 1}, Signed: true}
	mk := func(c uuid.UUID, next people.Date) uuid.UUID {
		p, err := s.Create(ctx, tenant, c, Input{ReviewMonths: 6, NextReviewOn: next, Consent: consent,
			Goals: []GoalInput{{Text: "Obiettivo", Horizon: "short"}}}, worker)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Update(ctx, tenant, p.ID, Patch{State: &active}, worker); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	overdue := mk(seen, people.Date{Year: 2026, Month: 2, Day: 20})
	mk(hidden, people.Date{Year: 2026, Month: 3, Day: 5})
	mk(later, people.Date{Year: 2026, Month: 5, Day: 5})
	due := mk(later, people.Date{Year: 2026, Month: 3, Day: 10})
	s.cases = g // the viewer sees seen and later, knows of hidden
	got, err := s.DueReviews(ctx, tenant, viewer, time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Plan    uuid.UUID
		Overdue bool
	}
	var rows []row
	for _, d := range got {
		rows = append(rows, row{d.PlanID, d.Overdue})
	}
	if diff := cmp.Diff([]row{{overdue, true}, {due, false}}, rows); diff != "" {
		t.Errorf("due reviews (-want +got):\n%s", diff)
	}
}
