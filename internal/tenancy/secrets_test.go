package tenancy_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/secretbox"
	"github.com/sigess/sigess/internal/tenancy"
)

// ssoInFile finds the settings of an ente file with, after a first write, the
// client secret the test put there.
var ssoInFile = regexp.MustCompile(`(?m)^settings:\n(  sso:\n    oidc:\n      client_secret: .*\n)?`)

// storedClientSecret reads an ente's sso.oidc.client_secret as stored, as the
// owner in platform scope (row-level security binds the owner too).
func storedClientSecret(t *testing.T, slug string) string {
	t.Helper()
	ctx := context.Background()
	var s string
	err := pgx.BeginFunc(ctx, pg.Admin, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('app.platform', 'on', true)`); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT settings->'sso'->'oidc'->>'client_secret' FROM tenants WHERE slug = $1`, slug).Scan(&s)
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestClientSecretAtRest: however the OIDC client secret is written — files,
// CLI, the ente's admin — it is stored sealed when a key is configured, reads
// back in plain, and writing the same secret again changes nothing.
func TestClientSecretAtRest(t *testing.T) {
	ctx := context.Background()
	box, err := secretbox.New(bytes.Repeat([]byte{3}, secretbox.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	// A writer sets latina's client secret and returns the changes it reports.
	type writer func(t *testing.T, svc *tenancy.Service, dir, secret string) []string
	files := func(t *testing.T, svc *tenancy.Service, dir, secret string) []string {
		f := filepath.Join(dir, "lazio", "latina.yaml")
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b = ssoInFile.ReplaceAll(b, []byte("settings:\n  sso:\n    oidc:\n      client_secret: "+secret+"\n"))
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
		p := plan(t, svc, dir)
		if err := svc.Apply(ctx, p); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range p.Changes {
			out = append(out, c.Fields...)
		}
		return out
	}
	cli := func(t *testing.T, svc *tenancy.Service, _, secret string) []string {
		diff, err := svc.SetSettings(ctx, "latina", []tenancy.KeyValue{{Key: "sso.oidc.client_secret", Value: secret}})
		if err != nil {
			t.Fatal(err)
		}
		return diff
	}
	ui := func(t *testing.T, svc *tenancy.Service, _, secret string) []string {
		latina, err := svc.Get(ctx, "latina")
		if err != nil {
			t.Fatal(err)
		}
		diff, err := svc.UpdateOwnSettings(ctx, latina.ID, []tenancy.KeyValue{{Key: "sso.oidc.client_secret", Value: secret}})
		if err != nil {
			t.Fatal(err)
		}
		return diff
	}
	for _, tc := range []struct {
		name   string
		write  writer
		box    *secretbox.Box
		sealed bool
	}{
		{"files with a key", files, box, true},
		{"CLI with a key", cli, box, true},
		{"ente admin with a key", ui, box, true},
		{"files without a key", files, nil, false},
		{"CLI without a key", cli, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reset(t)
			svc := tenancy.NewService(pg.DB, nil).WithSecrets(tc.box)
			dir := copyTenants(t)
			if err := svc.Apply(ctx, plan(t, svc, dir)); err != nil {
				t.Fatal(err)
			}
			changed := []string{"settings.sso.oidc.client_secret: changed"}
			for i, step := range []struct {
				secret string
				want   []string
			}{
				{"first-secret", changed},
				{"first-secret", nil}, // the same again: nothing to do
				{"second-secret", changed},
			} {
				if diff := cmp.Diff(step.want, tc.write(t, svc, dir, step.secret)); diff != "" {
					t.Errorf("step %d: changes (-want +got):\n%s", i, diff)
				}
				stored := storedClientSecret(t, "latina")
				if got := strings.HasPrefix(stored, "enc:v1:"); got != tc.sealed || (tc.sealed && strings.Contains(stored, "secret")) {
					t.Errorf("step %d: stored %q; want sealed %v", i, stored, tc.sealed)
				}
				latina, err := svc.Get(ctx, "latina")
				if err != nil {
					t.Fatal(err)
				}
				if got, err := svc.OIDCClientSecret(latina); err != nil || got != step.secret {
					t.Errorf("step %d: OIDCClientSecret = %q, %v; want %q", i, got, err, step.secret)
				}
			}
		})
	}
}

// TestClientSecretKeyAddedLater: a secret stored plain before the key was set
// still reads, is sealed at the next write of the ente's settings, and cannot
// be read by a process without the key.
func TestClientSecretKeyAddedLater(t *testing.T) {
	reset(t)
	ctx := context.Background()
	box, err := secretbox.New(bytes.Repeat([]byte{3}, secretbox.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	plain := tenancy.NewService(pg.DB, nil)
	if err := plain.Apply(ctx, plan(t, plain, repoTenants(t))); err != nil {
		t.Fatal(err)
	}
	if _, err := plain.SetSettings(ctx, "latina", []tenancy.KeyValue{{Key: "sso.oidc.client_secret", Value: "old-secret"}}); err != nil {
		t.Fatal(err)
	}
	keyed := tenancy.NewService(pg.DB, nil).WithSecrets(box)
	read := func(svc *tenancy.Service) (string, error) {
		latina, err := svc.Get(ctx, "latina")
		if err != nil {
			t.Fatal(err)
		}
		return svc.OIDCClientSecret(latina)
	}
	if got, err := read(keyed); err != nil || got != "old-secret" {
		t.Errorf("plain secret read with a key: %q, %v", got, err)
	}
	if _, err := keyed.SetSettings(ctx, "latina", []tenancy.KeyValue{{Key: "locale", Value: "en"}}); err != nil {
		t.Fatal(err)
	}
	if stored := storedClientSecret(t, "latina"); !strings.HasPrefix(stored, "enc:v1:") {
		t.Errorf("after a write with the key, stored %q; want sealed", stored)
	}
	if got, err := read(keyed); err != nil || got != "old-secret" {
		t.Errorf("sealed secret: %q, %v; want old-secret", got, err)
	}
	if got, err := read(plain); err == nil {
		t.Errorf("sealed secret read without the key: %q; want an error", got)
	}
}
