package cli_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// TestDemoCatalog: `sigess demo` publishes Lazio's catalogue template and
// every demo ente of Lazio adopts it; a second run changes nothing.
func TestDemoCatalog(t *testing.T) {
	if code, _, errOut := sigess(t, nil, "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	env := map[string]string{"SIGESS_DEMO_PASSWORD": "password demo di prova"}
	count := func() (versions, adoptions, entries, changes int) {
		t.Helper()
		ctx := context.Background()
		var latina uuid.UUID
		if err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT id FROM tenants WHERE slug = 'latina'`).Scan(&latina)
		}); err != nil {
			t.Fatal(err)
		}
		if err := pg.DB.InRegion(ctx, "12", func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT
				(SELECT count(*) FROM template_versions v JOIN templates t ON t.id = v.template_id
					WHERE t.name = 'Catalogo regionale dei servizi sociali'),
				(SELECT count(*) FROM template_adoptions WHERE tenant_id = $1)`, latina).Scan(&versions, &adoptions)
		}); err != nil {
			t.Fatal(err)
		}
		if err := pg.DB.InTenant(ctx, latina, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM catalog_entries), (SELECT count(*) FROM template_changes)`).Scan(&entries, &changes)
		}); err != nil {
			t.Fatal(err)
		}
		return
	}
	if code, _, errOut := sigess(t, env, "demo"); code != 0 {
		t.Fatal(errOut)
	}
	v, a, e, c := count()
	if v != 1 || a != 1 || e != 8 || c == 0 {
		t.Fatalf("after demo: %d versions, %d adoptions, %d entries of latina, %d changes", v, a, e, c)
	}
	if code, _, errOut := sigess(t, env, "demo"); code != 0 {
		t.Fatal(errOut)
	}
	if v2, a2, e2, c2 := count(); v2 != v || a2 != a || e2 != e || c2 != c {
		t.Errorf("second demo run changed the catalogue: %d/%d/%d/%d, was %d/%d/%d/%d", v2, a2, e2, c2, v, a, e, c)
	}
}
