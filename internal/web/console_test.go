package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/app"
	"github.com/sigess/sigess/internal/identity"
	"github.com/sigess/sigess/internal/istat"
	"github.com/sigess/sigess/internal/jobs"
	"github.com/sigess/sigess/internal/tenancy"
)

// consoleSeed creates an operator of a region (code) or, with region "", a
// platform administrator, enrolled in TOTP.
func (a *testApp) consoleSeed(t *testing.T, region string, roles ...string) account {
	t.Helper()
	acct := account{
		Email:    "c" + strings.ToLower(uuid.NewString()[:8]) + "@regione.test.it",
		Password: "una password lunga e sicura", TOTP: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
	}
	so := identity.SeedOperator{Region: region, Platform: region == "", Email: acct.Email, Name: "Operatore regionale",
		Password: acct.Password, TOTPSecret: acct.TOTP, Roles: roles}
	if _, err := a.Identity.Seed(context.Background(), so); err != nil {
		t.Fatal(err)
	}
	return acct
}

// consoleLombardy makes sure Lombardy and its ente Milano exist: the other
// region that Lazio's console must not reach.
func consoleLombardy(t *testing.T) *tenancy.Tenant {
	t.Helper()
	ctx := context.Background()
	if _, err := svc.Region(ctx, "03"); err != nil {
		if _, err := svc.CreateRegion(ctx, "03", "lombardia", "Lombardia"); err != nil && !errors.Is(err, tenancy.ErrConflict) {
			t.Fatal(err)
		}
	}
	milano, _ := istat.ByCode("015146")
	if _, err := svc.ProvisionISTAT(ctx, []istat.Comune{milano}, nil); err != nil {
		t.Fatal(err)
	}
	ten, err := svc.Get(ctx, "milano")
	if err != nil {
		t.Fatal(err)
	}
	return ten
}

var setupLinkRe = regexp.MustCompile(`id="setup-link-open" href="([^"]+)"|href="([^"]+)" id="setup-link-open"`)

// consoleSetupLink is the set-up link shown on a result page.
func consoleSetupLink(t *testing.T, body string) string {
	t.Helper()
	m := setupLinkRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no set-up link on the page\n%s", body)
	}
	link := m[1] + m[2]
	return strings.ReplaceAll(link, "&amp;", "&")
}

// consoleSetPassword follows a set-up link as its recipient would, sets a
// password and logs in; it returns where the login sent them.
func consoleSetPassword(t *testing.T, a *testApp, link, base, email string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(link, a.URL+base+"/password/reset?token=") {
		t.Fatalf("set-up link %q; want one under %s%s/password/reset", link, a.URL, base)
	}
	c := a.client(t)
	must(t, c.get(u.RequestURI()), http.StatusOK)
	const pw = "Corretto cavallo batteria 42"
	r := c.post(base+"/password/reset", url.Values{
		"token": {u.Query().Get("token")}, "new_password": {pw}, "new_password_again": {pw},
	})
	if r.Status != http.StatusSeeOther || r.Location != base+"/login?reset=1" {
		t.Fatalf("password set-up = %d %s\n%s", r.Status, r.Location, r.Body)
	}
	c.get(base + "/login")
	r = c.post(base+"/login", url.Values{"email": {email}, "password": {pw}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("first login = %d\n%s", r.Status, r.Body)
	}
	return r.Location
}

func TestRegionConsoleProvisionAndAssign(t *testing.T) {
	ctx := context.Background()
	a := newApp(t)
	admin := a.consoleSeed(t, "12", "region_admin")
	c := a.client(t)
	c.login("/r/lazio", admin)

	// The region's enti, and only them.
	consoleLombardy(t)
	r := c.get("/r/lazio/")
	must(t, r, http.StatusOK, `href="/r/lazio/enti/latina"`, `href="/r/lazio/enti/roma"`, `href="/r/lazio/provision"`)
	if strings.Contains(r.Body, "/enti/milano") {
		t.Error("Lazio's console lists Milano")
	}
	r = c.get("/r/lazio/?q=lati")
	must(t, r, http.StatusOK, `href="/r/lazio/enti/latina"`)
	if strings.Contains(r.Body, `/enti/roma"`) {
		t.Error("the search for 'lati' lists Roma")
	}

	// The form offers the region's comuni not yet provisioned.
	r = c.get("/r/lazio/provision")
	must(t, r, http.StatusOK, `<option value="060006"`, `<option value="RM"`)
	for _, absent := range []string{`<option value="058091"`, `<option value="015146"`, `<option value="MI"`} {
		if strings.Contains(r.Body, absent) {
			t.Errorf("provision form offers %s", absent)
		}
	}

	// Invalid requests: nothing is enqueued.
	for _, tc := range []struct {
		path, field, value, message string
	}{
		{"/r/lazio/provision/comune", "comune", "015146", "Il comune scelto non appartiene alla regione."},
		{"/r/lazio/provision/comune", "comune", "", "Scegliere un comune."},
		{"/r/lazio/provision/province", "province", "MI", "La provincia scelta non appartiene alla regione."},
		{"/r/lazio/provision/province", "province", "ZZ", "La provincia scelta non appartiene alla regione."},
	} {
		r := c.post(tc.path, url.Values{tc.field: {tc.value}})
		must(t, r, http.StatusUnprocessableEntity, `id="f-`+tc.field+`-error"`, tc.message)
	}
	if n := len(a.Jobs.Jobs); n != 0 {
		t.Fatalf("invalid requests enqueued %d jobs", n)
	}

	// One comune: the POST enqueues, the job provisions, the progress shows it.
	c.get("/r/lazio/provision")
	r = c.post("/r/lazio/provision/comune", url.Values{"comune": {"060006"}})
	if r.Status != http.StatusSeeOther || len(a.Jobs.Jobs) != 1 {
		t.Fatalf("provision = %d %s, %d jobs\n%s", r.Status, r.Location, len(a.Jobs.Jobs), r.Body)
	}
	job := a.Jobs.Jobs[0]
	if r.Location != "/r/lazio/provision/"+job.ID {
		t.Errorf("redirect to %s; want the job's progress page", r.Location)
	}
	var req tenancy.ProvisionRequest
	if err := json.Unmarshal(job.Payload, &req); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tenancy.ProvisionRequest{Region: "12", Comuni: []string{"060006"}}, req); job.Type != tenancy.TaskProvision || diff != "" {
		t.Errorf("job %s (-want +got):\n%s", job.Type, diff)
	}
	must(t, c.get(r.Location), http.StatusOK, `role="status"`, `aria-live="polite"`,
		`hx-get="/r/lazio/provision/`+job.ID+`/status"`, "In attesa di avvio")

	handle := app.ProvisionHandler(svc, a.Redis)
	if err := handle(ctx, jobs.Job{ID: uuid.MustParse(job.ID), Type: job.Type, Payload: job.Payload}); err != nil {
		t.Fatal(err)
	}
	r = c.get("/r/lazio/provision/" + job.ID + "/status")
	must(t, r, http.StatusOK, "Comuni elaborati: 1 su 1", "1 enti creati, 0 già attivati")
	if strings.Contains(r.Body, "hx-trigger") {
		t.Error("a finished job's fragment keeps polling")
	}
	anagni, err := svc.Get(ctx, "anagni")
	if err != nil || anagni.Region != "12" || anagni.ISTATCode != "060006" {
		t.Fatalf("Anagni after the job: %+v, %v", anagni, err)
	}
	if strings.Contains(c.get("/r/lazio/provision").Body, `<option value="060006"`) {
		t.Error("the form still offers a provisioned comune")
	}

	// Assign the ente's administrator: invalid input first.
	c.get("/r/lazio/enti/anagni")
	r = c.post("/r/lazio/enti/anagni/admins", url.Values{"email": {"non-una-email"}, "name": {""}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-email-error"`, `id="f-name-error"`, `value="non-una-email"`)
	if ms, err := a.Identity.Members(ctx, anagni.ID); err != nil || len(ms) != 0 {
		t.Fatalf("an invalid form wrote members: %v %v", ms, err)
	}
	email := "sindaco." + uuid.NewString()[:6] + "@anagni.test.it"
	r = c.post("/r/lazio/enti/anagni/admins", url.Values{"email": {email}, "name": {"Anna Rossi"}})
	must(t, r, http.StatusOK, "Anna Rossi", email)
	link := consoleSetupLink(t, r.Body)
	ms, err := a.Identity.Members(ctx, anagni.ID)
	if err != nil || len(ms) != 1 || !cmp.Equal(ms[0].Roles, []string{"tenant_admin"}) {
		t.Fatalf("members of Anagni: %+v, %v", ms, err)
	}
	var mails int
	err = pg.DB.InTenant(ctx, anagni.ID, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE tenant_id = $1`, anagni.ID).Scan(&mails)
	})
	if err != nil || mails != 1 {
		t.Errorf("Anagni's outbox holds %d jobs (%v); want the set-up mail", mails, err)
	}
	must(t, c.get("/r/lazio/enti/anagni"), http.StatusOK, "Anna Rossi", "In attesa della password")
	c.get("/r/lazio/enti/anagni")
	must(t, c.post("/r/lazio/enti/anagni/admins", url.Values{"email": {email}, "name": {"Anna Rossi"}}),
		http.StatusConflict, "già un operatore dell&#39;ente")

	if got := consoleSetPassword(t, a, link, "/t/anagni", email); got != "/t/anagni/mfa/setup" {
		t.Errorf("the new tenant admin's first login went to %s; want the TOTP enrolment", got)
	}

	// Suspend and reactivate.
	c.get("/r/lazio/enti/anagni")
	r = c.post("/r/lazio/enti/anagni/status", url.Values{"status": {"suspended"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("suspend = %d\n%s", r.Status, r.Body)
	}
	if got, _ := svc.Get(ctx, "anagni"); got.Status != tenancy.StatusSuspended {
		t.Errorf("status after suspension = %s", got.Status)
	}
	must(t, c.get(r.Location), http.StatusOK, "L&#39;ente è stato sospeso.", "Riattiva l&#39;ente")
	c.post("/r/lazio/enti/anagni/status", url.Values{"status": {"active"}})
	if got, _ := svc.Get(ctx, "anagni"); got.Status != tenancy.StatusActive {
		t.Errorf("status after reactivation = %s", got.Status)
	}
}

func TestProvisionJobStaysInItsRegion(t *testing.T) {
	ctx := context.Background()
	a := newApp(t)
	handle := app.ProvisionHandler(svc, a.Redis)
	tr := tenancy.ProvisionTracker{RDB: a.Redis}
	for _, tc := range []struct {
		name string
		req  tenancy.ProvisionRequest
	}{
		{"comune of another region", tenancy.ProvisionRequest{Region: "12", Comuni: []string{"060006", "015002"}}},
		{"province of another region", tenancy.ProvisionRequest{Region: "12", Province: "MI"}},
		{"nothing", tenancy.ProvisionRequest{Region: "12"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			payload, _ := json.Marshal(tc.req)
			id := uuid.New()
			err := handle(ctx, jobs.Job{ID: id, Type: tenancy.TaskProvision, Payload: payload})
			if !errors.Is(err, asynq.SkipRetry) || !errors.Is(err, tenancy.ErrInvalid) {
				t.Errorf("handler = %v; want an invalid request, not retried", err)
			}
			p, err := tr.Get(ctx, id.String())
			if err != nil || !p.Failed || !p.Finished || p.Done != 0 {
				t.Errorf("progress = %+v, %v; want failed and finished", p, err)
			}
		})
	}
	// 015002 is Albairate (MI): the mixed request above provisioned nothing.
	if _, err := svc.Get(ctx, "albairate"); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("Albairate was provisioned by Lazio's job: %v", err)
	}

	// A whole province, run twice: the second run creates nothing.
	payload, _ := json.Marshal(tenancy.ProvisionRequest{Region: "12", Province: "RI"})
	want := len(istat.Filter("12", "RI"))
	for i, wantCreated := range []int{want, 0} {
		id := uuid.New()
		if err := handle(ctx, jobs.Job{ID: id, Type: tenancy.TaskProvision, Payload: payload}); err != nil {
			t.Fatal(err)
		}
		p, _ := tr.Get(ctx, id.String())
		got := tenancy.ProvisionProgress{Region: "12", Province: "RI", Done: want, Total: want, Started: true, Finished: true,
			Created: wantCreated, Existing: want - wantCreated}
		if diff := cmp.Diff(got, *p); diff != "" {
			t.Errorf("run %d: progress (-want +got):\n%s", i+1, diff)
		}
	}
}

func TestRegionConsoleRefusals(t *testing.T) {
	ctx := context.Background()
	a := newApp(t)
	milano := consoleLombardy(t)
	admin := a.consoleSeed(t, "12", "region_admin")
	analyst := a.consoleSeed(t, "12", "region_analyst") // before the region's roles are loaded and cached
	c := a.client(t)
	c.login("/r/lazio", admin)

	// Another region's ente, job or console does not exist for Lazio.
	other := uuid.NewString()
	if err := (tenancy.ProvisionTracker{RDB: a.Redis}).Queued(ctx, other, tenancy.ProvisionProgress{Region: "03", Total: 1}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"/r/lazio/enti/milano", "/r/lazio/provision/" + other, "/r/lazio/provision/" + other + "/status",
		"/r/lazio/provision/nonunuuid", "/r/lazio/enti/atlantide",
	} {
		if r := c.get(path); r.Status != http.StatusNotFound || strings.Contains(r.Body, "Milano") {
			t.Errorf("GET %s = %d; want 404 without the ente\n%s", path, r.Status, r.Body)
		}
	}
	c.get("/r/lazio/")
	for _, path := range []string{"/r/lazio/enti/milano/admins", "/r/lazio/enti/milano/status"} {
		r := c.post(path, url.Values{"email": {"x@milano.test.it"}, "name": {"X"}, "status": {"suspended"}})
		if r.Status != http.StatusNotFound {
			t.Errorf("POST %s = %d; want 404", path, r.Status)
		}
	}
	if got, _ := svc.Get(ctx, "milano"); got.Status != tenancy.StatusActive {
		t.Error("Lazio's admin suspended Milano")
	}
	if ms, _ := a.Identity.Members(ctx, milano.ID); len(ms) != 0 {
		t.Errorf("Lazio's admin added members to Milano: %+v", ms)
	}

	// Lazio's session presented to Lombardy's console: 404; not presented
	// (the cookie's path is /r/lazio): the login page.
	req, _ := http.NewRequest(http.MethodGet, a.URL+"/r/lombardia/", nil)
	req.AddCookie(c.sessionCookie("/r/lazio/"))
	if r := c.do(req); r.Status != http.StatusNotFound {
		t.Errorf("Lazio's session on /r/lombardia/ = %d; want 404", r.Status)
	}
	if r := c.get("/r/lombardia/"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/r/lombardia/login") {
		t.Errorf("GET /r/lombardia/ = %d %s; want the login page", r.Status, r.Location)
	}
	// The platform console does not know a region's admin.
	if r := c.get("/admin/"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/admin/login") {
		t.Errorf("GET /admin/ = %d %s; want the login page", r.Status, r.Location)
	}

	// An analyst reads the list of enti and statistics, and changes nothing.
	ca := a.client(t)
	ca.login("/r/lazio", analyst)
	if r := ca.get("/r/lazio/"); r.Status != http.StatusOK || strings.Contains(r.Body, "/provision") {
		t.Errorf("analyst GET /r/lazio/ = %d; want the list without provisioning", r.Status)
	}
	if r := ca.get("/r/lazio/provision"); r.Status != http.StatusForbidden {
		t.Errorf("analyst GET /r/lazio/provision = %d %s; want 403", r.Status, r.Location)
	}
	ca.get("/r/lazio/account")
	if r := ca.post("/r/lazio/provision/province", url.Values{"province": {"VT"}}); r.Status != http.StatusForbidden {
		t.Errorf("analyst provisioning = %d; want 403", r.Status)
	}
	if n := len(a.Jobs.Jobs); n != 0 {
		t.Errorf("%d jobs enqueued by refused requests", n)
	}
}

func TestPlatformConsole(t *testing.T) {
	ctx := context.Background()
	a := newApp(t)
	admin := a.consoleSeed(t, "", "platform_admin")
	c := a.client(t)
	c.login("/admin", admin)
	must(t, c.get("/admin/"), http.StatusOK, `href="/admin/regions/12"`, "Lazio")

	// Create a region: invalid fields, then the region, then a duplicate.
	for _, tc := range []struct {
		form           url.Values
		status         int
		field, message string
	}{
		{url.Values{"code": {"5"}, "slug": {"veneto"}, "name": {"Veneto"}}, 422, "code", "codice ISTAT della regione, di due cifre"},
		{url.Values{"code": {"05"}, "slug": {"Veneto!"}, "name": {"Veneto"}}, 422, "slug", "Usare solo lettere minuscole"},
		{url.Values{"code": {"05"}, "slug": {"veneto"}, "name": {" "}}, 422, "name", "Il nome è obbligatorio."},
		{url.Values{"code": {"12"}, "slug": {"lazio-bis"}, "name": {"Lazio"}}, 409, "code", "Esiste già una regione"},
	} {
		r := c.post("/admin/regions", tc.form)
		must(t, r, tc.status, `id="f-`+tc.field+`-error"`, tc.message)
	}
	if _, err := svc.Region(ctx, "05"); !errors.Is(err, tenancy.ErrNotFound) {
		t.Fatalf("an invalid form created region 05: %v", err)
	}
	r := c.post("/admin/regions", url.Values{"code": {"05"}, "slug": {"veneto"}, "name": {"Veneto"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create region = %d\n%s", r.Status, r.Body)
	}
	must(t, c.get(r.Location), http.StatusOK, "Regione 05 registrata.", `href="/admin/regions/05"`)
	if reg, err := svc.Region(ctx, "veneto"); err != nil || reg.Name != "Veneto" {
		t.Fatalf("region veneto: %+v, %v", reg, err)
	}

	// Its administrator.
	must(t, c.get("/admin/regions/05"), http.StatusOK, "La regione non ha ancora amministratori.")
	must(t, c.post("/admin/regions/05/admins", url.Values{"email": {"x@veneto.test.it"}, "name": {"X"}, "role": {"tenant_admin"}}),
		http.StatusUnprocessableEntity, `id="f-role-error"`, "Scegliere il ruolo.")
	must(t, c.post("/admin/regions/05/admins", url.Values{"email": {""}, "name": {"X"}, "role": {"region_admin"}}),
		http.StatusUnprocessableEntity, `id="f-email-error"`)
	if ras, _ := a.Identity.RegionAdmins(ctx, "05"); len(ras) != 0 {
		t.Fatalf("invalid forms created region admins: %+v", ras)
	}
	email := "dirigente." + uuid.NewString()[:6] + "@veneto.test.it"
	r = c.post("/admin/regions/05/admins", url.Values{"email": {email}, "name": {"Marco Bianchi"}, "role": {"region_admin"}})
	must(t, r, http.StatusOK, "Marco Bianchi")
	link := consoleSetupLink(t, r.Body)
	ras, err := a.Identity.RegionAdmins(ctx, "05")
	if err != nil || len(ras) != 1 || !cmp.Equal(ras[0].Roles, []string{"region_admin"}) {
		t.Fatalf("admins of region 05: %+v, %v", ras, err)
	}
	must(t, c.get("/admin/regions/05"), http.StatusOK, email, "Amministratore regionale")
	if got := consoleSetPassword(t, a, link, "/r/veneto", email); got != "/r/veneto/mfa/setup" {
		t.Errorf("the new region admin's first login went to %s; want the TOTP enrolment", got)
	}

	if r := c.get("/admin/regions/99"); r.Status != http.StatusNotFound {
		t.Errorf("unknown region = %d; want 404", r.Status)
	}
}
