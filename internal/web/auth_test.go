package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/tenancy"
)

func TestLoginWithPassword(t *testing.T) {
	a := newApp(t)
	acct := a.seed(t, "latina", false, "coordinator")
	c := a.client(t)

	// The home page of a logged-out operator is the ente's public page; a
	// protected page sends to the login.
	r := c.get("/t/latina/account")
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/t/latina/login?next=") {
		t.Fatalf("account page without a session: %d %s", r.Status, r.Location)
	}
	c.get("/t/latina/login")
	must(t, c.post("/t/latina/login", url.Values{"email": {acct.Email}, "password": {"sbagliata sbagliata"}}),
		http.StatusUnauthorized, "E-mail o password non corrette")
	must(t, c.post("/t/latina/login", url.Values{"email": {""}, "password": {""}}),
		http.StatusUnprocessableEntity, "Inserisci l&#39;e-mail", `aria-invalid="true"`)

	c.login("/t/latina", acct)
	must(t, c.get("/t/latina/"), http.StatusOK, "Benvenuto, Operatore latina", "Coordinatore")
	if k := c.sessionCookie("/t/latina/"); k == nil {
		t.Fatal("no session cookie for /t/latina/")
	}

	// Logout ends the session on the server, not only in the browser.
	tok := c.sessionCookie("/t/latina/").Value
	c.get("/t/latina/")
	r = c.post("/t/latina/logout", nil)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.Status)
	}
	if _, err := a.Sessions.Get(context.Background(), tok); err == nil {
		t.Error("the session still exists after logout")
	}
}

func TestLoginSetsSafeCookies(t *testing.T) {
	a := newApp(t)
	acct := a.seed(t, "latina", false, "social_worker")
	c := a.client(t)
	c.get("/t/latina/login")
	r := c.post("/t/latina/login", url.Values{"email": {acct.Email}, "password": {acct.Password}})
	var found bool
	for _, line := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(line, "sigess_session=") {
			found = true
			for _, want := range []string{"Path=/t/latina", "HttpOnly", "SameSite=Lax"} {
				if !strings.Contains(line, want) {
					t.Errorf("session cookie %q lacks %s", line, want)
				}
			}
		}
	}
	if !found {
		t.Fatal("no session cookie set at login")
	}
}

func TestSecondFactor(t *testing.T) {
	a := newApp(t)
	admin := a.seed(t, "latina", true, "tenant_admin")
	c := a.client(t)
	c.get("/t/latina/login")
	r := c.post("/t/latina/login", url.Values{"email": {admin.Email}, "password": {admin.Password}})
	if r.Location != "/t/latina/login/mfa" {
		t.Fatalf("after the password: %d %s; want the second factor", r.Status, r.Location)
	}
	first := c.sessionCookie("/t/latina/").Value
	// Half logged in is not logged in.
	if r := c.get("/t/latina/account"); r.Location != "/t/latina/login/mfa" {
		t.Errorf("account page before the second factor: %d %s", r.Status, r.Location)
	}
	c.get("/t/latina/login/mfa")
	must(t, c.post("/t/latina/login/mfa", url.Values{"code": {"000000"}}), http.StatusUnprocessableEntity, "Codice non valido")
	r = c.post("/t/latina/login/mfa", url.Values{"code": {code(t, admin.TOTP)}})
	if r.Status != http.StatusSeeOther || r.Location != "/t/latina/" {
		t.Fatalf("second factor: %d %s", r.Status, r.Location)
	}
	if c.sessionCookie("/t/latina/").Value == first {
		t.Error("the session token was not rotated at login")
	}
	if _, err := a.Sessions.Get(context.Background(), first); err == nil {
		t.Error("the pre-login token still works")
	}
	must(t, c.get("/t/latina/"), http.StatusOK, "Amministratore dell")
}

// TestEnrolmentIsMandatoryForAdmins: a tenant admin without a second factor
// must enrol before anything else, and gets recovery codes that work once.
func TestEnrolmentIsMandatoryForAdmins(t *testing.T) {
	a := newApp(t)
	admin := a.seed(t, "viterbo", false, "tenant_admin")
	c := a.client(t)
	c.get("/t/viterbo/login")
	r := c.post("/t/viterbo/login", url.Values{"email": {admin.Email}, "password": {admin.Password}})
	if r.Location != "/t/viterbo/mfa/setup" {
		t.Fatalf("after the password: %s; want the enrolment", r.Location)
	}
	if r := c.get("/t/viterbo/"); strings.Contains(r.Body, "Benvenuto") {
		t.Fatal("home page shown before the enrolment")
	}
	page := c.get("/t/viterbo/mfa/setup")
	m := regexp.MustCompile(`data-secret="([A-Z2-7]+)"`).FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no secret on the enrolment page\n%s", page.Body)
	}
	must(t, c.post("/t/viterbo/mfa/setup", url.Values{"code": {"123456"}}), http.StatusUnprocessableEntity, "Codice non valido")
	// A wrong code shows a new secret.
	m = regexp.MustCompile(`data-secret="([A-Z2-7]+)"`).FindStringSubmatch(c.last)
	r = c.post("/t/viterbo/mfa/setup", url.Values{"code": {code(t, m[1])}})
	must(t, r, http.StatusOK, "Codici di recupero")
	codes := regexp.MustCompile(`<code>([a-z0-9-]+)</code>`).FindAllStringSubmatch(r.Body, -1)
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes; want 10", len(codes))
	}
	must(t, c.get("/t/viterbo/"), http.StatusOK, "Benvenuto")

	// A recovery code replaces the app once.
	for i, want := range []int{http.StatusSeeOther, http.StatusUnprocessableEntity} {
		c2 := a.client(t)
		c2.get("/t/viterbo/login")
		c2.post("/t/viterbo/login", url.Values{"email": {admin.Email}, "password": {admin.Password}})
		c2.get("/t/viterbo/login/mfa")
		if r := c2.post("/t/viterbo/login/mfa", url.Values{"code": {codes[0][1]}}); r.Status != want {
			t.Errorf("recovery code, use %d: %d; want %d", i+1, r.Status, want)
		}
	}
}

func TestLockoutAfterFailures(t *testing.T) {
	a := newApp(t)
	acct := a.seed(t, "latina", false, "coordinator")
	c := a.client(t)
	c.get("/t/latina/login")
	var r response
	for range 5 {
		r = c.post("/t/latina/login", url.Values{"email": {acct.Email}, "password": {"non è questa la password"}})
	}
	must(t, r, http.StatusForbidden, "account è bloccato")
	// Locked even with the right password.
	must(t, c.post("/t/latina/login", url.Values{"email": {acct.Email}, "password": {acct.Password}}), http.StatusForbidden, "bloccato")

	// Failures and the lockout are in the ente's audit trail.
	ten, _ := svc.Get(context.Background(), "latina")
	var failures, lockouts int
	err := pg.DB.InTenant(context.Background(), ten.ID, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE action = 'auth.login_failed'),
			count(*) FILTER (WHERE action = 'auth.lockout') FROM audit_events WHERE actor = $1`, acct.Email).Scan(&failures, &lockouts)
	})
	if err != nil || failures < 5 || lockouts != 1 {
		t.Errorf("audit trail: %d failures, %d lockouts, err %v; want ≥5 and 1", failures, lockouts, err)
	}
}

func TestCSRF(t *testing.T) {
	a := newApp(t)
	acct := a.seed(t, "latina", false, "coordinator")
	c := a.client(t)
	c.get("/t/latina/login")
	r := c.post("/t/latina/login", url.Values{"csrf": {"forged"}, "email": {acct.Email}, "password": {acct.Password}})
	must(t, r, http.StatusForbidden, "Modulo scaduto")
	c.login("/t/latina", acct)
	c.get("/t/latina/account")
	// The pre-login token is not the session's.
	r = c.post("/t/latina/account/password", url.Values{"csrf": {"forged"}, "current_password": {acct.Password},
		"new_password": {"un'altra password lunga"}, "new_password_again": {"un'altra password lunga"}})
	must(t, r, http.StatusForbidden)
}

func TestPasswordChangeAndReset(t *testing.T) {
	a := newApp(t)
	acct := a.seed(t, "latina", false, "social_worker")
	c := a.client(t)
	c.login("/t/latina", acct)
	c.get("/t/latina/account")
	must(t, c.post("/t/latina/account/password", url.Values{"current_password": {acct.Password},
		"new_password": {"corta"}, "new_password_again": {"corta"}}), http.StatusUnprocessableEntity, "12")
	r := c.post("/t/latina/account/password", url.Values{"current_password": {acct.Password},
		"new_password": {"la mia nuova password lunga"}, "new_password_again": {"la mia nuova password lunga"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("password change: %d\n%s", r.Status, r.Body)
	}

	// Forgotten: the same answer for a known and an unknown e-mail; a mail job
	// in the outbox only for the known one.
	ten, _ := svc.Get(context.Background(), "latina")
	mails := func() int {
		var n int
		_ = pg.DB.InTenant(context.Background(), ten.ID, func(tx pgx.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE task_type = 'mail:send' AND payload->>'to' = $1`, acct.Email).Scan(&n)
		})
		return n
	}
	before := mails()
	anon := a.client(t)
	anon.get("/t/latina/password/forgot")
	must(t, anon.post("/t/latina/password/forgot", url.Values{"email": {"nessuno@latina.test.it"}}), http.StatusOK, "Se l&#39;e-mail")
	must(t, anon.post("/t/latina/password/forgot", url.Values{"email": {acct.Email}}), http.StatusOK, "Se l&#39;e-mail")
	if got := mails(); got != before+1 {
		t.Fatalf("reset mails queued: %d, want %d", got, before+1)
	}
	var text string
	_ = pg.DB.InTenant(context.Background(), ten.ID, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT payload->>'text' FROM outbox WHERE task_type = 'mail:send' AND payload->>'to' = $1
			ORDER BY created_at DESC LIMIT 1`, acct.Email).Scan(&text)
	})
	m := regexp.MustCompile(`(/t/latina/password/reset\?token=[A-Za-z0-9_-]+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no reset link in the mail:\n%s", text)
	}
	anon.get(m[1])
	r = anon.post("/t/latina/password/reset", url.Values{"token": {strings.TrimPrefix(m[1], "/t/latina/password/reset?token=")},
		"new_password": {"password ritrovata molto lunga"}, "new_password_again": {"password ritrovata molto lunga"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("reset: %d\n%s", r.Status, r.Body)
	}
	// The session opened before the reset is over.
	if r := c.get("/t/latina/account"); r.Status != http.StatusSeeOther {
		t.Errorf("old session after a reset: %d; want a redirect to login", r.Status)
	}
	acct.Password = "password ritrovata molto lunga"
	a.client(t).login("/t/latina", acct)
}

// TestSessionIsWorthlessOnAnotherEnte: the cookie is scoped to its ente's path,
// and even presented to another ente by hand it opens nothing there.
func TestSessionIsWorthlessOnAnotherEnte(t *testing.T) {
	a := newApp(t)
	acct := a.seed(t, "latina", false, "coordinator")
	c := a.client(t)
	c.login("/t/latina", acct)
	if k := c.sessionCookie("/t/viterbo/"); k != nil {
		t.Fatal("the browser sends latina's session cookie to viterbo")
	}
	tok := c.sessionCookie("/t/latina/").Value
	req, _ := http.NewRequest(http.MethodGet, a.URL+"/t/viterbo/account", nil)
	req.AddCookie(&http.Cookie{Name: "sigess_session", Value: tok})
	if r := a.client(t).do(req); r.Status != http.StatusNotFound {
		t.Errorf("latina's session on viterbo's account page: %d; want 404", r.Status)
	}
	// The home page stays the public one.
	req, _ = http.NewRequest(http.MethodGet, a.URL+"/t/viterbo/", nil)
	req.AddCookie(&http.Cookie{Name: "sigess_session", Value: tok})
	if r := a.client(t).do(req); r.Status != http.StatusOK || strings.Contains(r.Body, "Benvenuto") {
		t.Errorf("latina's session on viterbo's home: %d, logged in: %v", r.Status, strings.Contains(r.Body, "Benvenuto"))
	}
}

// TestEnteSettingMakesMFAMandatory: with security.mfa_required_for_all a
// social worker must enrol too.
func TestEnteSettingMakesMFAMandatory(t *testing.T) {
	a := newApp(t)
	acct := a.seed(t, "ambito-lt1", false, "social_worker")
	ctx := context.Background()
	if _, err := svc.SetSettings(ctx, "ambito-lt1", []tenancy.KeyValue{{Key: "security.mfa_required_for_all", Value: "true"}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = svc.SetSettings(ctx, "ambito-lt1", []tenancy.KeyValue{{Key: "security.mfa_required_for_all", Value: "false"}})
	})
	c := a.client(t)
	c.get("/t/ambito-lt1/login")
	r := c.post("/t/ambito-lt1/login", url.Values{"email": {acct.Email}, "password": {acct.Password}})
	if r.Location != "/t/ambito-lt1/mfa/setup" {
		t.Errorf("social worker of an ente requiring MFA: sent to %s; want the enrolment", r.Location)
	}
}
