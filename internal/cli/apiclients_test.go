package cli_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/apiclient"
	"github.com/sigess/sigess/internal/tenancy"
)

// TestAPIClients: `sigess api-clients create` prints credentials that work
// at the token endpoint's service, list shows the ente's clients, revoke
// ends one; mistakes are usage errors or name what is wrong.
func TestAPIClients(t *testing.T) {
	ctx := context.Background()
	own, env := withEnti(t)
	run := func(t *testing.T, args ...string) (int, string, string) {
		t.Helper()
		return sigess(t, env, args...)
	}

	code, out, errOut := run(t, "api-clients", "create", "--tenant", "roma", "--name", "Anagrafe",
		"--role", "intake_operator", "--role", "auditor", "--json")
	var cr struct {
		ClientID     string   `json:"client_id"`
		ClientSecret string   `json:"client_secret"`
		Tenant       string   `json:"tenant"`
		Roles        []string `json:"roles"`
	}
	if err := json.Unmarshal([]byte(out), &cr); code != 0 || err != nil {
		t.Fatalf("create --json: %d %v\n%s%s", code, err, out, errOut)
	}
	if diff := cmp.Diff([]string{"auditor", "intake_operator"}, cr.Roles); diff != "" || cr.Tenant != "roma" {
		t.Errorf("create --json: tenant %q, roles (-want +got):\n%s", cr.Tenant, diff)
	}
	roma, err := tenancy.NewService(own.DB, nil).Get(ctx, "roma")
	if err != nil {
		t.Fatal(err)
	}
	opt, _ := redis.ParseURL(redisURL)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	clients := apiclient.NewService(own.DB, rdb, apiclient.Options{KeyPrefix: "sigess-cli-test:"})
	if _, err := clients.IssueToken(ctx, roma.ID, cr.ClientID, cr.ClientSecret, ""); err != nil {
		t.Errorf("the printed credentials do not get a token: %v", err)
	}

	code, out, _ = run(t, "api-clients", "create", "--tenant", "roma", "--name", "Gestionale", "--role", "administrative")
	if code != 0 || !regexp.MustCompile(`client_id: +[0-9a-f-]{36}\nclient_secret: [A-Za-z0-9_-]{43}\n`).MatchString(out) {
		t.Errorf("create: %d\n%s", code, out)
	}

	if code, _, _ = run(t, "api-clients", "revoke", "--tenant", "latina", cr.ClientID); code != 1 {
		t.Errorf("revoke of roma's client on latina: exit %d; want 1 (not found)", code)
	}
	if code, out, errOut = run(t, "api-clients", "revoke", "--tenant", "roma", cr.ClientID); code != 0 {
		t.Errorf("revoke: %d\n%s%s", code, out, errOut)
	}
	if _, err := clients.IssueToken(ctx, roma.ID, cr.ClientID, cr.ClientSecret, ""); err == nil {
		t.Error("a revoked client still gets a token")
	}
	code, out, _ = run(t, "api-clients", "list", "--tenant", "roma")
	if code != 0 || !regexp.MustCompile(`(?m)^\S+ +Gestionale +administrative +active`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^`+cr.ClientID+` +Anagrafe +auditor,intake_operator +revoked`).MatchString(out) {
		t.Errorf("list: %d\n%s", code, out)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"api-clients", "create", "--tenant", "roma", "--name", "X"}, 2, "--role"},
		{[]string{"api-clients", "create", "--tenant", "roma", "--name", "X", "--role", "region_admin"}, 1, "ruolo sconosciuto: region_admin"},
		{[]string{"api-clients", "create", "--tenant", "nessuno", "--name", "X", "--role", "auditor"}, 1, ""},
		{[]string{"api-clients", "revoke", "--tenant", "roma", "non-un-id"}, 2, "not a client_id"},
		{[]string{"api-clients", "frobnicate"}, 2, "unknown subcommand"},
	} {
		code, _, errOut := run(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("sigess %v: exit %d %q; want %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
	for _, args := range [][]string{{"api-clients", "--help"}, {"api-clients", "create", "--help"}, {"api-clients", "list", "--help"}} {
		if code, out, _ := run(t, args...); code != 0 || !strings.Contains(out, "Usage: sigess api-clients") {
			t.Errorf("sigess %v: exit %d %q; want usage", args, code, out)
		}
	}
}
