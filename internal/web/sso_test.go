package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sigess/sigess/internal/sso/ssotest"
	"github.com/sigess/sigess/internal/tenancy"
)

// TestSingleSignOn runs the OpenID Connect login of an ente against a real
// provider started here, and the tokens it must refuse.
func TestSingleSignOn(t *testing.T) {
	a := newApp(t)
	acct := a.seed(t, "latina", false, "social_worker")
	p := ssotest.NewProvider()
	t.Cleanup(p.Close)
	p.RegisterClient("sigess-latina", "segreto", a.URL+"/t/latina/sso/callback")
	p.AddUser(ssotest.User{Subject: "spid-1", Email: acct.Email, Name: "Operatore"})
	p.AddUser(ssotest.User{Subject: "spid-2", Email: "sconosciuto@example.it", Name: "Nessuno"})
	p.AddUser(ssotest.User{Subject: "spid-3", Email: acct.Email, Name: "Chiunque", Claims: map[string]any{"email_verified": false}})
	p.DefaultUser = "spid-1"

	ctx := context.Background()
	set := func(kv ...string) {
		var kvs []tenancy.KeyValue
		for i := 0; i+1 < len(kv); i += 2 {
			kvs = append(kvs, tenancy.KeyValue{Key: kv[i], Value: kv[i+1]})
		}
		if _, err := svc.SetSettings(ctx, "latina", kvs); err != nil {
			t.Fatal(err)
		}
	}
	set("sso.oidc.issuer", p.Issuer(), "sso.oidc.client_id", "sigess-latina",
		"sso.oidc.client_secret", "segreto", "sso.oidc.label", "Entra con SPID", "sso.oidc.enabled", "true")
	t.Cleanup(func() {
		set("sso.oidc.enabled", "false", "sso.oidc.issuer", "", "sso.oidc.client_id", "", "sso.oidc.client_secret", "")
	})
	time.Sleep(5 * time.Millisecond) // the resolver's cache

	// flow goes through the provider and returns the callback's response.
	flow := func(c *client) response {
		t.Helper()
		r := c.get("/t/latina/sso/start")
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, p.Issuer()) {
			t.Fatalf("sso start: %d %s", r.Status, r.Location)
		}
		req, _ := http.NewRequest(http.MethodGet, r.Location, nil)
		r = c.do(req)
		if !strings.HasPrefix(r.Location, a.URL+"/t/latina/sso/callback") {
			t.Fatalf("provider answered %d %s", r.Status, r.Location)
		}
		return c.get(strings.TrimPrefix(r.Location, a.URL))
	}

	c := a.client(t)
	must(t, c.get("/t/latina/login"), http.StatusOK, "Entra con SPID")
	r := flow(c)
	if r.Status != http.StatusSeeOther || r.Location != "/t/latina/" {
		t.Fatalf("callback: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	must(t, c.get("/t/latina/"), http.StatusOK, "Benvenuto")

	for _, tc := range []struct {
		name   string
		tamper func(map[string]any)
	}{
		{"wrong audience", func(c map[string]any) { c["aud"] = "un-altro-client" }},
		{"wrong issuer", func(c map[string]any) { c["iss"] = "https://impostore.example.it" }},
		{"expired token", func(c map[string]any) {
			c["exp"] = time.Now().Add(-time.Hour).Unix()
			c["iat"] = time.Now().Add(-2 * time.Hour).Unix()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.Tamper(tc.tamper)
			defer p.Tamper(nil)
			c := a.client(t)
			must(t, flow(c), http.StatusUnauthorized, "non riuscito")
			if r := c.get("/t/latina/account"); r.Status != http.StatusSeeOther {
				t.Errorf("logged in after a refused token: %d", r.Status)
			}
		})
	}

	t.Run("no operator with that e-mail", func(t *testing.T) {
		p.DefaultUser = "spid-2"
		defer func() { p.DefaultUser = "spid-1" }()
		must(t, flow(a.client(t)), http.StatusUnauthorized, "non corrisponde")
	})

	t.Run("an operator's e-mail the provider did not verify", func(t *testing.T) {
		p.DefaultUser = "spid-3"
		defer func() { p.DefaultUser = "spid-1" }()
		c := a.client(t)
		must(t, flow(c), http.StatusUnauthorized, "non ha verificato il tuo indirizzo e-mail")
		if r := c.get("/t/latina/account"); r.Status != http.StatusSeeOther {
			t.Errorf("logged in with an unverified e-mail: %d", r.Status)
		}
	})

	t.Run("state from another browser", func(t *testing.T) {
		c1, c2 := a.client(t), a.client(t)
		r := c1.get("/t/latina/sso/start")
		req, _ := http.NewRequest(http.MethodGet, r.Location, nil)
		r = c1.do(req)
		u, _ := url.Parse(r.Location)
		must(t, c2.get(u.RequestURI()), http.StatusUnauthorized, "non riuscito")
	})
}
