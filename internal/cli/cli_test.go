package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigess/sigess/internal/cli"
	"github.com/sigess/sigess/internal/testenv"
)

var (
	pg       *testenv.Postgres
	redisURL string
)

func TestMain(m *testing.M) {
	ctx := context.Background()
	var err error
	if pg, err = testenv.NewPostgres(ctx); err != nil {
		log.Fatal(err)
	}
	if redisURL, err = testenv.RedisURL(ctx); err != nil {
		log.Fatal(err)
	}
	code := m.Run()
	pg.Close()
	os.Exit(code)
}

// withEnti is a database of the test's own (the other tests of the package
// expect an empty registry when they start) with the repository's enti
// applied, and the environment that points sigess at it.
func withEnti(t *testing.T) (*testenv.Postgres, map[string]string) {
	t.Helper()
	own, err := testenv.NewPostgres(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(own.Close)
	env := map[string]string{"SIGESS_DATABASE_URL": own.RuntimeURL, "SIGESS_DATABASE_ADMIN_URL": own.AdminURL}
	if code, _, errOut := sigess(t, env, "tenants", "apply", filepath.Join(testenv.RepoRoot(), "tenants")); code != 0 {
		t.Fatal(errOut)
	}
	return own, env
}

// sigess runs the command line against the package's database.
func sigess(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	vars := map[string]string{
		"SIGESS_DATABASE_URL": pg.RuntimeURL, "SIGESS_DATABASE_ADMIN_URL": pg.AdminURL, "SIGESS_REDIS_URL": redisURL,
	}
	for k, v := range env {
		vars[k] = v
	}
	var out, errOut bytes.Buffer
	code = cli.Run(context.Background(), &cli.Env{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return vars[k] }}, args)
	return code, out.String(), errOut.String()
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"serve", "--help"}, {"worker", "--help"}, {"all", "--help"}, {"migrate", "--help"},
		{"tenants", "--help"}, {"tenants", "apply", "--help"}, {"tenants", "provision-istat", "--help"},
		{"tenants", "set", "--help"}, {"tenants", "list", "--help"}, {"demo", "--help"}, {"version", "--help"},
	} {
		code, out, _ := sigess(t, nil, args...)
		if code != 0 || !strings.Contains(out, "Usage: sigess") {
			t.Errorf("sigess %v: exit %d, output %q; want usage and 0", args, code, out)
		}
	}
	if code, _, _ := sigess(t, nil, "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d; want 2", code)
	}
	if code, _, errOut := sigess(t, nil, "tenants", "provision-istat", "--region", "12", "--all"); code != 2 || !strings.Contains(errOut, "either --region") {
		t.Errorf("conflicting flags: exit %d %q; want 2", code, errOut)
	}
}

func TestBadConfigNamesTheKey(t *testing.T) {
	for _, tc := range []struct{ key, value, want string }{
		{"SIGESS_DATABASE_URL", "mysql://x", "SIGESS_DATABASE_URL (database.url): must be a postgres:// URL"},
		{"SIGESS_REDIS_URL", "localhost:6379", "SIGESS_REDIS_URL (redis.url): must be a redis:// URL"},
		{"SIGESS_HTTP_ADDR", "eighty", "SIGESS_HTTP_ADDR (http.addr)"},
		{"SIGESS_BASE_DOMAIN", "Bad_Domain", "SIGESS_BASE_DOMAIN (http.base_domain)"},
		{"SIGESS_WORKER_CONCURRENCY", "many", "SIGESS_WORKER_CONCURRENCY (worker.concurrency): \"many\" is not a whole number"},
		{"SIGESS_LOG_LEVEL", "loud", "SIGESS_LOG_LEVEL (log.level)"},
	} {
		code, _, errOut := sigess(t, map[string]string{tc.key: tc.value}, "tenants", "list")
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if code != 1 || len(lines) != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s=%s: exit %d, stderr %q; want one line containing %q", tc.key, tc.value, code, errOut, tc.want)
		}
	}
}

func TestTenantsCommands(t *testing.T) {
	if code, out, errOut := sigess(t, nil, "migrate"); code != 0 || !strings.Contains(out, "schema at version") {
		t.Fatalf("migrate: %d %s %s", code, out, errOut)
	}
	dir := filepath.Join(testenv.RepoRoot(), "tenants")

	code, out, _ := sigess(t, nil, "tenants", "apply", dir, "--dry-run")
	if code != 0 || !strings.Contains(out, "+ create ente roma") || !strings.Contains(out, "dry run") {
		t.Fatalf("dry run: %d\n%s", code, out)
	}
	if _, out, _ := sigess(t, nil, "tenants", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("after a dry run the registry is not empty: %s", out)
	}
	if code, out, _ = sigess(t, nil, "tenants", "apply", dir); code != 0 || !strings.Contains(out, "applied") {
		t.Fatalf("apply: %d\n%s", code, out)
	}
	if code, out, _ = sigess(t, nil, "tenants", "apply", dir); code != 0 || !strings.HasPrefix(out, "nothing to change") {
		t.Errorf("second apply: %d\n%s; want nothing to change", code, out)
	}

	// A bad file: file, line and reason, and nothing applied.
	bad := t.TempDir()
	os.MkdirAll(filepath.Join(bad, "lazio"), 0o755)                                                                                            //nolint:errcheck
	os.WriteFile(filepath.Join(bad, "lazio", "_template.yaml"), []byte("region:\n  code: \"12\"\n  slug: lazio\n"), 0o644)                     //nolint:errcheck
	os.WriteFile(filepath.Join(bad, "lazio", "fondi.yaml"), []byte("slug: fondi\nname: Fondi\nkind: comune\nistat_code: \"059007\"\n"), 0o644) //nolint:errcheck
	os.WriteFile(filepath.Join(bad, "lazio", "gaeta.yaml"), []byte("slug: gaeta\nname: Gaeta\nkind: città\nistat_code: \"059009\"\n"), 0o644)  //nolint:errcheck
	code, _, errOut := sigess(t, nil, "tenants", "apply", bad)
	if code != 1 || !strings.Contains(errOut, "lazio/gaeta.yaml:3: kind \"città\" must be comune or ambito") {
		t.Errorf("bad file: exit %d, %q", code, errOut)
	}
	if _, out, _ := sigess(t, nil, "tenants", "list"); strings.Contains(out, "fondi") {
		t.Error("a run with a bad file applied its good file")
	}

	code, out, _ = sigess(t, nil, "tenants", "provision-istat", "--region", "12", "--province", "RI")
	if code != 0 || !strings.Contains(out, "73 comuni: 73 created, 0 already provisioned") {
		t.Errorf("provision Rieti: %d %s", code, out)
	}
	if _, out, _ = sigess(t, nil, "tenants", "provision-istat", "--region", "12", "--province", "RI"); !strings.Contains(out, "0 created, 73 already") {
		t.Errorf("provision Rieti again: %s", out)
	}

	_, out, _ = sigess(t, nil, "tenants", "list", "--region", "12", "--json")
	var items []map[string]any
	if err := json.Unmarshal([]byte(out), &items); err != nil {
		t.Fatal(err)
	}
	var roma map[string]any
	for _, it := range items {
		for _, k := range []string{"slug", "name", "istat_code", "belfiore_code", "region", "status"} {
			if _, ok := it[k]; !ok {
				t.Fatalf("list --json item lacks %s: %v", k, it)
			}
		}
		if it["slug"] == "roma" {
			roma = it
		}
	}
	if len(items) != 73+5 || roma["belfiore_code"] != "H501" || roma["region"] != "12" {
		t.Errorf("list: %d items, roma %v", len(items), roma)
	}

	if code, out, _ = sigess(t, nil, "tenants", "set", "roma", "waas.pdnd.audience=sigess-roma", "locale=en"); code != 0 || !strings.Contains(out, "roma updated") {
		t.Errorf("set: %d %s", code, out)
	}
	if code, _, errOut = sigess(t, nil, "tenants", "set", "roma", "branding.primary_color=#FFFFFF"); code != 1 || !strings.Contains(errOut, "contrast") {
		t.Errorf("set with a bad colour: %d %s", code, errOut)
	}
	if code, _, _ = sigess(t, nil, "tenants", "set", "roma", "noequals"); code != 2 {
		t.Errorf("set without =: exit %d; want 2", code)
	}
}
