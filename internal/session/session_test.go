package session_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/session"
	"github.com/sigess/sigess/internal/testenv"
)

// clock is a fake clock the test moves by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is one test's Redis client and key prefix; its keys are deleted when the
// test ends (never FLUSHALL: the server is shared).
type env struct {
	rdb    *redis.Client
	prefix string
	clock  *clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	u, err := testenv.RedisURL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{rdb: newClient(t, u), prefix: "sigess-test-" + rand.Text()[:10] + ":",
		clock: &clock{now: time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)}}
	t.Cleanup(func() {
		keys, _ := e.rdb.Keys(ctx, e.prefix+"*").Result()
		if len(keys) > 0 {
			e.rdb.Del(ctx, keys...)
		}
	})
	return e
}

func newClient(t *testing.T, u string) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// store returns a Store on a fresh client, as another instance would have.
func (e *env) store(t *testing.T) *session.Store {
	return session.NewStore(newClient(t, "redis://"+e.rdb.Options().Addr+"/0"), session.Options{KeyPrefix: e.prefix, Now: e.clock.Now})
}

func newSession(op uuid.UUID) *session.Session {
	return &session.Session{
		OperatorID: op,
		Scope:      db.Scope{Tenant: uuid.New()},
		Stage:      session.StagePassword,
		Locale:     "it",
		IP:         "192.0.2.7",
		UserAgent:  "Firefox",
		Idle:       30 * time.Minute,
		Absolute:   12 * time.Hour,
		Values:     map[string]string{"return_to": "/t/roma/cases"},
	}
}

func TestCreateGet(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := e.store(t)
	op := uuid.New()
	in := newSession(op)
	token, err := s.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(token) != 43 || in.CSRF == "" || in.CSRF == token {
		t.Fatalf("token %q, CSRF %q: want two distinct 32-byte base64url tokens", token, in.CSRF)
	}
	want := *newSession(op)
	want.Scope = in.Scope
	want.CSRF = in.CSRF
	want.CreatedAt, want.LastSeen = e.clock.Now(), e.clock.Now()

	// Another instance, with its own client, sees the same session.
	for name, st := range map[string]*session.Store{"same store": s, "other instance": e.store(t)} {
		got, err := st.Get(ctx, token)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("%s: Get mismatch (-want +got):\n%s", name, diff)
		}
	}

	// Redis holds the session under the token's hash only, expiring after Idle.
	sum := sha256.Sum256([]byte(token))
	key := e.prefix + "session:" + hex.EncodeToString(sum[:])
	ttl, err := e.rdb.TTL(ctx, key).Result()
	if err != nil || ttl <= 29*time.Minute || ttl > 30*time.Minute {
		t.Errorf("TTL of %s = %v, %v; want about 30m", key, ttl, err)
	}
	keys, _ := e.rdb.Keys(ctx, e.prefix+"*").Result()
	for _, k := range keys {
		if strings.Contains(k, token) {
			t.Errorf("Redis key %s contains the token", k)
		}
		if v, _ := e.rdb.Get(ctx, k).Result(); strings.Contains(v, token) {
			t.Errorf("Redis value of %s contains the token", k)
		}
	}

	for _, bad := range []string{"", "nope", token + "x"} {
		if _, err := s.Get(ctx, bad); !errors.Is(err, session.ErrNoSession) {
			t.Errorf("Get(%q) = %v, want ErrNoSession", bad, err)
		}
	}
}

func TestCreateRefusesIncompleteSession(t *testing.T) {
	e := newEnv(t)
	s := e.store(t)
	for _, tc := range []struct {
		name string
		edit func(*session.Session)
	}{
		{"no operator", func(s *session.Session) { s.OperatorID = uuid.Nil }},
		{"no idle timeout", func(s *session.Session) { s.Idle = 0 }},
		{"no absolute timeout", func(s *session.Session) { s.Absolute = 0 }},
	} {
		sess := newSession(uuid.New())
		tc.edit(sess)
		if _, err := s.Create(context.Background(), sess); err == nil {
			t.Errorf("%s: Create succeeded", tc.name)
		}
	}
}

func TestRotate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := e.store(t)
	op := uuid.New()
	in := newSession(op)
	old, err := s.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	oldCSRF := in.CSRF
	e.clock.Advance(time.Minute)

	tok, got, err := s.Rotate(ctx, old, func(s *session.Session) { s.Stage = session.StageFull })
	if err != nil {
		t.Fatal(err)
	}
	if tok == old || got.CSRF == oldCSRF {
		t.Errorf("Rotate kept the token or the CSRF token")
	}
	if _, err := s.Get(ctx, old); !errors.Is(err, session.ErrNoSession) {
		t.Errorf("Get(old token) after Rotate = %v, want ErrNoSession", err)
	}
	fresh, err := e.store(t).Get(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	want := *newSession(op)
	want.Scope, want.Stage, want.CSRF = in.Scope, session.StageFull, got.CSRF
	want.CreatedAt, want.LastSeen = in.CreatedAt, e.clock.Now()
	if diff := cmp.Diff(&want, fresh); diff != "" {
		t.Errorf("rotated session mismatch (-want +got):\n%s", diff)
	}
	// The rotated session stays indexed for DeleteAll.
	if err := s.DeleteAll(ctx, op); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, tok); !errors.Is(err, session.ErrNoSession) {
		t.Errorf("Get(rotated token) after DeleteAll = %v, want ErrNoSession", err)
	}
	if _, _, err := s.Rotate(ctx, old, nil); !errors.Is(err, session.ErrNoSession) {
		t.Errorf("Rotate(old token) = %v, want ErrNoSession", err)
	}
}

func TestUpdate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := e.store(t)
	in := newSession(uuid.New())
	token, err := s.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, token, func(s *session.Session) {
		s.Locale = "en"
		s.Values["oidc_state"] = "abc"
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"return_to": "/t/roma/cases", "oidc_state": "abc"}
	if got.Locale != "en" || got.CSRF != in.CSRF || !cmp.Equal(got.Values, want) {
		t.Errorf("after Update: locale %q, CSRF kept %v, values %v; want en, true, %v", got.Locale, got.CSRF == in.CSRF, got.Values, want)
	}
	if err := s.Update(ctx, token, func(s *session.Session) { s.OperatorID = uuid.New() }); err == nil {
		t.Error("Update changing the operator succeeded")
	}
	if err := s.Update(ctx, "nope", func(*session.Session) {}); !errors.Is(err, session.ErrNoSession) {
		t.Errorf("Update(unknown) = %v, want ErrNoSession", err)
	}
}

func TestTimeouts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []time.Duration // clock advances, each followed by a Get
		alive []bool          // whether each Get finds the session
	}{
		{"active within idle", []time.Duration{20 * time.Minute, 20 * time.Minute, 20 * time.Minute}, []bool{true, true, true}},
		{"idle timeout", []time.Duration{10 * time.Minute, 31 * time.Minute}, []bool{true, false}},
		{"idle exactly at limit", []time.Duration{30 * time.Minute}, []bool{false}},
		// Active every 25 minutes, the session still ends 12 h after creation.
		{"absolute timeout", repeat(25*time.Minute, 29), append(repeatBool(true, 28), false)},
		{"dead stays dead", []time.Duration{31 * time.Minute, 0}, []bool{false, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t)
			s := e.store(t)
			// The fake clock moves, real time hardly does: the timeout logic,
			// not the Redis TTL, is under test here.
			token, err := s.Create(ctx, newSession(uuid.New()))
			if err != nil {
				t.Fatal(err)
			}
			var got []bool
			for _, d := range tc.steps {
				e.clock.Advance(d)
				_, err := s.Get(ctx, token)
				if err != nil && !errors.Is(err, session.ErrNoSession) {
					t.Fatal(err)
				}
				got = append(got, err == nil)
			}
			if diff := cmp.Diff(tc.alive, got); diff != "" {
				t.Errorf("alive after each step (-want +got):\n%s", diff)
			}
			if !got[len(got)-1] {
				if n, _ := e.rdb.Keys(ctx, e.prefix+"session:*").Result(); len(n) != 0 {
					t.Errorf("expired session still in Redis: %v", n)
				}
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func repeatBool(b bool, n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = b
	}
	return out
}

func TestLastSeenRefreshIsThrottled(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := e.store(t)
	token, err := s.Create(ctx, newSession(uuid.New()))
	if err != nil {
		t.Fatal(err)
	}
	start := e.clock.Now()
	for _, tc := range []struct {
		advance time.Duration
		want    time.Time
	}{
		{10 * time.Second, start},                       // too soon to write
		{10 * time.Second, start},                       // 20 s
		{15 * time.Second, start.Add(35 * time.Second)}, // 35 s: written
		{5 * time.Second, start.Add(35 * time.Second)},
	} {
		e.clock.Advance(tc.advance)
		if _, err := s.Get(ctx, token); err != nil {
			t.Fatal(err)
		}
		// Read back through another instance to see what Redis holds.
		got, err := e.store(t).Get(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if !got.LastSeen.Equal(tc.want) {
			t.Errorf("at +%s LastSeen = +%s, want +%s", e.clock.Now().Sub(start), got.LastSeen.Sub(start), tc.want.Sub(start))
		}
	}
}

// TestIdleExpiryInRedis checks that Redis itself drops an idle session: the
// fake clock never moves, so only the key's TTL can end it.
func TestIdleExpiryInRedis(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := e.store(t)
	sess := newSession(uuid.New())
	sess.Idle = time.Second
	token, err := s.Create(ctx, sess)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, token); err != nil {
		t.Fatalf("Get at once: %v", err)
	}
	time.Sleep(1200 * time.Millisecond)
	if _, err := s.Get(ctx, token); !errors.Is(err, session.ErrNoSession) {
		t.Errorf("Get after the Redis TTL = %v, want ErrNoSession", err)
	}
}

func TestDeleteAndDeleteAll(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := e.store(t)
	alice, bob := uuid.New(), uuid.New()
	create := func(op uuid.UUID) string {
		tok, err := s.Create(ctx, newSession(op))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	a1, a2, a3, b1 := create(alice), create(alice), create(alice), create(bob)

	if err := s.Delete(ctx, a3); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, a3); err != nil {
		t.Errorf("second Delete = %v, want nil", err)
	}
	if err := e.store(t).DeleteAll(ctx, alice); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for name, tok := range map[string]string{"alice 1": a1, "alice 2": a2, "alice 3": a3, "bob": b1} {
		_, err := s.Get(ctx, tok)
		if err != nil && !errors.Is(err, session.ErrNoSession) {
			t.Fatal(err)
		}
		got[name] = err == nil
	}
	want := map[string]bool{"alice 1": false, "alice 2": false, "alice 3": false, "bob": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alive after DeleteAll(alice) (-want +got):\n%s", diff)
	}
}
