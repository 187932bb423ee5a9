// Package testenv gives tests the real services: a freshly migrated PostgreSQL
// database per test package, and Redis. A missing service fails the test run;
// it is never skipped. `make test` (scripts/services.sh) starts both.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/migrations"
)

// Env variables that point tests elsewhere; the defaults are those of
// scripts/services.sh.
const (
	adminURLEnv   = "SIGESS_TEST_ADMIN_URL"   // a role that may create databases and roles
	runtimeURLEnv = "SIGESS_TEST_RUNTIME_URL" // the runtime login role; its database is replaced
	redisURLEnv   = "SIGESS_TEST_REDIS_URL"
)

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// Postgres is one test package's own database.
type Postgres struct {
	Name       string
	AdminURL   string        // the owner role, on this database
	RuntimeURL string        // the runtime role, on this database
	DB         *db.DB        // runtime role pool: row-level security applies
	Admin      *pgxpool.Pool // owner role pool: for setting up and inspecting
}

// NewPostgres creates and migrates a database named after the test package.
// Call it from TestMain and Close it when the tests are done.
func NewPostgres(ctx context.Context) (*Postgres, error) { return NewPostgresAt(ctx, 0) }

// NewPostgresAt is NewPostgres with the migrations up to version only (0:
// all), for the tests of a migration over data written before it; Migrate
// brings it up to date.
func NewPostgresAt(ctx context.Context, version int) (*Postgres, error) {
	admin := getenv(adminURLEnv, "postgres://sigess_owner:sigess_owner@127.0.0.1:5432/postgres?sslmode=disable")
	runtime := getenv(runtimeURLEnv, "postgres://sigess_app:sigess_app@127.0.0.1:5432/postgres?sslmode=disable")
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return nil, fmt.Errorf("testenv: PostgreSQL is not reachable as %s (run `make test`, which starts it, or scripts/services.sh): %w", redact(admin), err)
	}
	defer conn.Close(ctx)
	name := "sigess_test_" + packageName() + "_" + randomHex(4)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, fmt.Errorf("testenv: create database %s: %w", name, err)
	}
	p := &Postgres{Name: name, AdminURL: withDatabase(admin, name), RuntimeURL: withDatabase(runtime, name)}
	ms, err := db.LoadMigrations(migrations.FS)
	if err != nil {
		return nil, err
	}
	if version > 0 {
		ms = ms[:min(version, len(ms))]
	}
	if _, err := db.Migrate(ctx, p.AdminURL, p.RuntimeURL, ms); err != nil {
		p.Close()
		return nil, fmt.Errorf("testenv: %w", err)
	}
	if p.DB, err = db.Open(ctx, p.RuntimeURL, 10); err != nil {
		p.Close()
		return nil, fmt.Errorf("testenv: %w", err)
	}
	if p.Admin, err = pgxpool.New(ctx, p.AdminURL); err != nil {
		p.Close()
		return nil, fmt.Errorf("testenv: %w", err)
	}
	return p, nil
}

// Migrate applies every migration not applied yet.
func (p *Postgres) Migrate(ctx context.Context) error {
	ms, err := db.LoadMigrations(migrations.FS)
	if err == nil {
		_, err = db.Migrate(ctx, p.AdminURL, p.RuntimeURL, ms)
	}
	if err != nil {
		return fmt.Errorf("testenv: %w", err)
	}
	return nil
}

// Close drops the database.
func (p *Postgres) Close() {
	if p.DB != nil {
		p.DB.Close()
	}
	if p.Admin != nil {
		p.Admin.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin := getenv(adminURLEnv, "postgres://sigess_owner:sigess_owner@127.0.0.1:5432/postgres?sslmode=disable")
	if conn, err := pgx.Connect(ctx, admin); err == nil {
		conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{p.Name}.Sanitize()+" WITH (FORCE)") //nolint:errcheck
		conn.Close(ctx)
	}
}

// RedisURL returns the shared test Redis, failing if it does not answer. Tests
// that use it must keep their keys apart (their own channel or queue names);
// tests that need Redis to themselves use StartRedis.
func RedisURL(ctx context.Context) (string, error) {
	u := getenv(redisURLEnv, "redis://127.0.0.1:6379/0")
	opt, err := redis.ParseURL(u)
	if err != nil {
		return "", fmt.Errorf("testenv: %s: %w", redisURLEnv, err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return "", fmt.Errorf("testenv: Redis is not reachable at %s (run `make test`, which starts it): %w", u, err)
	}
	return u, nil
}

// Redis is a private redis-server process that a test can stop and restart.
type Redis struct {
	Port int
	URL  string
	bin  string
	dir  string
	cmd  *exec.Cmd
}

// StartRedis starts redis-server on a free loopback port; the test fails if the
// binary is missing. It is stopped when the test ends.
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("testenv: redis-server is not installed (run `make test`, which installs it): %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	r := &Redis{Port: port, URL: fmt.Sprintf("redis://127.0.0.1:%d/0", port), bin: bin, dir: t.TempDir()}
	r.Start(t)
	t.Cleanup(func() { r.Stop(t) })
	return r
}

// Start (re)starts the server on its port and waits until it answers.
func (r *Redis) Start(t testing.TB) {
	t.Helper()
	r.cmd = exec.Command(r.bin, "--port", strconv.Itoa(r.Port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", r.dir)
	r.cmd.Stdout, r.cmd.Stderr = nil, nil
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("testenv: start redis-server: %v", err)
	}
	opt, _ := redis.ParseURL(r.URL)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for rdb.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("testenv: redis-server on port %d did not answer", r.Port)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the server, losing everything it held.
func (r *Redis) Stop(t testing.TB) {
	t.Helper()
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	r.cmd.Process.Kill() //nolint:errcheck
	r.cmd.Wait()         //nolint:errcheck
	r.cmd = nil
}

// RepoRoot returns the repository root (where go.mod is).
func RepoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	return dir
}

func packageName() string {
	wd, _ := os.Getwd()
	name := strings.ToLower(filepath.Base(wd))
	return strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return '_'
	}, name)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) //nolint:errcheck
	return hex.EncodeToString(b)
}

func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + name
	return u.String()
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(bad URL)"
	}
	return u.Redacted()
}

// Main is a TestMain for packages that need only their database: it creates it
// into *pg, runs the tests, drops it and exits; it exits non-zero at once if
// PostgreSQL cannot be had.
func Main(m *testing.M, pg **Postgres) {
	p, err := NewPostgres(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*pg = p
	code := m.Run()
	p.Close()
	os.Exit(code)
}

// NewTenant registers an ente (an ambito, which needs no ISTAT codes) in
// region 12, creating the region if needed, and returns its id.
func (p *Postgres) NewTenant(t testing.TB) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	id := uuid.New()
	err := p.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO regions (code, slug, name) VALUES ('12', 'lazio', 'Lazio') ON CONFLICT DO NOTHING`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind, region_code) VALUES ($1, $2, 'Ambito di prova', 'ambito', '12')`,
			id, "t-"+id.String()[:8])
		return err
	})
	if err != nil {
		t.Fatalf("testenv.NewTenant: %v", err)
	}
	return id
}

// NewCase makes a person, a social-service unit and an open case in tenant,
// all three with the same id, which it returns: for the tests of what hangs
// off a case (diary, documents).
func (p *Postgres) NewCase(t testing.TB, tenant uuid.UUID) uuid.UUID {
	t.Helper()
	id := uuid.New()
	err := p.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), `WITH p AS (INSERT INTO people (tenant_id, id, provisional_id, first_name, last_name, name_key, sex, birth_date, birth_place)
				VALUES ($1, $2, $3, 'Lia', 'Gialli', 'GIALLI LIA', 'F', '2001-03-03', 'H501')),
			u AS (INSERT INTO units (tenant_id, id, code, kind, name) VALUES ($1, $2, 'ss-' || left($2::text, 8), 'social_service', 'Servizio sociale'))
			INSERT INTO cases (tenant_id, id, number, person_id, user_area, state, unit_id)
			VALUES ($1, $2, '2026/' || lpad((random() * 999999)::int::text, 6, '0'), $2, 'family_minors', 'open', $2)`,
			tenant, id, "PROV-"+strings.ToUpper(id.String()[:4])+"-"+strings.ToUpper(id.String()[9:13]))
		return err
	})
	if err != nil {
		t.Fatalf("testenv.NewCase: %v", err)
	}
	return id
}

// Exec runs sql in tenant's scope and fails the test on an error: for the
// rows a test sets up by hand.
func (p *Postgres) Exec(t testing.TB, tenant uuid.UUID, sql string, args ...any) {
	t.Helper()
	err := p.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), sql, args...)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// NewOperator makes an operator named name, with no roles, a member of
// tenant working in units, and returns its id.
func (p *Postgres) NewOperator(t testing.TB, tenant uuid.UUID, name string, units ...uuid.UUID) uuid.UUID {
	t.Helper()
	id := uuid.New()
	p.Exec(t, tenant, `WITH o AS (INSERT INTO operators (id, email, name) VALUES ($2, $4, $3))
		INSERT INTO memberships (tenant_id, operator_id) VALUES ($1, $2)`, tenant, id, name, id.String()+"@example.it")
	for _, u := range units {
		p.Exec(t, tenant, `INSERT INTO operator_units (tenant_id, operator_id, unit_id) VALUES ($1, $2, $3)`, tenant, id, u)
	}
	return id
}

// Trail is the actions of tenant's audit events about an object (of
// objectType, with id), oldest first.
func (p *Postgres) Trail(t testing.TB, tenant uuid.UUID, objectType string, id uuid.UUID) []string {
	t.Helper()
	var out []string
	err := p.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		rs, err := audit.List(context.Background(), tx, tenant, audit.Filter{ObjectType: objectType, ObjectID: id.String()})
		for i := len(rs) - 1; i >= 0; i-- {
			out = append(out, rs[i].Action)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
