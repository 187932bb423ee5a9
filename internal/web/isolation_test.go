package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/identity"
)

// publicRoutes answer everyone: the ente's public page, the login steps, the
// password reset, single sign-on and the coat of arms. With another ente's
// session they still show nothing of anyone (checked below).
var publicRoutes = map[string]bool{
	"/":                true,
	"/login":           true,
	"/login/mfa":       true,
	"/mfa/setup":       true,
	"/logout":          true,
	"/password/forgot": true,
	"/password/reset":  true,
	"/sso/start":       true,
	"/sso/callback":    true,
	"/assets/logo":     true,
	"/api/v1/ente":     true,
	// The API's description: the same for every ente.
	"/api/v1/openapi.json": true,
	// The token endpoint answers anyone's credentials; a client of another
	// ente is invalid_client there (TestOAuthToken).
	"/api/v1/oauth/token": true,
}

// TestEveryRouteIsolatesEnti walks every registered route of an ente and of a
// region's console with a session of another ente (or region): protected
// routes answer 404, public ones show no operator's data.
func TestEveryRouteIsolatesEnti(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	latina := a.seed(t, "latina", true, "tenant_admin", "auditor", "coordinator")
	viterboOp := a.seed(t, "viterbo", false, "coordinator")
	c := a.client(t)
	c.login("/t/latina", latina)
	latinaCookie := c.sessionCookie("/t/latina/")

	lazio := account{Email: "regione." + uuid.NewString()[:6] + "@lazio.test.it", Password: "una password lunga e sicura", TOTP: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}
	if _, err := a.Identity.Seed(ctx, identity.SeedOperator{Region: "12", Email: lazio.Email, Name: "Regione Lazio",
		Password: lazio.Password, TOTPSecret: lazio.TOTP, Roles: []string{"region_admin"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateRegion(ctx, "03", "lombardia", "Lombardia"); err != nil && !strings.Contains(err.Error(), "exists") {
		t.Fatal(err)
	}
	rc := a.client(t)
	rc.login("/r/lazio", lazio)
	lazioCookie := rc.sessionCookie("/r/lazio/")

	// The API ignores cookies: it is walked with a bearer token of latina,
	// which must get 404 on viterbo as the session does on its pages.
	apiToken := a.token(t, "latina", a.newAPIClient(t, "latina", "tenant_admin"))

	walked := 0
	for _, rt := range a.Server.Routes() {
		var prefix, rest string
		var cookie *http.Cookie
		switch {
		case strings.HasPrefix(rt.Path, "/t/:slug"):
			prefix, rest, cookie = "/t/viterbo", strings.TrimPrefix(rt.Path, "/t/:slug"), latinaCookie
		case strings.HasPrefix(rt.Path, "/r/:region"):
			prefix, rest, cookie = "/r/lombardia", strings.TrimPrefix(rt.Path, "/r/:region"), lazioCookie
		case strings.HasPrefix(rt.Path, "/admin"):
			prefix, rest, cookie = "/admin", strings.TrimPrefix(rt.Path, "/admin"), lazioCookie
		default:
			continue
		}
		if rest == "" {
			rest = "/"
		}
		path := prefix + fillParams(rest, viterboOp.ID.String())
		t.Run(rt.Method+" "+path, func(t *testing.T) {
			walked++
			var body *strings.Reader
			if rt.Method == http.MethodGet {
				body = strings.NewReader("")
			} else {
				body = strings.NewReader(url.Values{"csrf": {c.csrf()}, "email": {"x@example.it"}, "name": {"x"}}.Encode())
			}
			req, _ := http.NewRequest(rt.Method, a.URL+path, body)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(cookie)
			if strings.HasPrefix(rest, "/api/") {
				req.Header.Set("Authorization", "Bearer "+apiToken)
			}
			r := a.client(t).do(req)
			if publicRoutes[rest] {
				if r.Status == http.StatusOK && (strings.Contains(r.Body, "Benvenuto") || strings.Contains(r.Body, latina.Email)) {
					t.Errorf("public page shows the other scope's operator:\n%s", r.Body)
				}
				return
			}
			if r.Status != http.StatusNotFound {
				t.Errorf("%d; want 404", r.Status)
			}
			if strings.Contains(r.Body, viterboOp.Email) {
				t.Error("the 404 page carries data of the ente")
			}
		})
	}
	if walked < 10 {
		t.Fatalf("walked %d routes; the router lists too few", walked)
	}
}

// fillParams puts a value in each :param of a route pattern.
func fillParams(pattern, id string) string {
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || strings.HasPrefix(p, "*") {
			parts[i] = id
		}
	}
	return strings.Join(parts, "/")
}
