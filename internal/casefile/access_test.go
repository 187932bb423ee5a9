package casefile

import (
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/derrors"
)

// TestVisibilityRoleByRole holds AccessTo, Get and List to DOMAIN.md's rules,
// role by role, over four cases: c1 X's (responsible swA), c2 Y's (swY), c3
// X's reserved (swA), c4 Y's reserved (swY) with swB on its team.
func TestVisibilityRoleByRole(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	c1 := w.open(t, w.unitX, w.coordX, false, &w.swA.ID)
	c2 := w.open(t, w.unitY, w.coordY, false, &w.swY.ID)
	c3 := w.open(t, w.unitX, w.coordX, true, &w.swA.ID)
	c4 := w.open(t, w.unitY, w.coordY, true, &w.swY.ID)
	if _, err := w.svc.AddMember(ctx, w.tenant, c4.ID, w.swB.ID, "educator", w.swY); err != nil {
		t.Fatal(err)
	}
	noReserved := w.coordX
	noReserved.Perms = maps.Clone(w.coordX.Perms)
	delete(noReserved.Perms, "reserved:read")
	readAll := Viewer{ID: w.coordX.ID, Perms: map[string]bool{"cases:read_all": true, "diary:read": true}}

	var (
		none   = Access{}
		exists = Access{Exists: true}
		full   = Access{Exists: true, Content: true, Reserved: true, Diary: true, Write: true}
	)
	cases := []*Case{c1, c2, c3, c4}
	for _, tc := range []struct {
		name string
		v    Viewer
		want [4]Access
	}{
		{"coordinator of X sees X's cases, not Y's", w.coordX, [4]Access{full, exists, full, exists}},
		{"coordinator of Y sees Y's cases, not X's", w.coordY, [4]Access{exists, full, exists, full}},
		{"unit reader without reserved:read misses reserved", noReserved, [4]Access{
			{Exists: true, Content: true, Diary: true, Write: true}, exists, exists, exists}},
		{"social worker sees own cases, reserved included", w.swA, [4]Access{full, exists, full, exists}},
		{"social worker sees the team's reserved case", w.swB, [4]Access{exists, exists, exists, full}},
		{"social worker of Y", w.swY, [4]Access{exists, full, exists, full}},
		{"intake operator: exists only", w.intake, [4]Access{exists, exists, exists, exists}},
		{"administrative: exists only, no diary", w.admin, [4]Access{exists, exists, exists, exists}},
		{"auditor: nothing", w.auditor, [4]Access{none, none, none, none}},
		{"read_all but reserved", readAll, [4]Access{
			{Exists: true, Content: true, Diary: true}, {Exists: true, Content: true, Diary: true}, exists, exists}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got [4]Access
			for i, c := range cases {
				err := pg.DB.InTenant(ctx, w.tenant, func(tx pgx.Tx) (err error) {
					got[i], err = w.svc.AccessTo(ctx, tx, w.tenant, c.ID, tc.v)
					return err
				})
				if (err != nil) != (tc.want[i] == none) || (err != nil && !errors.Is(err, derrors.ErrNotFound)) {
					t.Fatalf("AccessTo(c%d): %v", i+1, err)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("AccessTo (-want +got):\n%s", diff)
			}

			// List shows the cases whose content is readable, and by person
			// also those the viewer may only know of, stripped.
			wantList := map[string]bool{}
			wantByPerson := map[string]bool{}
			for i, c := range cases {
				if tc.want[i].Content {
					wantList[c.Number] = true
				}
				if tc.want[i].Exists {
					wantByPerson[c.Number] = tc.want[i].Content
				}
			}
			gotList, gotByPerson := listed(t, w, Filter{}, tc.v), listed(t, w, Filter{PersonID: w.person}, tc.v)
			if diff := cmp.Diff(wantList, gotList); diff != "" {
				t.Errorf("List (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantByPerson, gotByPerson); diff != "" {
				t.Errorf("List by person (-want +got):\n%s", diff)
			}

			// Get: content only with Content, and then recorded.
			for i, c := range cases {
				view, err := w.svc.Get(ctx, w.tenant, c.ID, tc.v, "test")
				if tc.want[i] == none {
					if !errors.Is(err, derrors.ErrNotFound) {
						t.Errorf("Get(c%d) = %v, want not found", i+1, err)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if got, want := view.Case.Summary != "", tc.want[i].Content; got != want {
					t.Errorf("Get(c%d): summary shown %t, want %t", i+1, got, want)
				}
				if !tc.want[i].Content && (len(view.Team) > 0 || len(view.Events) > 0 || view.Case.ResponsibleID != nil) {
					t.Errorf("Get(c%d): exists-only view carries content: %+v", i+1, view)
				}
			}
		})
	}
}

// listed returns the numbers List returns, each with its Content flag.
func listed(t *testing.T, w *world, f Filter, v Viewer) map[string]bool {
	t.Helper()
	ls, err := w.svc.List(context.Background(), w.tenant, f, v)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, l := range ls {
		out[l.Number] = l.Content
		if !l.Content && (l.Summary != "" || l.ResponsibleID != nil || l.Reserved) {
			t.Errorf("List: %s stripped case carries content: %+v", l.Number, l)
		}
	}
	return out
}

// TestGetRecordsView checks that reading a case's content writes case.viewed
// and that knowing it exists does not.
func TestGetRecordsView(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	c := w.open(t, w.unitX, w.coordX, false, nil)
	if _, err := w.svc.Get(ctx, w.tenant, c.ID, w.intake, "page"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Get(ctx, w.tenant, c.ID, w.coordX, "page"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"case.opened", "case.viewed"}, actions(t, w.tenant, c.ID)); diff != "" {
		t.Errorf("trail (-want +got):\n%s", diff)
	}
	trail, err := w.svc.Trail(ctx, w.tenant, c.ID, w.auditor, 10)
	if err != nil || len(trail) != 2 || trail[0].ActorID != w.coordX.ID {
		t.Errorf("Trail = %+v, %v; want the coordinator's view first", trail, err)
	}
	if _, err := w.svc.Trail(ctx, w.tenant, c.ID, w.swA, 10); !errors.Is(err, derrors.ErrForbidden) {
		t.Errorf("Trail by a social worker: %v, want forbidden", err)
	}
}

// TestOtherTenantNotFound: a case of another ente is not found, whoever asks.
func TestOtherTenantNotFound(t *testing.T) {
	ctx := context.Background()
	a, b := newWorld(t), newWorld(t)
	c := a.open(t, a.unitX, a.coordX, false, nil)
	err := pg.DB.InTenant(ctx, b.tenant, func(tx pgx.Tx) error {
		_, err := b.svc.AccessTo(ctx, tx, b.tenant, c.ID, Viewer{ID: b.coordX.ID, Perms: map[string]bool{"cases:read_all": true}})
		return err
	})
	if !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("AccessTo across enti: %v, want not found", err)
	}
	if _, err := b.svc.Transition(ctx, b.tenant, c.ID, "referred", "", b.coordX); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Transition across enti: %v, want not found", err)
	}
	_ = uuid.Nil
}
