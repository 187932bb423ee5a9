package diary

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
)

var (
	worker = casefile.Viewer{ID: uuid.New(), Email: "sw@comune.it", IP: "192.0.2.1",
		Perms: map[string]bool{authz.PermDiaryRead: true, authz.PermDiaryWrite: true}}
	reader = casefile.Viewer{ID: uuid.New(), Email: "coord@comune.it", Perms: map[string]bool{authz.PermDiaryRead: true}}
	clerk  = casefile.Viewer{ID: uuid.New(), Email: "admin@comune.it", Perms: map[string]bool{}}
	intake = casefile.Viewer{ID: uuid.New(), Email: "pua@comune.it", Perms: map[string]bool{authz.PermDiaryWrite: true}}
	grants = casefiletest.Grants{
		worker.ID: {Exists: true, Content: true, Reserved: true, Diary: true, Write: true},
		reader.ID: {Exists: true, Content: true, Diary: true},
		clerk.ID:  {Exists: true, Content: true, Write: true}, // administrative staff: no diary
		intake.ID: {Exists: true},
	}
)

func TestAddCorrectKeepsHistory(t *testing.T) {
	ctx := context.Background()
	tenant := pg.NewTenant(t)
	c := pg.NewCase(t, tenant)
	s := NewService(pg.DB, grants)
	at := time.Date(2026, 1, 12, 10, 0, 0, 0, time.UTC)

	e, err := s.Add(ctx, tenant, c, NewEntry{Kind: "interview", OccurredAt: at, Text: "  Colloquio con la madre. "}, worker)
	if err != nil {
		t.Fatal(err)
	}
	if e.Text != "Colloquio con la madre." || e.Revision != 1 || e.Corrected {
		t.Errorf("Add = %+v; want trimmed text, revision 1, not corrected", e)
	}
	if _, err := s.Correct(ctx, tenant, c, e.ID, Correction{Text: "Colloquio con il padre.", Reason: "refuso"}, worker); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Correct(ctx, tenant, c, e.ID, Correction{Text: "Colloquio con entrambi i genitori.", Reason: "precisazione"}, worker); err != nil {
		t.Fatal(err)
	}
	got, revs, err := s.Entry(ctx, tenant, c, e.ID, reader)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != "Colloquio con entrambi i genitori." || got.Revision != 3 || !got.Corrected || !got.OccurredAt.Equal(at) {
		t.Errorf("Entry = %+v; want the third revision, corrected, occurred at %v", got, at)
	}
	type rev struct {
		N            int
		Text, Reason string
	}
	var gotRevs []rev
	for _, r := range revs {
		gotRevs = append(gotRevs, rev{r.Revision, r.Text, r.Reason})
	}
	want := []rev{{1, "Colloquio con la madre.", ""}, {2, "Colloquio con il padre.", "refuso"}, {3, "Colloquio con entrambi i genitori.", "precisazione"}}
	if diff := cmp.Diff(want, gotRevs); diff != "" {
		t.Errorf("revisions (-want +got):\n%s", diff)
	}
	wantTrail := []string{"diary.entry_added", "diary.entry_corrected", "diary.entry_corrected", "diary.entry_viewed"}
	if diff := cmp.Diff(wantTrail, pg.Trail(t, tenant, "case", c)); diff != "" {
		t.Errorf("audit trail (-want +got):\n%s", diff)
	}
}

func TestListNewestFirstHidesReserved(t *testing.T) {
	ctx := context.Background()
	tenant := pg.NewTenant(t)
	c := pg.NewCase(t, tenant)
	s := NewService(pg.DB, grants)
	day := func(d int) time.Time { return time.Date(2026, 1, d, 9, 0, 0, 0, time.UTC) }
	for _, in := range []NewEntry{
		{Kind: "call", OccurredAt: day(3), Text: "Telefonata"},
		{Kind: "home_visit", OccurredAt: day(5), Text: "Visita domiciliare", Reserved: true},
		{Kind: "note", OccurredAt: day(4), Text: "Nota"},
	} {
		if _, err := s.Add(ctx, tenant, c, in, worker); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		v    casefile.Viewer
		want []string
	}{
		{"with reserved access", worker, []string{"Visita domiciliare", "Nota", "Telefonata"}},
		{"without reserved access", reader, []string{"Nota", "Telefonata"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es, err := s.List(ctx, tenant, c, tc.v)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.Text)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("List (-want +got):\n%s", diff)
			}
		})
	}
	// The reserved entry is not found for who may not read it, even by id.
	es, _ := s.List(ctx, tenant, c, worker)
	if _, _, err := s.Entry(ctx, tenant, c, es[0].ID, reader); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Entry(reserved) by a viewer without reserved access = %v; want not found", err)
	}
}

func TestRefusals(t *testing.T) {
	ctx := context.Background()
	tenant, other := pg.NewTenant(t), pg.NewTenant(t)
	c, elsewhere := pg.NewCase(t, tenant), pg.NewCase(t, other)
	s := NewService(pg.DB, grants)
	e, err := s.Add(ctx, tenant, c, NewEntry{Kind: "note", Text: "Prima nota"}, worker)
	if err != nil {
		t.Fatal(err)
	}
	ok := NewEntry{Kind: "note", Text: "x"}
	for _, tc := range []struct {
		name string
		do   func() error
		want error
	}{
		{"administrative reads", func() error { _, err := s.List(ctx, tenant, c, clerk); return err }, derrors.ErrForbidden},
		{"administrative writes", func() error { _, err := s.Add(ctx, tenant, c, ok, clerk); return err }, derrors.ErrForbidden},
		{"intake reads", func() error { _, err := s.List(ctx, tenant, c, intake); return err }, derrors.ErrForbidden},
		{"reader writes", func() error { _, err := s.Add(ctx, tenant, c, ok, reader); return err }, derrors.ErrForbidden},
		{"reader corrects", func() error {
			_, err := s.Correct(ctx, tenant, c, e.ID, Correction{Text: "y", Reason: "z"}, reader)
			return err
		}, derrors.ErrForbidden},
		{"case of another ente", func() error { _, err := s.List(ctx, tenant, elsewhere, worker); return err }, derrors.ErrNotFound},
		{"entry through another case", func() error {
			_, _, err := s.Entry(ctx, other, elsewhere, e.ID, worker)
			return err
		}, derrors.ErrNotFound},
		{"unknown viewer", func() error { _, err := s.List(ctx, tenant, c, casefile.Viewer{ID: uuid.New()}); return err }, derrors.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.do(); !errors.Is(err, tc.want) {
				t.Errorf("got %v; want %v", err, tc.want)
			}
		})
	}
	es, err := s.List(ctx, tenant, c, worker)
	if err != nil || len(es) != 1 || es[0].Revision != 1 {
		t.Errorf("after the refusals the diary is %+v, %v; want the one entry as written", es, err)
	}
}

func TestInvalidInput(t *testing.T) {
	ctx := context.Background()
	tenant := pg.NewTenant(t)
	c := pg.NewCase(t, tenant)
	s := NewService(pg.DB, grants)
	e, err := s.Add(ctx, tenant, c, NewEntry{Kind: "note", Text: "Nota"}, worker)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		do   func() error
		want []FieldError
	}{
		{"no kind, no text", func() error { _, err := s.Add(ctx, tenant, c, NewEntry{Text: "  "}, worker); return err },
			[]FieldError{{Field: "kind", Message: "scegliere il tipo di voce"}, {Field: "text", Message: "scrivere il testo della voce"}}},
		{"in the future", func() error {
			_, err := s.Add(ctx, tenant, c, NewEntry{Kind: "note", Text: "x", OccurredAt: time.Now().Add(48 * time.Hour)}, worker)
			return err
		}, []FieldError{{Field: "occurred_at", Message: "la data non può essere nel futuro"}}},
		{"correction without reason", func() error {
			_, err := s.Correct(ctx, tenant, c, e.ID, Correction{Text: "Altro"}, worker)
			return err
		}, []FieldError{{Field: "reason", Message: "indicare il motivo della correzione"}}},
		{"correction that changes nothing", func() error {
			_, err := s.Correct(ctx, tenant, c, e.ID, Correction{Text: "Nota", Reason: "r"}, worker)
			return err
		}, []FieldError{{Field: "text", Message: "il testo corretto è uguale a quello attuale"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			if !errors.Is(err, derrors.ErrInvalid) {
				t.Fatalf("got %v; want invalid", err)
			}
			if diff := cmp.Diff(tc.want, Fields(err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	es, _ := s.List(ctx, tenant, c, worker)
	if len(es) != 1 || es[0].Revision != 1 {
		t.Errorf("after invalid input the diary is %+v; want the one entry as written", es)
	}
}
