package db_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/migrations"
)

func TestLoadMigrations(t *testing.T) {
	sql := &fstest.MapFile{Data: []byte("SELECT 1;")}
	for _, tc := range []struct {
		name    string
		files   fstest.MapFS
		wantErr string
	}{
		{"in order", fstest.MapFS{"0001_a.sql": sql, "0002_b.sql": sql}, ""},
		{"duplicate number", fstest.MapFS{"0001_a.sql": sql, "0001_b.sql": sql}, "share number 1"},
		{"gap", fstest.MapFS{"0001_a.sql": sql, "0003_c.sql": sql}, "expected number 0002"},
		{"bad name", fstest.MapFS{"0001_a.sql": sql, "2_b.sql": sql}, "must be NNNN_name.sql"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.LoadMigrations(tc.files)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("err = %v; want %q", err, tc.wantErr)
			}
		})
	}
	if _, err := db.LoadMigrations(migrations.FS); err != nil {
		t.Errorf("the shipped migrations: %v", err)
	}
}

// TestMigrateTwice: a second run applies nothing and keeps the runtime role.
func TestMigrateTwice(t *testing.T) {
	ms, err := db.LoadMigrations(migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Migrate(context.Background(), pg.AdminURL, pg.RuntimeURL, ms)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applied) != 0 || res.Current != len(ms) || res.RoleCreated {
		t.Errorf("second migrate: %+v; want nothing applied, version %d", res, len(ms))
	}
}

// TestMigrateRefusesPrivilegedRuntimeRole: pointing SIGESS_DATABASE_URL at the
// owner would switch row-level security off for the application.
func TestMigrateRefusesPrivilegedRuntimeRole(t *testing.T) {
	ms, _ := db.LoadMigrations(migrations.FS)
	_, err := db.Migrate(context.Background(), pg.AdminURL, pg.AdminURL, ms)
	if err == nil || !strings.Contains(err.Error(), "owns the database") {
		t.Errorf("migrate with the owner as runtime role: err %v; want refused", err)
	}
}
