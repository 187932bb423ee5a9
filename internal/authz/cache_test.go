package authz_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/db"
)

// TestConcurrentFirstLoad: many first requests for one domain load it once.
func TestConcurrentFirstLoad(t *testing.T) {
	tenant := pg.NewTenant(t)
	scope := db.Scope{Tenant: tenant}
	a := newFakeAssignments()
	a.delay = 50 * time.Millisecond
	op := uuid.New()
	a.assign(scope, op, "auditor")
	e := newEnforcer(t, a, authz.Options{})
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			ok, err := e.Can(context.Background(), op, scope, authz.PermAuditRead)
			if err != nil || !ok {
				t.Errorf("Can = %v, %v; want true", ok, err)
			}
		})
	}
	wg.Wait()
	if n := a.loadsOf(scope); n != 1 {
		t.Errorf("%d loads for 32 concurrent first requests, want 1", n)
	}
}

// TestCacheBoundsAndTTL: the cache keeps at most CacheSize domains, and
// reloads a domain after TTL even without an invalidation.
func TestCacheBoundsAndTTL(t *testing.T) {
	a := newFakeAssignments()
	op := uuid.New()
	e := newEnforcer(t, a, authz.Options{CacheSize: 2, TTL: 300 * time.Millisecond})
	r1, r2, r3 := db.Scope{Region: "01"}, db.Scope{Region: "02"}, db.Scope{Region: "03"}
	for _, s := range []db.Scope{r1, r2, r1, r3, r1} { // r2 is the least recently used when r3 arrives
		can(t, e, op, s, authz.PermStatsRead)
	}
	can(t, e, op, r2, authz.PermStatsRead)
	got := []int{a.loadsOf(r1), a.loadsOf(r2), a.loadsOf(r3)}
	if want := []int{1, 2, 1}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("loads of r1, r2, r3 = %v, want %v (r2 evicted once, r1 kept as recently used)", got, want)
	}

	// A change no one announced is seen once the TTL has passed.
	a.assign(r1, op, "region_analyst")
	if can(t, e, op, r1, authz.PermStatsRead) {
		t.Fatal("an unannounced change was seen before the TTL passed")
	}
	time.Sleep(400 * time.Millisecond)
	if !can(t, e, op, r1, authz.PermStatsRead) {
		t.Error("an unannounced change was not seen after the TTL")
	}
}

// TestConcurrentDecisions runs decisions and invalidations together, for the
// race detector.
func TestConcurrentDecisions(t *testing.T) {
	tenant := pg.NewTenant(t)
	scope := db.Scope{Tenant: tenant}
	a := newFakeAssignments()
	ops := []uuid.UUID{uuid.New(), uuid.New()}
	a.assign(scope, ops[0], "coordinator")
	a.assign(scope, ops[1], "intake_operator")
	e := newEnforcer(t, a, authz.Options{})
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				op := ops[(g+i)%2]
				ok, err := e.Can(ctx, op, scope, authz.PermDiaryRead)
				if err != nil || ok != (op == ops[0]) {
					t.Errorf("Can(diary:read) = %v, %v", ok, err)
					return
				}
				if _, err := e.Granted(ctx, op, scope); err != nil {
					t.Error(err)
					return
				}
				if i%50 == 0 {
					e.Invalidate(scope)
				}
			}
		})
	}
	wg.Wait()
}
