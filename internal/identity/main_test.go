package identity

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/mail"
	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

// fastArgon keeps tests quick; production uses DefaultArgon.
var fastArgon = ArgonParams{MemoryKiB: 64, Time: 1, Threads: 1}

const goodPassword = "cavallo-batteria-graffetta"

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is one test's service with its own Redis key prefix and what it notified.
type env struct {
	*Service
	clock *clock
	mu    sync.Mutex
	notes []db.Scope
}

func (e *env) notified() []db.Scope {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]db.Scope(nil), e.notes...)
}

// newEnv returns a service with limits; opts, if given, change its Options.
func newEnv(t *testing.T, limits Limits, opts ...func(*Options)) *env {
	t.Helper()
	ctx := context.Background()
	u, err := testenv.RedisURL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	b := make([]byte, 6)
	rand.Read(b) //nolint:errcheck
	prefix := "test-identity-" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		// Only this test's keys: other packages share the server.
		iter := rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		rdb.Close()
	})
	e := &env{clock: &clock{t: time.Now()}}
	o := Options{
		Notify: func(_ context.Context, s db.Scope) { e.mu.Lock(); e.notes = append(e.notes, s); e.mu.Unlock() },
		Limits: limits, Now: e.clock.Now, Argon: fastArgon, KeyPrefix: prefix,
	}
	for _, f := range opts {
		f(&o)
	}
	e.Service = NewService(pg.DB, rdb, o)
	return e
}

func newUnit(t *testing.T, tenant uuid.UUID) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	id := uuid.New()
	err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO units (tenant_id, id, code, kind, name) VALUES ($1, $2, $3, 'pua', 'PUA')`,
			tenant, id, "u-"+id.String()[:8])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// uniqueEmail is an address no other test uses (operators are platform-wide).
func uniqueEmail(name string) string {
	return name + "." + uuid.NewString()[:8] + "@comune.example.it"
}

var admin = Actor{ID: uuid.MustParse("00000000-0000-4000-8000-0000000000ad"), Email: "admin@comune.example.it",
	Client: Client{IP: "192.0.2.1", UserAgent: "test"}}

// member creates an operator of tenant with roles and goodPassword.
func (e *env) member(t *testing.T, tenant uuid.UUID, name string, roles ...string) *Member {
	t.Helper()
	m, err := e.Create(context.Background(), tenant, NewOperator{Email: uniqueEmail(name), Name: name,
		Password: goodPassword, Roles: roles}, admin)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// trail returns the actions (and reasons, if any) of scope's audit trail, oldest first.
func trail(t *testing.T, scope db.Scope) []string {
	t.Helper()
	ctx := context.Background()
	var rs []audit.Record
	err := pg.DB.Transact(ctx, scope, func(tx pgx.Tx) (err error) {
		switch {
		case scope.Region != "":
			rs, err = audit.ListConsole(ctx, tx, scope.Region, audit.Filter{Limit: audit.MaxLimit})
		case scope.Platform:
			rs, err = audit.ListConsole(ctx, tx, "", audit.Filter{Limit: audit.MaxLimit})
		default:
			rs, err = audit.List(ctx, tx, scope.Tenant, audit.Filter{Limit: audit.MaxLimit})
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(rs) - 1; i >= 0; i-- {
		s := rs[i].Action
		if r, ok := rs[i].Details["reason"]; ok {
			s += ":" + r.(string)
		}
		out = append(out, s)
	}
	return out
}

// lastEvent returns the newest event of tenant's trail.
func lastEvent(t *testing.T, tenant uuid.UUID) audit.Record {
	t.Helper()
	ctx := context.Background()
	var rs []audit.Record
	if err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		rs, err = audit.List(ctx, tx, tenant, audit.Filter{Limit: 1})
		return err
	}); err != nil || len(rs) == 0 {
		t.Fatalf("no audit event: %v", err)
	}
	return rs[0]
}

var tokenPattern = regexp.MustCompile(`\?token=([A-Za-z0-9_-]+)`)

// mails returns the mails queued in tenant's outbox, oldest first.
func mails(t *testing.T, tenant uuid.UUID) []mail.Message {
	t.Helper()
	ctx := context.Background()
	var out []mail.Message
	err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT payload FROM outbox WHERE task_type = $1 ORDER BY created_at`, mail.TaskSend)
		if err != nil {
			return err
		}
		payloads, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		for _, p := range payloads {
			var m mail.Message
			if err := json.Unmarshal(p, &m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func tokenIn(t *testing.T, text string) string {
	t.Helper()
	m := tokenPattern.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no link in %q", text)
	}
	return m[1]
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: %v; want %v", what, err, want)
	}
}

// asOwner runs fn as the owner role in platform scope (the owner is subject to
// row-level security too), to inspect or tamper with rows.
func asOwner(t *testing.T, fn func(tx pgx.Tx) error) {
	t.Helper()
	ctx := context.Background()
	tx, err := pg.Admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if _, err := tx.Exec(ctx, `SELECT set_config('app.platform', 'on', true)`); err != nil {
		t.Fatal(err)
	}
	if err := fn(tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// newTaxCode is a tax code no other test uses (they are unique platform-wide).
func newTaxCode() string {
	return strings.ToUpper(strings.ReplaceAll(uuid.NewString(), "-", "")[:16])
}
