package authz_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/testenv"
)

func redisClient(t *testing.T) *redis.Client {
	t.Helper()
	u, err := testenv.RedisURL(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	opt, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// listen starts e.Listen and waits until its subscription is in place.
func listen(t *testing.T, e *authz.Enforcer, rdb *redis.Client) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	subscribers := func() int64 {
		n, err := rdb.PubSubNumSub(context.Background(), authz.InvalidationChannel).Result()
		if err != nil {
			t.Fatal(err)
		}
		return n[authz.InvalidationChannel]
	}
	before := subscribers()
	go func() { defer close(done); e.Listen(ctx, rdb) }()
	t.Cleanup(func() { cancel(); <-done })
	for deadline := time.Now().Add(5 * time.Second); subscribers() <= before; {
		if time.Now().After(deadline) {
			t.Fatal("Listen did not subscribe")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestChangeReachesEveryInstance: a role changed on one instance takes effect
// on another that listens, through Redis; one that does not listen keeps its
// cached decision (so it is the announcement that did it).
func TestChangeReachesEveryInstance(t *testing.T) {
	ctx := context.Background()
	rdb := redisClient(t)
	tenant := pg.NewTenant(t)
	scope := db.Scope{Tenant: tenant}
	a := newFakeAssignments()
	op := uuid.New()
	a.assign(scope, op, "mediatore")

	first := newEnforcer(t, a, authz.Options{Publish: authz.Publisher{RDB: rdb}.Changed})
	second := newEnforcer(t, a, authz.Options{})
	deaf := newEnforcer(t, a, authz.Options{})
	listen(t, second, rdb)
	for _, e := range []*authz.Enforcer{first, second, deaf} {
		if can(t, e, op, scope, authz.PermReferralsWrite) {
			t.Fatal("referrals:write allowed before the role exists")
		}
	}

	err := first.SaveRole(ctx, tenant, authz.Role{Name: "mediatore", LabelIT: "Mediatore culturale",
		Permissions: []string{authz.PermReferralsWrite}})
	if err != nil {
		t.Fatal(err)
	}
	if !can(t, first, op, scope, authz.PermReferralsWrite) {
		t.Error("the instance that saved the role does not see it")
	}
	waitFor(t, "the second instance to see the new role", func() bool {
		return can(t, second, op, scope, authz.PermReferralsWrite)
	})
	if can(t, deaf, op, scope, authz.PermReferralsWrite) {
		t.Error("an instance that does not listen dropped its cache: the test proves nothing")
	}

	// An assignment change announced through Changed reaches the second too.
	a.assign(scope, op)
	first.Changed(ctx, scope)
	waitFor(t, "the second instance to see the role taken away", func() bool {
		return !can(t, second, op, scope, authz.PermReferralsWrite)
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPublisherWithoutRedis(t *testing.T) {
	if err := (authz.Publisher{}).Changed(context.Background(), db.Scope{Platform: true}); err != nil {
		t.Errorf("Changed with no Redis: %v", err)
	}
}
