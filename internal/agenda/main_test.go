package agenda

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

// count is the number of appointments of tenant.
func count(t *testing.T, tenant uuid.UUID) int {
	t.Helper()
	var n int
	if err := pg.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT count(*) FROM appointments`).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// newUnit makes a unit of tenant.
func newUnit(t *testing.T, tenant uuid.UUID) uuid.UUID {
	t.Helper()
	id := uuid.New()
	pg.Exec(t, tenant, `INSERT INTO units (tenant_id, id, code, kind, name) VALUES ($1, $2, $3, 'office', 'Ufficio')`, tenant, id, "u-"+id.String()[:8])
	return id
}

// pgQueryRow runs a one-row query in tenant's scope; Scan reads it.
func pgQueryRow(t *testing.T, tenant uuid.UUID, sql string, args ...any) rowScanner {
	t.Helper()
	return rowScanner{t: t, tenant: tenant, sql: sql, args: args}
}

type rowScanner struct {
	t      *testing.T
	tenant uuid.UUID
	sql    string
	args   []any
}

func (r rowScanner) Scan(dest ...any) error {
	return pg.DB.InTenant(context.Background(), r.tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), r.sql, r.args...).Scan(dest...)
	})
}
