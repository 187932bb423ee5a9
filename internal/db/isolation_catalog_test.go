package db_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
)

// regionTemplate publishes, in tenant's region, a catalogue template for the
// template fixtures (a tenant scope may not write templates: they are the
// region's) and returns its id.
func regionTemplate(tenant uuid.UUID) uuid.UUID {
	ctx := context.Background()
	var region string
	if err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT region_code FROM tenants WHERE id = $1`, tenant).Scan(&region)
	}); err != nil {
		panic(fmt.Sprintf("regionTemplate: %v", err))
	}
	id := uuid.New()
	err := pg.DB.InRegion(ctx, region, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO templates (region_code, id, kind, name, latest_version) VALUES ($1, $2, 'catalog', 'Catalogo', 1)`, region, id)
		return err
	})
	if err != nil {
		panic(fmt.Sprintf("regionTemplate: %v", err))
	}
	return id
}

// adoptionFixture adopts template $2 for tenant $1.
const adoptionFixture = `WITH a AS (INSERT INTO template_adoptions (tenant_id, template_id, region_code, kind, version)
		VALUES ($1, $2, (SELECT region_code FROM tenants WHERE id = $1), 'catalog', 1))
	`

func init() {
	fixtures["catalog_entries"] = func(tenant uuid.UUID) (string, []any) {
		return `INSERT INTO catalog_entries (tenant_id, name, inps_code, user_area, unit, means_test, share_ente, share_user, share_health, character)
			VALUES ($1, 'Assistenza domiciliare', 'A2.01', '2', 'hours', '1', 70, 30, 0, '1')`, []any{tenant}
	}
	fixtures["template_adoptions"] = func(tenant uuid.UUID) (string, []any) {
		return adoptionFixture + `SELECT 1`, []any{tenant, regionTemplate(tenant)}
	}
	fixtures["template_changes"] = func(tenant uuid.UUID) (string, []any) {
		return adoptionFixture + `INSERT INTO template_changes (tenant_id, template_id, kind, version, item_key, outcome)
			VALUES ($1, $2, 'catalog', 1, 'sad', 'added')`, []any{tenant, regionTemplate(tenant)}
	}
}

// TestTemplateRegionIsolation: a region's templates, drafts and versions are
// its own; the enti of the region read its templates and versions but write
// none; an ente of another region sees nothing; a region reads the adoptions of
// its enti only, and writes none.
func TestTemplateRegionIsolation(t *testing.T) {
	ctx := context.Background()
	if err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO regions (code, slug, name) VALUES ('03', 'lombardia', 'Lombardia') ON CONFLICT DO NOTHING`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ente, sibling := newTenant(t), newTenant(t) // region 12
	other := uuid.New()                         // an ente of region 03
	if err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind, region_code) VALUES ($1, $2, 'Ambito di Milano', 'ambito', '03')`,
			other, "m-"+other.String()[:8])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	tmpl := regionTemplate(ente)
	if err := pg.DB.InRegion(ctx, "12", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO template_items (region_code, template_id, key, data) VALUES ('12', $1, 'sad', '{}')`, tmpl); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO template_versions (region_code, template_id, version, items, keys) VALUES ('12', $1, 1, '{}', '{}')`, tmpl)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	sql, args := fixtures["template_adoptions"](ente)
	args[1] = tmpl
	if err := pg.DB.InTenant(ctx, ente, func(tx pgx.Tx) error { _, err := tx.Exec(ctx, sql, args...); return err }); err != nil {
		t.Fatal(err)
	}

	count := func(scope db.Scope, table string) int {
		t.Helper()
		var n int
		if err := pg.DB.Transact(ctx, scope, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()+` WHERE template_id = $1`, tmpl).Scan(&n)
		}); err != nil {
			t.Fatalf("%s in %+v: %v", table, scope, err)
		}
		return n
	}
	for _, tc := range []struct {
		scope                          db.Scope
		templates, items, versions, ad int
	}{
		{db.Scope{Region: "12"}, 1, 1, 1, 1},
		{db.Scope{Region: "03"}, 0, 0, 0, 0},
		{db.Scope{Tenant: ente}, 1, 0, 1, 1},
		{db.Scope{Tenant: other}, 0, 0, 0, 0},
		{db.Scope{Platform: true}, 0, 0, 0, 0},
		{db.Scope{}, 0, 0, 0, 0},
	} {
		if n := count(tc.scope, "template_items"); n != tc.items {
			t.Errorf("template_items seen in %+v: %d, want %d", tc.scope, n, tc.items)
		}
		if n := count(tc.scope, "template_versions"); n != tc.versions {
			t.Errorf("template_versions seen in %+v: %d, want %d", tc.scope, n, tc.versions)
		}
		if n := count(tc.scope, "template_adoptions"); n != tc.ad {
			t.Errorf("template_adoptions seen in %+v: %d, want %d", tc.scope, n, tc.ad)
		}
		var n int
		if err := pg.DB.Transact(ctx, tc.scope, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT count(*) FROM templates WHERE id = $1`, tmpl).Scan(&n)
		}); err != nil || n != tc.templates {
			t.Errorf("templates seen in %+v: %d (%v), want %d", tc.scope, n, err, tc.templates)
		}
	}

	// Writes from the wrong scopes are refused or change nothing.
	for _, tc := range []struct {
		name  string
		scope db.Scope
		sql   string
	}{
		{"other region publishes into the template", db.Scope{Region: "03"},
			`INSERT INTO template_versions (region_code, template_id, version, items, keys) VALUES ('12', $1, 2, '{}', '{}')`},
		{"other region adds an item", db.Scope{Region: "03"},
			`INSERT INTO template_items (region_code, template_id, key, data) VALUES ('12', $1, 'x', '{}')`},
		{"ente publishes", db.Scope{Tenant: ente},
			`INSERT INTO template_versions (region_code, template_id, version, items, keys) VALUES ('12', $1, 2, '{}', '{}')`},
		{"ente writes the template", db.Scope{Tenant: ente},
			`INSERT INTO templates (region_code, kind, name) VALUES ('12', 'catalog', 'x' || $1::text)`},
		{"region adopts for its ente", db.Scope{Region: "12"},
			`INSERT INTO template_adoptions (tenant_id, template_id, region_code, kind, version)
				VALUES ('` + sibling.String() + `', $1, '12', 'catalog', 1)`},
		{"other region's ente adopts", db.Scope{Tenant: other},
			`INSERT INTO template_adoptions (tenant_id, template_id, region_code, kind, version) VALUES ('` + other.String() + `', $1, '12', 'catalog', 1)`},
	} {
		err := pg.DB.Transact(ctx, tc.scope, func(tx pgx.Tx) error { _, err := tx.Exec(ctx, tc.sql, tmpl); return err })
		if s := sqlState(err); s != "42501" {
			t.Errorf("%s: err %v; want row-level security violation", tc.name, err)
		}
	}
	for _, tc := range []struct {
		name  string
		scope db.Scope
		sql   string
	}{
		{"other region renames the template", db.Scope{Region: "03"}, `UPDATE templates SET name = 'x' WHERE id = $1`},
		{"other region deletes an item", db.Scope{Region: "03"}, `DELETE FROM template_items WHERE template_id = $1`},
		{"ente renames the template", db.Scope{Tenant: ente}, `UPDATE templates SET name = 'x' WHERE id = $1`},
		{"region moves the adoption", db.Scope{Region: "12"}, `UPDATE template_adoptions SET version = 9 WHERE template_id = $1`},
	} {
		var rows int64
		err := pg.DB.Transact(ctx, tc.scope, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, tc.sql, tmpl)
			rows = tag.RowsAffected()
			return err
		})
		if (err != nil && sqlState(err) != "42501") || rows != 0 {
			t.Errorf("%s: %d rows, err %v; want none", tc.name, rows, err)
		}
	}
}
