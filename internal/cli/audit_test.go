package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigess/sigess/internal/onboarding"
)

// TestAuditVerify: `sigess audit verify` finds every trail intact after the
// enti are provisioned and one has imported people (an event in its trail);
// an event changed behind the application's back
// is named, with exit status 1; --tenant checks one ente.
func TestAuditVerify(t *testing.T) {
	ctx := context.Background()
	own, env := withEnti(t)
	run := func(args ...string) (int, string, string) {
		t.Helper()
		return sigess(t, env, args...)
	}
	tpl, _ := onboarding.Template(onboarding.KindPeople)
	file := filepath.Join(t.TempDir(), "persone.csv")
	if err := os.WriteFile(file, tpl, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := run("import", "--tenant", "roma", "--kind", "people", file); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := run("audit", "verify")
	if code != 0 || !strings.Contains(out, "ente roma                        1 events, intact") || !strings.Contains(out, "region 12") || !strings.Contains(out, "platform") ||
		strings.Contains(out, "BROKEN") {
		t.Fatalf("verify: %d\n%s%s", code, out, errOut)
	}

	// The owner changes roma's first event.
	tx, err := own.Admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	var roma string
	if err := tx.QueryRow(ctx, `SELECT set_config('app.platform', 'on', true)`).Scan(new(string)); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(ctx, `SELECT id::text FROM tenants WHERE slug = 'roma'`).Scan(&roma); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true)`, roma); err != nil {
		t.Fatal(err)
	}
	if tag, err := tx.Exec(ctx, `UPDATE audit_events SET actor = 'mallory' WHERE lane_seq = 1`); err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("tampering: %d rows, %v", tag.RowsAffected(), err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run("audit", "verify")
	if code != 1 || !strings.Contains(out, "ente roma") || !strings.Contains(out, "BROKEN after 0 events") ||
		!strings.Contains(out, "the event was changed after it was written") || !strings.Contains(errOut, "1 audit trails broken") {
		t.Errorf("after tampering: %d\n%s%s", code, out, errOut)
	}
	code, out, _ = run("audit", "verify", "--tenant", "latina")
	if code != 0 || strings.Contains(out, "roma") || !strings.Contains(out, "ente latina") {
		t.Errorf("--tenant latina: %d\n%s", code, out)
	}
	if code, _, _ := run("audit", "check"); code != 2 {
		t.Errorf("unknown subcommand: exit %d, want 2", code)
	}
	if code, _, _ := run("audit", "verify", "--tenant", "atlantide"); code != 1 {
		t.Errorf("unknown ente: exit %d, want 1", code)
	}
}
