package authz_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

// fakeAssignments stands in for identity: the roles of each operator, by
// domain. It counts loads so that tests can see the cache at work.
type fakeAssignments struct {
	mu    sync.Mutex
	roles map[string]map[uuid.UUID][]string
	loads map[string]int
	delay time.Duration
}

func newFakeAssignments() *fakeAssignments {
	return &fakeAssignments{roles: map[string]map[uuid.UUID][]string{}, loads: map[string]int{}}
}

func (f *fakeAssignments) RoleAssignments(ctx context.Context, scope db.Scope) (map[uuid.UUID][]string, error) {
	time.Sleep(f.delay)
	f.mu.Lock()
	defer f.mu.Unlock()
	d := authz.DomainOf(scope)
	f.loads[d]++
	out := map[uuid.UUID][]string{}
	for op, roles := range f.roles[d] {
		out[op] = append([]string(nil), roles...)
	}
	return out, nil
}

// assign gives operator roles in scope (replacing what it had).
func (f *fakeAssignments) assign(scope db.Scope, operator uuid.UUID, roles ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := authz.DomainOf(scope)
	if f.roles[d] == nil {
		f.roles[d] = map[uuid.UUID][]string{}
	}
	f.roles[d][operator] = roles
}

func (f *fakeAssignments) loadsOf(scope db.Scope) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.loads[authz.DomainOf(scope)]
}

func newEnforcer(t *testing.T, a authz.Assignments, opts authz.Options) *authz.Enforcer {
	t.Helper()
	e, err := authz.NewEnforcer(pg.DB, a, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func can(t *testing.T, e *authz.Enforcer, op uuid.UUID, scope db.Scope, perm string) bool {
	t.Helper()
	ok, err := e.Can(context.Background(), op, scope, perm)
	if err != nil {
		t.Fatalf("Can(%s, %s, %s): %v", op, authz.DomainOf(scope), perm, err)
	}
	return ok
}
