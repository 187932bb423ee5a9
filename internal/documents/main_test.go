package documents

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

// count is the number of documents rows of tenant.
func count(t *testing.T, tenant uuid.UUID) int {
	t.Helper()
	var n int
	err := pg.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT count(*) FROM documents`).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
