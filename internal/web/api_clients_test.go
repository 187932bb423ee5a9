package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigess/sigess/internal/apiclient"
)

// newAPIClient creates an API client of the ente slug with roles.
func (a *testApp) newAPIClient(t *testing.T, slug string, roles ...string) *apiclient.Credentials {
	t.Helper()
	ctx := context.Background()
	ten, err := svc.Get(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := a.Clients.Create(ctx, ten.ID, apiclient.NewClient{Name: "Client " + strings.Repeat("x", len(roles)) + " " + t.Name(), Roles: roles},
		apiclient.Actor{Email: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return cr
}

// tokenRequest posts form to slug's token endpoint, with Basic credentials
// if user is not "".
func (a *testApp) tokenRequest(t *testing.T, slug string, form url.Values, user, pass string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.URL+"/t/"+slug+"/api/v1/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	return a.client(t).do(req)
}

// token gets an access token of cr from slug.
func (a *testApp) token(t *testing.T, slug string, cr *apiclient.Credentials) string {
	t.Helper()
	r := a.tokenRequest(t, slug, url.Values{"grant_type": {"client_credentials"}}, cr.ID.String(), cr.Secret)
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(r.Body), &body); r.Status != http.StatusOK || err != nil || body.AccessToken == "" {
		t.Fatalf("token: %d %v\n%s", r.Status, err, r.Body)
	}
	return body.AccessToken
}

// apiGet gets path with a bearer token ("" for none).
func (a *testApp) apiGet(t *testing.T, path, token string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return a.client(t).do(req)
}

func TestOAuthToken(t *testing.T) {
	a := newApp(t)
	cr := a.newAPIClient(t, "latina", "auditor")
	revoked := a.newAPIClient(t, "latina", "auditor", "coordinator")
	latina, _ := svc.Get(context.Background(), "latina")
	if err := a.Clients.Revoke(context.Background(), latina.ID, revoked.ID, apiclient.Actor{Email: "test"}); err != nil {
		t.Fatal(err)
	}
	grant := url.Values{"grant_type": {"client_credentials"}}
	post := func(id, secret string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	}
	for _, tc := range []struct {
		name       string
		slug       string
		form       url.Values
		user, pass string
		status     int
		error      string // "" = a token
		basicAuth  bool   // WWW-Authenticate: Basic expected
	}{
		{name: "client_secret_basic", slug: "latina", form: grant, user: cr.ID.String(), pass: cr.Secret, status: 200},
		{name: "client_secret_post", slug: "latina", form: post(cr.ID.String(), cr.Secret), status: 200},
		{name: "wrong secret, basic", slug: "latina", form: grant, user: cr.ID.String(), pass: "sbagliato", status: 401, error: "invalid_client", basicAuth: true},
		{name: "wrong secret, post", slug: "latina", form: post(cr.ID.String(), "sbagliato"), status: 401, error: "invalid_client"},
		{name: "no credentials", slug: "latina", form: grant, status: 401, error: "invalid_client"},
		{name: "revoked client", slug: "latina", form: post(revoked.ID.String(), revoked.Secret), status: 401, error: "invalid_client"},
		{name: "client of another ente", slug: "viterbo", form: post(cr.ID.String(), cr.Secret), status: 401, error: "invalid_client"},
		{name: "unsupported grant", slug: "latina", form: url.Values{"grant_type": {"password"}}, user: cr.ID.String(), pass: cr.Secret, status: 400, error: "unsupported_grant_type"},
		{name: "no grant", slug: "latina", form: url.Values{}, user: cr.ID.String(), pass: cr.Secret, status: 400, error: "invalid_request"},
		{name: "two methods", slug: "latina", form: post(cr.ID.String(), cr.Secret), user: cr.ID.String(), pass: cr.Secret, status: 400, error: "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := a.tokenRequest(t, tc.slug, tc.form, tc.user, tc.pass)
			var body map[string]any
			if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
				t.Fatalf("%d, not JSON: %v\n%s", r.Status, err, r.Body)
			}
			if r.Status != tc.status || r.Header.Get("Cache-Control") != "no-store" ||
				!strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				t.Errorf("status %d %q %q; want %d, no-store, application/json", r.Status,
					r.Header.Get("Cache-Control"), r.Header.Get("Content-Type"), tc.status)
			}
			if tc.error != "" {
				if body["error"] != tc.error || body["access_token"] != nil {
					t.Errorf("body %v; want error %q and no token", body, tc.error)
				}
				if got := r.Header.Get("WWW-Authenticate") != ""; got != tc.basicAuth {
					t.Errorf("WWW-Authenticate %q; want a Basic challenge: %v", r.Header.Get("WWW-Authenticate"), tc.basicAuth)
				}
				return
			}
			if body["token_type"] != "Bearer" || body["expires_in"] != float64(3600) || len(body["access_token"].(string)) < 43 {
				t.Errorf("body %v; want a Bearer token for 3600 s", body)
			}
		})
	}
}

func TestAPIBearer(t *testing.T) {
	a := newApp(t)
	cr := a.newAPIClient(t, "latina", "auditor", "intake_operator")
	tok := a.token(t, "latina", cr)

	r := a.apiGet(t, "/t/latina/api/v1/whoami", tok)
	var who struct {
		ClientID    string   `json:"client_id"`
		Name        string   `json:"name"`
		Roles       []string `json:"roles"`
		Permissions []string `json:"permissions"`
	}
	if err := json.Unmarshal([]byte(r.Body), &who); r.Status != http.StatusOK || err != nil {
		t.Fatalf("whoami: %d %v\n%s", r.Status, err, r.Body)
	}
	want := []string{"accesses:read", "accesses:write", "agenda:use", "audit:read", "cases:exists", "people:read", "people:write", "referrals:write"}
	if who.ClientID != cr.ID.String() || who.Name != cr.Name || !cmp.Equal(who.Roles, []string{"auditor", "intake_operator"}) {
		t.Errorf("whoami = %+v; want the client %s", who, cr.ID)
	}
	if diff := cmp.Diff(want, who.Permissions); diff != "" {
		t.Errorf("whoami permissions (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name, path, token string
		status            int
		challenge         string // WWW-Authenticate
	}{
		{"no token", "/t/latina/api/v1/whoami", "", 401, `Bearer realm="sigess"`},
		{"unknown token", "/t/latina/api/v1/whoami", tok + "x", 401, `Bearer realm="sigess", error="invalid_token"`},
		{"token of another ente", "/t/viterbo/api/v1/whoami", tok, 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := a.apiGet(t, tc.path, tc.token)
			if r.Status != tc.status || r.Header.Get("Content-Type") != "application/problem+json" ||
				r.Header.Get("WWW-Authenticate") != tc.challenge {
				t.Errorf("%d %q %q; want %d problem+json, challenge %q", r.Status, r.Header.Get("Content-Type"),
					r.Header.Get("WWW-Authenticate"), tc.status, tc.challenge)
			}
			if strings.Contains(r.Body, cr.ID.String()) || strings.Contains(r.Body, cr.Name) {
				t.Errorf("the refusal names the client:\n%s", r.Body)
			}
		})
	}

	// Revoked: the token it holds stops working at once.
	latina, _ := svc.Get(context.Background(), "latina")
	if err := a.Clients.Revoke(context.Background(), latina.ID, cr.ID, apiclient.Actor{Email: "test"}); err != nil {
		t.Fatal(err)
	}
	if r := a.apiGet(t, "/t/latina/api/v1/whoami", tok); r.Status != http.StatusUnauthorized {
		t.Errorf("token of a revoked client: %d; want 401", r.Status)
	}
}

// TestAPIRequire: on an API route, the client's roles decide as an
// operator's do.
func TestAPIRequire(t *testing.T) {
	a := newApp(t)
	auditor := a.newAPIClient(t, "latina", "auditor")
	tok := a.token(t, "latina", auditor)
	for _, tc := range []struct {
		perm   string
		status int
	}{
		{"audit:read", http.StatusNoContent},
		{"people:read", http.StatusForbidden},
	} {
		h := a.Server.APIPermissionHandler(tc.perm)
		req := httptest.NewRequest(http.MethodGet, "/t/latina/api/v1/test", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != tc.status {
			t.Errorf("route requiring %s: %d; want %d\n%s", tc.perm, w.Code, tc.status, w.Body)
		}
	}
}

var secretShown = regexp.MustCompile(`id="client-secret"[^>]*value="([A-Za-z0-9_-]{43})"`)
var idShown = regexp.MustCompile(`id="client-id"[^>]*value="([0-9a-f-]{36})"`)

func TestAdminAPIClients(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	latina, _ := svc.Get(ctx, "latina")
	admin := a.seed(t, "latina", true, "tenant_admin")
	c := a.client(t)
	c.login("/t/latina", admin)
	count := func() int {
		cs, err := a.Clients.List(ctx, latina.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	before := count()

	must(t, c.get("/t/latina/admin"), http.StatusOK, `/t/latina/admin/api-clients"`)
	must(t, c.get("/t/latina/admin/api-clients"), http.StatusOK, "<h1>Client API</h1>")
	must(t, c.get("/t/latina/admin/api-clients/new"), http.StatusOK, `name="roles" value="auditor"`)

	// Invalid: each message next to its field, nothing written.
	for _, tc := range []struct {
		name string
		form url.Values
		want []string
	}{
		{"nothing", url.Values{}, []string{`id="f-name-error"`, "Il nome è obbligatorio.", `id="f-roles-error"`, "Scegli almeno un ruolo."}},
		{"no role", url.Values{"name": {"Anagrafe"}}, []string{"Scegli almeno un ruolo.", `value="Anagrafe"`}},
		{"unknown role", url.Values{"name": {"Anagrafe"}, "roles": {"region_admin"}}, []string{`id="f-roles-error"`, "region_admin"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.get("/t/latina/admin/api-clients/new")
			r := c.post("/t/latina/admin/api-clients", tc.form)
			must(t, r, http.StatusUnprocessableEntity, tc.want...)
			if n := count(); n != before {
				t.Errorf("%d clients after an invalid form; want %d", n, before)
			}
		})
	}

	c.get("/t/latina/admin/api-clients/new")
	r := c.post("/t/latina/admin/api-clients", url.Values{"name": {"Anagrafe comunale"}, "roles": {"auditor", "intake_operator"}})
	must(t, r, http.StatusOK, "Anagrafe comunale", "/t/latina/api/v1/oauth/token")
	ms, mi := secretShown.FindStringSubmatch(r.Body), idShown.FindStringSubmatch(r.Body)
	if ms == nil || mi == nil || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("credentials not shown once (no-store):\n%s", r.Body)
	}
	cr := &apiclient.Credentials{Secret: ms[1]}
	if err := cr.ID.UnmarshalText([]byte(mi[1])); err != nil {
		t.Fatal(err)
	}
	tok := a.token(t, "latina", cr) // the credentials shown work
	list := c.get("/t/latina/admin/api-clients")
	must(t, list, http.StatusOK, "Anagrafe comunale", mi[1], "Revisore (DPO), Operatore di accoglienza")
	if strings.Contains(list.Body, ms[1]) {
		t.Error("the list shows the secret again")
	}

	// Revoke: the token and the secret stop working.
	r = c.post("/t/latina/admin/api-clients/"+mi[1]+"/revoke", nil)
	if r.Status != http.StatusSeeOther || r.Location != "/t/latina/admin/api-clients?done=api_client_revoked" {
		t.Fatalf("revoke: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	must(t, c.get(r.Location), http.StatusOK, "Client API revocato", "Revocato")
	if r := a.apiGet(t, "/t/latina/api/v1/whoami", tok); r.Status != http.StatusUnauthorized {
		t.Errorf("token after revoking: %d; want 401", r.Status)
	}
	if r := a.tokenRequest(t, "latina", url.Values{"grant_type": {"client_credentials"}}, mi[1], ms[1]); r.Status != http.StatusUnauthorized {
		t.Errorf("secret after revoking: %d; want 401", r.Status)
	}

	// Another ente's client cannot be revoked from here: 404, and it stays.
	other := a.newAPIClient(t, "viterbo", "auditor")
	c.get("/t/latina/admin/api-clients")
	must(t, c.post("/t/latina/admin/api-clients/"+other.ID.String()+"/revoke", nil), http.StatusNotFound)
	a.token(t, "viterbo", other)
	// Nor seen: another ente's pages are 404 to this session (sent there by
	// hand: the browser keeps the cookie to /t/latina).
	req, _ := http.NewRequest(http.MethodGet, a.URL+"/t/viterbo/admin/api-clients", nil)
	req.AddCookie(c.sessionCookie("/t/latina/"))
	must(t, a.client(t).do(req), http.StatusNotFound)

	// Without api_clients:manage: 403.
	coord := a.seed(t, "latina", false, "coordinator")
	cc := a.client(t)
	cc.login("/t/latina", coord)
	must(t, cc.get("/t/latina/admin/api-clients"), http.StatusForbidden)
	cc.get("/t/latina/")
	must(t, cc.post("/t/latina/admin/api-clients", url.Values{"name": {"X"}, "roles": {"auditor"}}), http.StatusForbidden)
}
