package app

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/db"
)

// fakeAssignments answers the same for every scope.
type fakeAssignments struct {
	m   map[uuid.UUID][]string
	err error
}

func (f fakeAssignments) RoleAssignments(context.Context, db.Scope) (map[uuid.UUID][]string, error) {
	return f.m, f.err
}

func TestAssignmentsMerge(t *testing.T) {
	op, client := uuid.New(), uuid.New()
	as := Assignments{
		fakeAssignments{m: map[uuid.UUID][]string{op: {"coordinator"}}},
		fakeAssignments{m: map[uuid.UUID][]string{client: {"auditor", "intake_operator"}}},
	}
	got, err := as.RoleAssignments(context.Background(), db.Scope{Tenant: uuid.New()})
	if err != nil {
		t.Fatal(err)
	}
	want := map[uuid.UUID][]string{op: {"coordinator"}, client: {"auditor", "intake_operator"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged assignments (-want +got):\n%s", diff)
	}
	boom := errors.New("boom")
	if _, err := append(as, fakeAssignments{err: boom}).RoleAssignments(context.Background(), db.Scope{}); !errors.Is(err, boom) {
		t.Errorf("a source's error: %v; want it returned, not a partial answer", err)
	}
}
