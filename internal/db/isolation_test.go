package db_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

// fixtures insert one row of each tenant table for a tenant, as the runtime role
// in that tenant's scope. Every table with a tenant_id column must have one:
// TestEveryTenantTableHasFixture fails otherwise, so each new table is put
// through the isolation test below.
var fixtures = map[string]func(tenant uuid.UUID) (string, []any){
	"units": func(tenant uuid.UUID) (string, []any) {
		return `INSERT INTO units (tenant_id, code, kind, name) VALUES ($1, $2, 'pua', 'PUA')`,
			[]any{tenant, "pua-" + uuid.NewString()[:8]}
	},
	"person_name_words": func(tenant uuid.UUID) (string, []any) {
		return `INSERT INTO person_name_words (tenant_id, variant, word) VALUES ($1, 'ROSI', 'ROSSI') ON CONFLICT DO NOTHING`, []any{tenant}
	},
	"outbox": func(tenant uuid.UUID) (string, []any) {
		return `INSERT INTO outbox (tenant_id, task_type, payload) VALUES ($1, 'test:noop', '{}')`, []any{tenant}
	},
	// An operator row is shared; the membership is the tenant's. No RETURNING:
	// the new operator is not visible until its membership exists.
	"memberships": func(tenant uuid.UUID) (string, []any) {
		op := uuid.New()
		return `WITH o AS (INSERT INTO operators (id, email, name) VALUES ($2, $3, 'Operatore'))
			INSERT INTO memberships (tenant_id, operator_id, roles) VALUES ($1, $2, '{social_worker}')`,
			[]any{tenant, op, op.String() + "@example.it"}
	},
	"operator_units": func(tenant uuid.UUID) (string, []any) {
		op, unit := uuid.New(), uuid.New()
		return `WITH o AS (INSERT INTO operators (id, email, name) VALUES ($2, $3, 'Operatore')),
			m AS (INSERT INTO memberships (tenant_id, operator_id) VALUES ($1, $2)),
			u AS (INSERT INTO units (tenant_id, id, code, kind, name) VALUES ($1, $4, $5, 'office', 'Ufficio'))
			INSERT INTO operator_units (tenant_id, operator_id, unit_id) VALUES ($1, $2, $4)`,
			[]any{tenant, op, op.String() + "@example.it", unit, "u-" + unit.String()[:8]}
	},
	"roles": func(tenant uuid.UUID) (string, []any) {
		return `INSERT INTO roles (tenant_id, name, label, permissions) VALUES ($1, 'educatore', 'Educatore', '{people:read}')`,
			[]any{tenant}
	},
	"audit_events": func(tenant uuid.UUID) (string, []any) {
		return `INSERT INTO audit_events (tenant_id, seq, lane_seq, action, prev_hash, hash) VALUES ($1, nextval('audit_seq'), currval('audit_seq'), 'auth.login', '\x00', '\x01')`,
			[]any{tenant}
	},
	"api_clients": func(tenant uuid.UUID) (string, []any) {
		return `INSERT INTO api_clients (tenant_id, name, secret_hash, roles) VALUES ($1, $2, sha256('s'), '{auditor}')`,
			[]any{tenant, "client-" + uuid.NewString()[:8]}
	},
	"people": func(tenant uuid.UUID) (string, []any) {
		return `INSERT INTO people (tenant_id, provisional_id, first_name, last_name, name_key, sex, birth_date, birth_place)
			VALUES ($1, $2, 'Mario', 'Rossi', 'ROSSI MARIO', 'M', '1980-01-01', 'H501')`,
			[]any{tenant, "PROV-" + strings.ToUpper(uuid.NewString()[:4]) + "-" + strings.ToUpper(uuid.NewString()[:4])}
	},
	"person_versions": func(tenant uuid.UUID) (string, []any) {
		id := uuid.New()
		return `WITH p AS (INSERT INTO people (tenant_id, id, tax_code, first_name, last_name, name_key, sex, birth_date, birth_place)
				VALUES ($1, $2, $3, 'Anna', 'Bianchi', 'BIANCHI ANNA', 'F', '1975-05-05', 'F205'))
			INSERT INTO person_versions (tenant_id, person_id, version, action, data) VALUES ($1, $2, 1, 'created', '{}')`,
			[]any{tenant, id, strings.ToUpper(strings.ReplaceAll(id.String(), "-", "")[:16])}
	},
	"households": func(tenant uuid.UUID) (string, []any) {
		return `INSERT INTO households (tenant_id, name) VALUES ($1, 'Nucleo Rossi')`, []any{tenant}
	},
	"household_members": func(tenant uuid.UUID) (string, []any) {
		person, household := uuid.New(), uuid.New()
		return `WITH p AS (INSERT INTO people (tenant_id, id, provisional_id, first_name, last_name, name_key, sex, birth_date, birth_place)
				VALUES ($1, $2, $4, 'Ada', 'Neri', 'NERI ADA', 'F', '1990-02-02', 'H501')),
			h AS (INSERT INTO households (tenant_id, id, name) VALUES ($1, $3, 'Nucleo Neri'))
			INSERT INTO household_members (tenant_id, household_id, person_id, relationship, cohabiting, valid_from)
			VALUES ($1, $3, $2, 'head', true, '2020-01-01')`,
			[]any{tenant, person, household, "PROV-" + strings.ToUpper(person.String()[:4]) + "-" + strings.ToUpper(household.String()[:4])}
	},
	"isee_records": func(tenant uuid.UUID) (string, []any) {
		household := uuid.New()
		return `WITH h AS (INSERT INTO households (tenant_id, id, name) VALUES ($1, $2, 'Nucleo ISEE'))
			INSERT INTO isee_records (tenant_id, household_id, kind, value_cents, dsu_protocol, year, signed_on, expires_on)
			VALUES ($1, $2, 'ordinario', 1000000, 'INPS-ISEE-2024-000000001-00', 2024, '2024-01-10', '2024-12-31')`,
			[]any{tenant, household}
	},
	"tenant_assets": func(tenant uuid.UUID) (string, []any) {
		return `INSERT INTO tenant_assets (tenant_id, name, content_type, data, sha256) VALUES ($1, 'logo', 'image/png', '\x89', '\x00')`,
			[]any{tenant}
	},
}

// caseFixture is the WITH clause that makes a person, a unit and a case $3 for
// tenant $1, for the fixtures of the case file's tables; $2 is a provisional id.
const caseFixture = `WITH p AS (INSERT INTO people (tenant_id, id, provisional_id, first_name, last_name, name_key, sex, birth_date, birth_place)
		VALUES ($1, $3, $2, 'Lia', 'Gialli', 'GIALLI LIA', 'F', '2001-03-03', 'H501')),
	u AS (INSERT INTO units (tenant_id, id, code, kind, name) VALUES ($1, $3, 'ss-' || left($3::text, 8), 'social_service', 'Servizio sociale')),
	c AS (INSERT INTO cases (tenant_id, id, number, person_id, user_area, state, unit_id)
		VALUES ($1, $3, '2026/' || lpad((random() * 999999)::int::text, 6, '0'), $3, 'family_minors', 'open', $3))
	`

func caseFixtureArgs(tenant uuid.UUID) []any {
	return []any{tenant, "PROV-" + strings.ToUpper(uuid.NewString()[:4]) + "-" + strings.ToUpper(uuid.NewString()[:4]), uuid.New()}
}

func init() {
	fixtures["workflows"] = func(tenant uuid.UUID) (string, []any) {
		return `INSERT INTO workflows (tenant_id, kind, definition) VALUES ($1, 'case', '{}')`, []any{tenant}
	}
	fixtures["case_counters"] = func(tenant uuid.UUID) (string, []any) {
		return `INSERT INTO case_counters (tenant_id, year, last) VALUES ($1, 2026, 1)`, []any{tenant}
	}
	fixtures["cases"] = func(tenant uuid.UUID) (string, []any) {
		return caseFixture + `SELECT 1`, caseFixtureArgs(tenant)
	}
	fixtures["case_team"] = func(tenant uuid.UUID) (string, []any) {
		return caseFixture + `, o AS (INSERT INTO operators (id, email, name) VALUES ($3, $3::text || '@example.it', 'Op')),
			m AS (INSERT INTO memberships (tenant_id, operator_id) VALUES ($1, $3))
			INSERT INTO case_team (tenant_id, case_id, operator_id, role) VALUES ($1, $3, $3, 'responsible')`, caseFixtureArgs(tenant)
	}
	fixtures["case_events"] = func(tenant uuid.UUID) (string, []any) {
		return caseFixture + `INSERT INTO case_events (tenant_id, case_id, seq, kind, to_state) VALUES ($1, $3, 1, 'opened', 'open')`, caseFixtureArgs(tenant)
	}
	fixtures["diary_entries"] = func(tenant uuid.UUID) (string, []any) {
		return caseFixture + `INSERT INTO diary_entries (tenant_id, case_id, kind, occurred_at, author_id) VALUES ($1, $3, 'note', now(), $3)`, caseFixtureArgs(tenant)
	}
	fixtures["diary_revisions"] = func(tenant uuid.UUID) (string, []any) {
		return caseFixture + `, e AS (INSERT INTO diary_entries (tenant_id, id, case_id, kind, occurred_at, author_id) VALUES ($1, $3, $3, 'note', now(), $3))
			INSERT INTO diary_revisions (tenant_id, entry_id, revision, text, author_id) VALUES ($1, $3, 1, 'Colloquio', $3)`, caseFixtureArgs(tenant)
	}
	fixtures["documents"] = func(tenant uuid.UUID) (string, []any) {
		return caseFixture + `INSERT INTO documents (tenant_id, case_id, kind, title, filename, content_type, size, sha256, storage_key, uploaded_by)
			VALUES ($1, $3, 'report', 'Relazione', 'relazione.pdf', 'application/pdf', 3, sha256('abc'), 'k', $3)`, caseFixtureArgs(tenant)
	}
	// An access and a referral hang on the case fixture's person and unit, and
	// on an operator of the ente.
	fixtures["accesses"] = func(tenant uuid.UUID) (string, []any) {
		return caseFixture + `, o AS (INSERT INTO operators (id, email, name) VALUES ($3, $3::text || '@example.it', 'Op')),
			m AS (INSERT INTO memberships (tenant_id, operator_id) VALUES ($1, $3))
			INSERT INTO accesses (tenant_id, unit_id, operator_id, state, channel, interlocutor, reason, person_id, needs, outcome)
			VALUES ($1, $3, $3, 'created', 'phone', 'self', 'spontaneous', $3, '{elderly}', 'information')`, caseFixtureArgs(tenant)
	}
	fixtures["referrals"] = func(tenant uuid.UUID) (string, []any) {
		return caseFixture + `INSERT INTO referrals (tenant_id, direction, case_id, person_id, from_unit, target_kind, target_label, reason, sent_by)
			VALUES ($1, 'local', $3, $3, $3, 'health_service', 'ASL Roma 1', 'Valutazione UVM', $3)`, caseFixtureArgs(tenant)
	}
}

// newTenant registers a tenant (platform scope) and gives it one row in every
// tenant table (its own scope).
func newTenant(t *testing.T) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	id := uuid.New()
	err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO regions (code, slug, name) VALUES ('12', 'lazio', 'Lazio') ON CONFLICT DO NOTHING`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind, istat_code, belfiore_code, region_code)
			VALUES ($1, $2, 'Comune di Prova', 'comune', NULL, NULL, '12')`, id, "t-"+id.String()[:8])
		return err
	})
	if err == nil {
		t.Fatal("a comune without ISTAT and Belfiore codes was accepted")
	}
	err = pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind, members, region_code)
			VALUES ($1, $2, 'Ambito di prova', 'ambito', '{058091,058092}', '12')`, id, "t-"+id.String()[:8])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = pg.DB.InTenant(ctx, id, func(tx pgx.Tx) error {
		for table, f := range fixtures {
			sql, args := f(id)
			if _, err := tx.Exec(ctx, sql, args...); err != nil {
				return fmt.Errorf("%s: %w", table, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func tenantTables(t *testing.T) []string {
	t.Helper()
	rows, err := pg.Admin.Query(context.Background(), `SELECT c.relname FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) == 0 {
		t.Fatal("no tenant tables found")
	}
	return tables
}

func TestEveryTenantTableHasFixture(t *testing.T) {
	for _, table := range tenantTables(t) {
		if fixtures[table] == nil {
			t.Errorf("table %s has tenant_id but no fixture in isolation_test.go: add one so its isolation is tested", table)
		}
	}
}

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// TestTenantIsolation works as the runtime role directly in SQL, with no
// application code in the way: tenant A's scope must not read, change, delete
// or create tenant B's rows in any tenant table.
func TestTenantIsolation(t *testing.T) {
	ctx := context.Background()
	a, b := newTenant(t), newTenant(t)
	for _, table := range tenantTables(t) {
		t.Run(table, func(t *testing.T) {
			ident := pgx.Identifier{table}.Sanitize()
			inA := func(fn func(tx pgx.Tx) error) error { return pg.DB.InTenant(ctx, a, fn) }

			var n int
			if err := inA(func(tx pgx.Tx) error {
				return tx.QueryRow(ctx, `SELECT count(*) FROM `+ident+` WHERE tenant_id = $1`, b).Scan(&n)
			}); err != nil || n != 0 {
				t.Errorf("SELECT of B's rows from A: %d rows, err %v; want 0", n, err)
			}
			if err := inA(func(tx pgx.Tx) error {
				return tx.QueryRow(ctx, `SELECT count(*) FROM `+ident).Scan(&n)
			}); err != nil || n == 0 {
				t.Errorf("SELECT of A's own rows: %d rows, err %v; want some", n, err)
			}

			var before int
			if err := pg.DB.InTenant(ctx, b, func(tx pgx.Tx) error {
				return tx.QueryRow(ctx, `SELECT count(*) FROM `+ident+` WHERE tenant_id = $1`, b).Scan(&before)
			}); err != nil || before == 0 {
				t.Fatalf("B's own rows: %d, err %v; want some", before, err)
			}

			var tag pgconn.CommandTag
			err := inA(func(tx pgx.Tx) (err error) {
				tag, err = tx.Exec(ctx, `UPDATE `+ident+` SET tenant_id = tenant_id WHERE tenant_id = $1`, b)
				return err
			})
			// Append-only tables grant no UPDATE at all: refused is fine too.
			if (err != nil && sqlState(err) != "42501") || (err == nil && tag.RowsAffected() != 0) {
				t.Errorf("UPDATE of B's rows from A: %d rows, err %v; want 0 or refused", tag.RowsAffected(), err)
			}
			err = inA(func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE `+ident+` SET tenant_id = $1 WHERE tenant_id = $2`, b, a)
				return err
			})
			if s := sqlState(err); s != "42501" && s != "23503" {
				t.Errorf("moving A's rows to B: err %v; want refused", err)
			}

			err = inA(func(tx pgx.Tx) (err error) {
				tag, err = tx.Exec(ctx, `DELETE FROM `+ident+` WHERE tenant_id = $1`, b)
				return err
			})
			// Tables whose rows are never deleted grant no DELETE at all: refused is fine too.
			if (err != nil && sqlState(err) != "42501") || (err == nil && tag.RowsAffected() != 0) {
				t.Errorf("DELETE of B's rows from A: %d rows, err %v; want 0 or refused", tag.RowsAffected(), err)
			}

			sql, args := fixtures[table](b)
			err = inA(func(tx pgx.Tx) error { _, err := tx.Exec(ctx, sql, args...); return err })
			if sqlState(err) != "42501" {
				t.Errorf("INSERT of a B row from A: err %v; want row-level security violation (42501)", err)
			}

			// B's rows are all still there.
			if err := pg.DB.InTenant(ctx, b, func(tx pgx.Tx) error {
				return tx.QueryRow(ctx, `SELECT count(*) FROM `+ident+` WHERE tenant_id = $1`, b).Scan(&n)
			}); err != nil || n != before {
				t.Errorf("B's rows after A's attempts: %d, err %v; want %d", n, err, before)
			}

			// With no tenant set, nothing at all is visible.
			if err := pg.DB.Transact(ctx, db.Scope{}, func(tx pgx.Tx) error {
				return tx.QueryRow(ctx, `SELECT count(*) FROM `+ident).Scan(&n)
			}); err != nil || n != 0 {
				t.Errorf("SELECT with no tenant: %d rows, err %v; want 0", n, err)
			}
			// Nor through the platform scope: it sees the registry, not tenant data
			// (the outbox relay has a scope of its own).
			if err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
				return tx.QueryRow(ctx, `SELECT count(*) FROM `+ident).Scan(&n)
			}); err != nil || n != 0 {
				t.Errorf("SELECT in platform scope: %d rows, err %v; want 0", n, err)
			}
		})
	}
}

// TestTenantRegistryIsolation: a tenant sees its own registry row only; a region
// sees its own enti; without a scope nothing.
func TestTenantRegistryIsolation(t *testing.T) {
	ctx := context.Background()
	a, b := newTenant(t), newTenant(t)
	count := func(scope db.Scope) int {
		var n int
		if err := pg.DB.Transact(ctx, scope, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT count(*) FROM tenants WHERE id IN ($1, $2)`, a, b).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		name  string
		scope db.Scope
		want  int
	}{
		{"no scope", db.Scope{}, 0},
		{"tenant A", db.Scope{Tenant: a}, 1},
		{"region of both", db.Scope{Region: "12"}, 2},
		{"another region", db.Scope{Region: "03"}, 0},
		{"platform", db.Scope{Platform: true}, 2},
	} {
		if got := count(tc.scope); got != tc.want {
			t.Errorf("%s: sees %d of the two tenants, want %d", tc.name, got, tc.want)
		}
	}
	err := pg.DB.InTenant(ctx, a, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE tenants SET name = 'x' WHERE id = $1`, b)
		if err == nil && tag.RowsAffected() != 0 {
			return errors.New("tenant A renamed tenant B")
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	err = pg.DB.InRegion(ctx, "03", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO tenants (slug, name, kind, members, region_code)
			VALUES ('intruder', 'x', 'ambito', '{a,b}', '12')`)
		return err
	})
	if sqlState(err) != "42501" {
		t.Errorf("region 03 creating an ente in region 12: err %v; want refused", err)
	}
}

// TestCatalogRules holds every table, present and future, to the tenancy rules.
func TestCatalogRules(t *testing.T) {
	ctx := context.Background()
	rows, err := pg.Admin.Query(ctx, `
		SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
		       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped),
		       coalesce((SELECT a.attname FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
		                 WHERE k.conrelid = c.oid AND k.contype = 'p'), ''),
		       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var name, pkFirst string
		var rls, forced, hasTenant bool
		var policies int
		if err := rows.Scan(&name, &rls, &forced, &hasTenant, &pkFirst, &policies); err != nil {
			t.Fatal(err)
		}
		seen++
		if !rls || !forced {
			t.Errorf("table %s: row-level security enabled=%v forced=%v; want both", name, rls, forced)
		}
		if policies == 0 {
			t.Errorf("table %s has no policy", name)
		}
		if hasTenant && pkFirst != "tenant_id" {
			t.Errorf("table %s: primary key starts with %q; want tenant_id", name, pkFirst)
		}
	}
	if seen < 4 {
		t.Fatalf("catalog query saw %d tables; want at least regions, tenants, units, outbox", seen)
	}

	// Foreign keys between tenant tables carry tenant_id first, so a row can only
	// ever point at a row of its own tenant.
	fks, err := pg.Admin.Query(ctx, `
		SELECT k.conname, c.relname, (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = k.conrelid AND a.attnum = k.conkey[1])
		FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
		WHERE k.contype = 'f' AND k.connamespace = 'public'::regnamespace
		  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = k.conrelid AND a.attname = 'tenant_id')
		  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = k.confrelid AND a.attname = 'tenant_id')`)
	if err != nil {
		t.Fatal(err)
	}
	defer fks.Close()
	for fks.Next() {
		var con, table, first string
		if err := fks.Scan(&con, &table, &first); err != nil {
			t.Fatal(err)
		}
		if first != "tenant_id" {
			t.Errorf("foreign key %s on %s starts with %s; want tenant_id", con, table, first)
		}
	}
}

// TestRuntimeRolePrivileges: the runtime role is not the owner, has no
// BYPASSRLS and can run no DDL.
func TestRuntimeRolePrivileges(t *testing.T) {
	ctx := context.Background()
	var super, bypass, owner bool
	err := pg.DB.Pool.QueryRow(ctx, `SELECT rolsuper, rolbypassrls,
		(SELECT datdba = r.oid FROM pg_database WHERE datname = current_database())
		FROM pg_roles r WHERE rolname = current_user`).Scan(&super, &bypass, &owner)
	if err != nil {
		t.Fatal(err)
	}
	if super || bypass || owner {
		t.Errorf("runtime role: superuser=%v bypassrls=%v owner=%v; want none", super, bypass, owner)
	}
	for _, ddl := range []string{
		`CREATE TABLE evil (id int)`,
		`CREATE TEMP TABLE evil (id int)`,
		`ALTER TABLE units DISABLE ROW LEVEL SECURITY`,
		`DROP POLICY units_tenant ON units`,
		`TRUNCATE outbox`,
		`DELETE FROM tenants`,
		`INSERT INTO schema_migrations (version, name) VALUES (999, 'x')`,
	} {
		_, err := pg.DB.Pool.Exec(ctx, ddl)
		if s := sqlState(err); s != "42501" && s != "42P01" {
			t.Errorf("runtime role ran %q: err %v; want permission denied", ddl, err)
		}
	}
}

// TestScopeDoesNotLeak: the scope is transaction-local, so a pooled connection
// does not carry tenant A into the next transaction.
func TestScopeDoesNotLeak(t *testing.T) {
	ctx := context.Background()
	a := newTenant(t)
	conn, err := pg.DB.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	tx, _ := conn.Begin(ctx)
	tx.Exec(ctx, db.SwitchTenantSQL, a.String()) //nolint:errcheck
	tx.Commit(ctx)                               //nolint:errcheck
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM units`).Scan(&n); err != nil || n != 0 {
		t.Errorf("after the transaction, the connection sees %d units (err %v); want 0", n, err)
	}
	var bad error
	_ = pg.DB.Transact(ctx, db.Scope{}, func(tx pgx.Tx) error {
		_, bad = tx.Exec(ctx, `SELECT set_config('app.tenant_id', 'not-a-uuid', true); SELECT count(*) FROM units`)
		return nil
	})
	if bad == nil {
		t.Error("a malformed tenant id was accepted; want an error (fail closed)")
	}
}

// TestSharedTableIsolation covers the tables that are not a tenant's alone:
// operators (seen only through a membership), region_admins and the consoles'
// audit trail (seen by their region or the platform), and an ente's own row in
// the registry (settings only).
func TestSharedTableIsolation(t *testing.T) {
	ctx := context.Background()
	a, b := newTenant(t), newTenant(t)
	op := uuid.New()
	if err := pg.DB.InTenant(ctx, a, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO operators (id, email, name) VALUES ($1, $2, 'Anna')`, op, op.String()+"@a.it"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO memberships (tenant_id, operator_id) VALUES ($1, $2)`, a, op)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO regions (code, slug, name) VALUES ('03', 'lombardia', 'Lombardia') ON CONFLICT DO NOTHING`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO region_admins (region_code, operator_id, roles) VALUES ('12', $1, '{region_admin}')`, op); err != nil {
			return err
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := pg.DB.InRegion(ctx, "12", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO console_audit_events (region_code, seq, lane_seq, action, prev_hash, hash) VALUES ('12', nextval('audit_seq'), currval('audit_seq'), 'auth.login', '\x00', '\x01')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	count := func(scope db.Scope, sql string, args ...any) int {
		t.Helper()
		var n int
		if err := pg.DB.Transact(ctx, scope, func(tx pgx.Tx) error { return tx.QueryRow(ctx, sql, args...).Scan(&n) }); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	for _, tc := range []struct {
		name  string
		scope db.Scope
		sql   string
		want  int
	}{
		{"operator from its ente", db.Scope{Tenant: a}, `SELECT count(*) FROM operators WHERE id = $1`, 1},
		{"operator from another ente", db.Scope{Tenant: b}, `SELECT count(*) FROM operators WHERE id = $1`, 0},
		{"operator from its region", db.Scope{Region: "12"}, `SELECT count(*) FROM operators WHERE id = $1`, 1},
		{"operator from another region", db.Scope{Region: "03"}, `SELECT count(*) FROM operators WHERE id = $1`, 0},
		{"operator with no scope", db.Scope{}, `SELECT count(*) FROM operators WHERE id = $1`, 0},
		{"region admins of another region", db.Scope{Region: "03"}, `SELECT count(*) FROM region_admins WHERE operator_id = $1`, 0},
		{"region admins from an ente", db.Scope{Tenant: a}, `SELECT count(*) FROM region_admins WHERE operator_id = $1`, 0},
		{"region admins from the platform", db.Scope{Platform: true}, `SELECT count(*) FROM region_admins WHERE operator_id = $1`, 1},
	} {
		if got := count(tc.scope, tc.sql, op); got != tc.want {
			t.Errorf("%s: %d rows, want %d", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		name  string
		scope db.Scope
		want  int
	}{
		{"console audit of its region", db.Scope{Region: "12"}, 1},
		{"console audit of another region", db.Scope{Region: "03"}, 0},
		{"console audit from an ente", db.Scope{Tenant: a}, 0},
		{"region's console audit from the platform", db.Scope{Platform: true}, 0},
	} {
		if got := count(tc.scope, `SELECT count(*) FROM console_audit_events WHERE region_code = '12'`); got != tc.want {
			t.Errorf("%s: %d rows, want %d", tc.name, got, tc.want)
		}
	}

	// B cannot rename A's operator; A can.
	err := pg.DB.InTenant(ctx, b, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE operators SET name = 'x' WHERE id = $1`, op)
		if err == nil && tag.RowsAffected() != 0 {
			return errors.New("ente B renamed ente A's operator")
		}
		return err
	})
	if err != nil {
		t.Error(err)
	}

	// An ente may change its settings, not its status or region.
	if err := pg.DB.InTenant(ctx, a, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE tenants SET settings = '{"locale":"en"}' WHERE id = $1`, a)
		return err
	}); err != nil {
		t.Errorf("ente changing its own settings: %v", err)
	}
	err = pg.DB.InTenant(ctx, a, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE tenants SET status = 'active', region_code = '03' WHERE id = $1`, a)
		return err
	})
	if sqlState(err) != "42501" {
		t.Errorf("ente moving itself to another region: err %v; want refused", err)
	}
	if n := count(db.Scope{Tenant: a}, `SELECT count(*) FROM tenants WHERE id = $1 AND settings->>'locale' = 'en'`, a); n != 1 {
		t.Errorf("ente's own settings change not kept")
	}
	err = pg.DB.InTenant(ctx, a, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE tenants SET settings = '{}' WHERE id = $1`, b)
		if err == nil && tag.RowsAffected() != 0 {
			return errors.New("ente A changed ente B's settings")
		}
		return err
	})
	if err != nil {
		t.Error(err)
	}
}
