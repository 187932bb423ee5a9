package web_test

// The harness of the tests that log in: a Server with every service real
// (identity, sessions, authorization over the test database and Redis), served
// by httptest, and a browser-like client with a cookie jar that reads the CSRF
// token off the page it was shown, as a browser would.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp/totp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/access"
	"github.com/sigess/sigess/internal/agenda"
	"github.com/sigess/sigess/internal/apiclient"
	"github.com/sigess/sigess/internal/app"
	"github.com/sigess/sigess/internal/assessment"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/diary"
	"github.com/sigess/sigess/internal/documents"
	"github.com/sigess/sigess/internal/exports"
	"github.com/sigess/sigess/internal/households"
	"github.com/sigess/sigess/internal/identity"
	"github.com/sigess/sigess/internal/interventions"
	"github.com/sigess/sigess/internal/onboarding"
	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/plans"
	"github.com/sigess/sigess/internal/session"
	"github.com/sigess/sigess/internal/siuss"
	"github.com/sigess/sigess/internal/sso"
	"github.com/sigess/sigess/internal/tenancy"
	"github.com/sigess/sigess/internal/testenv"
	"github.com/sigess/sigess/internal/web"
)

// testApp is a running Server and the services behind it.
type testApp struct {
	URL      string
	Identity *identity.Service
	Clients  *apiclient.Service
	Authz    *authz.Enforcer
	Sessions *session.Store
	Redis    *redis.Client
	Jobs     *fakeJobs
	Server   *web.Server
}

// fakeJobs records the consoles' jobs instead of queueing them.
type fakeJobs struct {
	mu   sync.Mutex
	Jobs []fakeJob
}

type fakeJob struct {
	ID, Type string
	Payload  json.RawMessage
}

func (f *fakeJobs) EnqueueConsole(_ context.Context, taskType string, payload json.RawMessage) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := uuid.NewString()
	f.Jobs = append(f.Jobs, fakeJob{ID: id, Type: taskType, Payload: payload})
	return id, nil
}

// testDocumentMax is the documents' size limit in the tests.
const testDocumentMax = 1 << 20

// newApp starts a full Server on the package's database and a Redis namespace
// of its own.
func newApp(t *testing.T) *testApp {
	t.Helper()
	ctx := context.Background()
	redisURL, err := testenv.RedisURL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	prefix := "sigess-test-" + uuid.NewString()[:8] + ":"
	publish := authz.Publisher{RDB: rdb}
	var enf *authz.Enforcer
	ids := identity.NewService(pg.DB, rdb, identity.Options{
		KeyPrefix: prefix,
		Argon:     identity.ArgonParams{MemoryKiB: 1024, Time: 1, Threads: 1},
		Notify: func(ctx context.Context, scope db.Scope) {
			enf.Invalidate(scope)
			_ = publish.Changed(ctx, scope)
		},
	})
	clients := apiclient.NewService(pg.DB, rdb, apiclient.Options{KeyPrefix: prefix, Notify: func(ctx context.Context, scope db.Scope) {
		enf.Invalidate(scope)
		_ = publish.Changed(ctx, scope)
	}})
	enf, err = authz.NewEnforcer(pg.DB, app.Assignments{ids, clients}, authz.Options{Publish: publish.Changed})
	if err != nil {
		t.Fatal(err)
	}
	a := &testApp{Identity: ids, Clients: clients, Authz: enf, Sessions: session.NewStore(rdb, session.Options{KeyPrefix: prefix}), Redis: rdb, Jobs: &fakeJobs{}}
	// The resolver's cache is short so that settings changed by a test show.
	ppl := people.NewService(pg.DB) // one registry: households hook its merges
	cases := casefile.NewService(pg.DB, ppl)
	cases.UseTemplates(testTemplates())
	store, err := documents.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	docs := documents.NewService(pg.DB, store, cases, testDocumentMax)
	srv := httptest.NewUnstartedServer(nil)
	a.URL = "http://" + srv.Listener.Addr().String()
	reg := prometheus.NewRegistry()
	s, err := web.New(web.Options{
		BaseDomain: "sigess.example.it", PublicURL: a.URL,
		Tenants: tenancy.NewResolver(svc, time.Millisecond), Registry: svc,
		Identity: ids, APIClients: clients, People: ppl, Households: households.NewService(pg.DB, ppl), Cases: cases, Diary: diary.NewService(pg.DB, cases), Assessments: assessment.NewService(pg.DB, cases), Plans: plans.NewService(pg.DB, cases), Documents: docs, Accesses: access.NewService(pg.DB, ppl, cases), Sessions: a.Sessions, Authz: enf, SSO: sso.New(http.DefaultClient), Redis: rdb, Jobs: a.Jobs, Interventions: interventions.NewService(pg.DB, cases),
		Agenda:     agenda.NewService(pg.DB, cases),
		Exports:    exports.NewService(pg.DB, cases),
		Imports:    onboarding.NewService(pg.DB),
		SIUSS:      siuss.NewService(pg.DB),
		Catalog:    testCatalog(),
		Templates:  testTemplates(),
		Registerer: reg, Gatherer: reg, Version: "test", WorkflowTemplates: cases,
	})
	if err != nil {
		t.Fatal(err)
	}
	a.Server = s
	srv.Config.Handler = s.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return a
}

// account is a seeded operator's credentials.
type account struct {
	Email, Password, TOTP string
	ID                    uuid.UUID
}

// seed creates an operator of the ente slug with roles; withTOTP enrols it.
func (a *testApp) seed(t *testing.T, slug string, withTOTP bool, roles ...string) account {
	t.Helper()
	ctx := context.Background()
	ten, err := svc.Get(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	acct := account{Email: strings.ToLower(uuid.NewString()[:8]) + "@" + slug + ".test.it", Password: "una password lunga e sicura"}
	if withTOTP {
		acct.TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	}
	if _, err := a.Identity.Seed(ctx, identity.SeedOperator{
		Tenant: ten.ID, Email: acct.Email, Name: "Operatore " + slug, Password: acct.Password, TOTPSecret: acct.TOTP, Roles: roles,
	}); err != nil {
		t.Fatal(err)
	}
	op, err := a.Identity.OperatorForSSO(ctx, ten.ID, acct.Email, "")
	if err != nil {
		t.Fatal(err)
	}
	acct.ID = op.ID
	return acct
}

// client is a browser: a cookie jar, no automatic redirects, and the page it
// saw last (for its CSRF token).
type client struct {
	t    *testing.T
	app  *testApp
	http *http.Client
	last string
}

func (a *testApp) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, app: a, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is what a request returned.
type response struct {
	Status   int
	Location string
	Body     string
	Header   http.Header
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := response{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(b), Header: resp.Header}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		c.last = r.Body
	}
	return r
}

// get fetches path (relative to the server).
func (c *client) get(path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.app.URL+path, nil)
	return c.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// csrf is the token of the last page shown.
func (c *client) csrf() string {
	m := csrfField.FindStringSubmatch(c.last)
	if m == nil {
		return ""
	}
	return m[1]
}

// post submits form to path with the CSRF token of the last page shown.
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", c.csrf())
	}
	req, _ := http.NewRequest(http.MethodPost, c.app.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// code is the current TOTP code of a secret.
func code(t *testing.T, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// login logs acct in at base (/t/roma, /r/lazio, /admin), second factor
// included, and fails the test unless the home page follows.
func (c *client) login(base string, acct account) {
	c.t.Helper()
	c.get(base + "/login")
	r := c.post(base+"/login", url.Values{"email": {acct.Email}, "password": {acct.Password}})
	if r.Status != http.StatusSeeOther {
		c.t.Fatalf("login of %s at %s: %d\n%s", acct.Email, base, r.Status, r.Body)
	}
	if r.Location == base+"/login/mfa" {
		c.get(r.Location)
		r = c.post(base+"/login/mfa", url.Values{"code": {code(c.t, acct.TOTP)}})
		if r.Status != http.StatusSeeOther {
			c.t.Fatalf("second factor of %s: %d\n%s", acct.Email, r.Status, r.Body)
		}
	}
	if r.Location != base+"/" {
		c.t.Fatalf("login of %s ended at %s; want %s/", acct.Email, r.Location, base)
	}
}

// sessionCookie is the client's session cookie for path.
func (c *client) sessionCookie(path string) *http.Cookie {
	u, _ := url.Parse(c.app.URL + path)
	for _, k := range c.http.Jar.Cookies(u) {
		if k.Name == "sigess_session" {
			return k
		}
	}
	return nil
}

func must(t *testing.T, r response, status int, contains ...string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d\n%s", r.Status, status, r.Body)
	}
	for _, s := range contains {
		if !strings.Contains(r.Body, s) {
			t.Fatalf("body lacks %q\n%s", s, r.Body)
		}
	}
}
