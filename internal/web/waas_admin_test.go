package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sigess/sigess/internal/tenancy"
)

// TestAdminWaaSSettings: the ente admin sets the PDND verification of the
// WaaS feed on the security page; a JWKS address that is not https is
// refused next to its field, and nothing is saved.
func TestAdminWaaSSettings(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	t.Cleanup(func() {
		_, _ = svc.SetSettings(ctx, "viterbo", []tenancy.KeyValue{{Key: "waas.enabled", Value: "false"},
			{Key: "waas.pdnd.jwks_url", Value: ""}, {Key: "waas.pdnd.issuer", Value: ""}, {Key: "waas.pdnd.audience", Value: ""}})
	})
	_, c := a.adminOf(t, "viterbo")
	r := c.get("/t/viterbo/admin/security")
	must(t, r, http.StatusOK, `name="waas.pdnd.jwks_url"`, `for="f-waas-enabled"`)
	form := url.Values{"security.session_idle_minutes": {"30"}, "security.session_absolute_hours": {"12"}, "sso.oidc.match": {"email"},
		"waas.enabled": {"true"}, "waas.pdnd.jwks_url": {"http://pdnd.example.it/jwks.json"},
		"waas.pdnd.issuer": {"uat.interop.pagopa.it"}, "waas.pdnd.audience": {"https://sigess.example.it/t/viterbo/waas/v1"}}
	r = c.post("/t/viterbo/admin/security", form)
	if r.Status != http.StatusUnprocessableEntity || fieldError(r.Body, "waas.pdnd.jwks_url") == "" {
		t.Fatalf("http JWKS: %d %q", r.Status, fieldError(r.Body, "waas.pdnd.jwks_url"))
	}
	if ten, _ := svc.Get(ctx, "viterbo"); ten.Settings.WaaS.Enabled || ten.Settings.WaaS.PDND.Issuer != "" {
		t.Fatalf("a refused form saved something: %+v", ten.Settings.WaaS)
	}
	form.Set("waas.pdnd.jwks_url", "https://uat.interop.pagopa.it/.well-known/jwks.json")
	if r := c.post("/t/viterbo/admin/security", form); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", r.Status, r.Body)
	}
	ten, _ := svc.Get(ctx, "viterbo")
	want := tenancy.WaaS{Enabled: true, PDND: tenancy.PDND{JWKSURL: "https://uat.interop.pagopa.it/.well-known/jwks.json",
		Issuer: "uat.interop.pagopa.it", Audience: "https://sigess.example.it/t/viterbo/waas/v1"}}
	if ten.Settings.WaaS != want {
		t.Errorf("saved %+v, want %+v", ten.Settings.WaaS, want)
	}
	r = c.get("/t/viterbo/admin/security")
	if !strings.Contains(r.Body, "uat.interop.pagopa.it/.well-known/jwks.json") || !strings.Contains(r.Body, `id="f-waas-enabled" name="waas.enabled" value="true" checked`) {
		t.Error("the page does not show the saved WaaS settings")
	}
}
