package cli_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestDemoLogins: `sigess demo` creates one operator per built-in role for every
// demo ente, a regional and a platform admin; --json prints them; a second
// run changes nothing; `operators add` bootstraps an administrator.
func TestDemoLogins(t *testing.T) {
	if code, _, errOut := sigess(t, nil, "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	env := map[string]string{"SIGESS_DEMO_PASSWORD": "password demo di prova"}
	code, out, errOut := sigess(t, env, "demo")
	if code != 0 || !strings.Contains(out, "admin.roma@demo.sigess.it") || !strings.Contains(out, "password demo di prova") {
		t.Fatalf("demo: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = sigess(t, env, "demo", "--json")
	var logins []struct {
		Tenant, Region, Role, Email, Password string
		TOTPSecret                            string `json:"totp_secret"`
	}
	if err := json.Unmarshal([]byte(out), &logins); code != 0 || err != nil {
		t.Fatalf("demo --json: %d %v\n%s", code, err, out)
	}
	perEnte := map[string]int{}
	for _, l := range logins {
		if l.Password != "password demo di prova" {
			t.Errorf("%s: password %q", l.Email, l.Password)
		}
		// Consoles always ask for a second factor; enti only of their admins.
		mfa := l.Role == "tenant_admin" || l.Region != "" || l.Role == "platform_admin"
		if mfa != (l.TOTPSecret != "") || (l.TOTPSecret != "" && !regexp.MustCompile(`^[A-Z2-7]{32}$`).MatchString(l.TOTPSecret)) {
			t.Errorf("%s (%s): totp_secret %q", l.Email, l.Role, l.TOTPSecret)
		}
		if l.Tenant != "" {
			perEnte[l.Tenant]++
		}
	}
	for _, slug := range []string{"roma", "latina", "viterbo", "bagnoregio", "ambito-lt1"} {
		if perEnte[slug] != 6 {
			t.Errorf("%s: %d demo operators, want one per built-in role (6)", slug, perEnte[slug])
		}
	}
	if _, out, _ = sigess(t, env, "demo"); !strings.Contains(out, "(0 demo accounts created now") {
		t.Errorf("second demo run created accounts:\n%s", out)
	}

	code, out, errOut = sigess(t, nil, "operators", "add", "--platform", "--email", "Capo@Example.it", "--name", "Capo")
	if code != 0 || !regexp.MustCompile(`/admin/password/reset\?token=[A-Za-z0-9_-]{20,}`).MatchString(out) {
		t.Errorf("operators add --platform: %d\n%s%s", code, out, errOut)
	}
	code, out, _ = sigess(t, nil, "operators", "add", "--region", "lazio", "--email", "dirigente@regione.lazio.it", "--name", "Dirigente")
	if code != 0 || !strings.Contains(out, "/r/lazio/password/reset?token=") {
		t.Errorf("operators add --region: %d\n%s", code, out)
	}
	if code, _, _ = sigess(t, nil, "operators", "add", "--email", "x@example.it", "--name", "X"); code != 2 {
		t.Errorf("operators add without a scope: exit %d, want 2", code)
	}
}
