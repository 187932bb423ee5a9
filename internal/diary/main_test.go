package diary

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

// fakeCases answers AccessTo from a table of grants, after checking in the
// transaction (under row-level security) that the case exists: a case of
// another ente is not found, as casefile answers.
type fakeCases map[uuid.UUID]casefile.Access // by viewer

func (f fakeCases) AccessTo(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, v casefile.Viewer) (casefile.Access, error) {
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM cases WHERE id = $1`, id).Scan(&n); err != nil {
		return casefile.Access{}, err
	}
	if n == 0 || !f[v.ID].Exists {
		return casefile.Access{}, fmt.Errorf("fake: %w", derrors.ErrNotFound)
	}
	return f[v.ID], nil
}

// trail is the actions of tenant's audit events about case, oldest first.
func trail(t *testing.T, tenant, caseID uuid.UUID) []string {
	t.Helper()
	var out []string
	err := pg.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		rs, err := audit.List(context.Background(), tx, tenant, audit.Filter{ObjectType: "case", ObjectID: caseID.String()})
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
