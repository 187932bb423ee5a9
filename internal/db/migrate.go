package db

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// RuntimeGroup is the NOLOGIN role that migrations grant table privileges to;
// the runtime login role named in SIGESS_DATABASE_URL is made a member of it.
const RuntimeGroup = "sigess_runtime"

// Migration is one numbered SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// LoadMigrations reads NNNN_name.sql files from fsys, in order, and fails on a
// misnamed file, a duplicate number or a gap.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("db.LoadMigrations: %w", err)
	}
	var ms []Migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || e.Name() == "embed.go" {
			continue
		}
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("db.LoadMigrations: %s: name must be NNNN_name.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if prev, ok := seen[v]; ok {
			return nil, fmt.Errorf("db.LoadMigrations: %s and %s share number %d", prev, e.Name(), v)
		}
		seen[v] = e.Name()
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("db.LoadMigrations: %w", err)
		}
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("db.LoadMigrations: %s: expected number %04d", m.Name, i+1)
		}
	}
	return ms, nil
}

// MigrateResult says what Migrate did.
type MigrateResult struct {
	Applied     []string // migrations applied by this run
	Current     int      // schema version after the run
	RuntimeRole string   // the runtime login role
	RoleCreated bool     // whether the runtime role was created by this run
}

// Migrate applies pending migrations over adminURL (the owner role), each in its
// own transaction, serialised across processes by an advisory lock. It then makes
// sure the runtime login role of runtimeURL exists, is not privileged, and holds
// exactly the RuntimeGroup grants.
func Migrate(ctx context.Context, adminURL, runtimeURL string, migrations []Migration) (*MigrateResult, error) {
	ru, err := url.Parse(runtimeURL)
	if err != nil || ru.User.Username() == "" {
		return nil, fmt.Errorf("db.Migrate: runtime URL names no role")
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return nil, fmt.Errorf("db.Migrate: connect as owner: %w", err)
	}
	defer conn.Close(context.Background())

	// One migrator at a time (helm hook, several make run, parallel tests).
	const lockKey = 0x516e655353 // "SIGeSS"
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
		return nil, fmt.Errorf("db.Migrate: lock: %w", err)
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, lockKey) //nolint:errcheck

	if err := ensureRole(ctx, conn, RuntimeGroup, "NOLOGIN"); err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("db.Migrate: schema_migrations: %w", err)
	}
	res := &MigrateResult{RuntimeRole: ru.User.Username()}
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&res.Current); err != nil {
		return nil, fmt.Errorf("db.Migrate: current version: %w", err)
	}
	if res.Current > len(migrations) {
		return nil, fmt.Errorf("db.Migrate: database is at version %d, newer than this binary (%d)", res.Current, len(migrations))
	}
	for _, m := range migrations[res.Current:] {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("db.Migrate: %s: %w", m.Name, err)
		}
		res.Applied = append(res.Applied, m.Name)
		res.Current = m.Version
	}
	created, err := ensureRuntimeRole(ctx, conn, ru)
	if err != nil {
		return nil, err
	}
	res.RoleCreated = created
	return res, nil
}

// ensureRole creates a role if it is missing. Roles are cluster-wide, so two
// databases being migrated at once may race to create it: both outcomes are fine.
func ensureRole(ctx context.Context, conn *pgx.Conn, name, options string) error {
	_, err := conn.Exec(ctx, fmt.Sprintf(`DO $$ BEGIN
		IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = %[1]s) THEN
			CREATE ROLE %[2]s %[3]s;
		END IF;
	EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
	END $$`, quoteLiteral(name), pgx.Identifier{name}.Sanitize(), options))
	if err != nil {
		return fmt.Errorf("db.Migrate: role %s: %w", name, err)
	}
	return nil
}

func ensureRuntimeRole(ctx context.Context, conn *pgx.Conn, ru *url.URL) (created bool, err error) {
	name := ru.User.Username()
	ident := pgx.Identifier{name}.Sanitize()
	var super, bypass, exists bool
	err = conn.QueryRow(ctx, `SELECT true, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1`, name).Scan(&exists, &super, &bypass)
	if err != nil && err != pgx.ErrNoRows {
		return false, fmt.Errorf("db.Migrate: runtime role %s: %w", name, err)
	}
	if !exists {
		opts := "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE INHERIT"
		if pw, ok := ru.User.Password(); ok {
			opts += " PASSWORD " + quoteLiteral(pw)
		}
		if err := ensureRole(ctx, conn, name, opts); err != nil {
			return false, err
		}
		created = true
	} else if super || bypass {
		return false, fmt.Errorf("db.Migrate: runtime role %s is a superuser or bypasses RLS; use an unprivileged role", name)
	}
	var owner string
	if err := conn.QueryRow(ctx, `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()`).Scan(&owner); err != nil {
		return false, fmt.Errorf("db.Migrate: database owner: %w", err)
	}
	if owner == name {
		return false, fmt.Errorf("db.Migrate: runtime role %s owns the database; use another role", name)
	}
	grants := []string{
		fmt.Sprintf(`GRANT %s TO %s`, pgx.Identifier{RuntimeGroup}.Sanitize(), ident),
		fmt.Sprintf(`GRANT CONNECT ON DATABASE %s TO %s`, pgx.Identifier{conn.Config().Database}.Sanitize(), ident),
		`GRANT USAGE ON SCHEMA public TO ` + pgx.Identifier{RuntimeGroup}.Sanitize(),
		`GRANT SELECT ON schema_migrations TO ` + pgx.Identifier{RuntimeGroup}.Sanitize(),
		// No DDL: no CREATE on the schema and no temporary tables.
		`REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
		fmt.Sprintf(`REVOKE TEMPORARY ON DATABASE %s FROM PUBLIC`, pgx.Identifier{conn.Config().Database}.Sanitize()),
	}
	for _, g := range grants {
		if err := execRetryingCatalog(ctx, conn, g); err != nil {
			return false, fmt.Errorf("db.Migrate: %s: %w", g, err)
		}
	}
	return created, nil
}

// execRetryingCatalog runs a statement on shared catalogs (roles, grants), which
// several databases being migrated at once may update concurrently.
func execRetryingCatalog(ctx context.Context, conn *pgx.Conn, sql string) error {
	var err error
	for i := 0; i < 5; i++ {
		if _, err = conn.Exec(ctx, sql); err == nil {
			return nil
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || (pgErr.Code != "XX000" && pgErr.Code != "23505" && pgErr.Code != "40001") {
			return err
		}
		time.Sleep(time.Duration(20*(i+1)) * time.Millisecond)
	}
	return err
}

func quoteLiteral(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}
