package web_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/tenancy"
)

// adminOf seeds a tenant admin of slug (with TOTP) and logs it in.
func (a *testApp) adminOf(t *testing.T, slug string, roles ...string) (account, *client) {
	t.Helper()
	acct := a.seedFresh(t, slug, true, append([]string{"tenant_admin"}, roles...)...)
	c := a.client(t)
	c.login("/t/"+slug, acct)
	return acct, c
}

// seedFresh seeds an operator and drops the ente's cached authorization:
// the harness's identity service announces role changes on Redis, which no
// enforcer of the harness listens to.
func (a *testApp) seedFresh(t *testing.T, slug string, withTOTP bool, roles ...string) account {
	t.Helper()
	acct := a.seed(t, slug, withTOTP, roles...)
	a.fresh(t, slug)
	return acct
}

// fresh drops the cached authorization of slug (see seedFresh).
func (a *testApp) fresh(t *testing.T, slug string) {
	a.Authz.Invalidate(db.Scope{Tenant: tenantID(t, slug)})
}

func tenantID(t *testing.T, slug string) uuid.UUID {
	t.Helper()
	ten, err := svc.Get(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return ten.ID
}

// fieldError is the message shown next to a form field, "" if none.
func fieldError(body, field string) string {
	m := regexp.MustCompile(`id="f-` + regexp.QuoteMeta(field) + `-error"[^>]*>([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func newEmail(slug string) string { return "op-" + uuid.NewString()[:8] + "@" + slug + ".test.it" }

// TestAdminCreatesOperatorWithPassword: the new operator can log in with the
// initial password the admin chose.
func TestAdminCreatesOperatorWithPassword(t *testing.T) {
	a := newApp(t)
	_, c := a.adminOf(t, "roma")
	must(t, c.get("/t/roma/admin"), http.StatusOK, "/t/roma/admin/operators", "/t/roma/admin/units", "/t/roma/admin/roles")
	must(t, c.get("/t/roma/admin/operators/new"), http.StatusOK, `name="roles" value="coordinator"`)
	op := account{Email: newEmail("roma"), Password: "una password iniziale robusta"}
	r := c.post("/t/roma/admin/operators", url.Values{
		"email": {op.Email}, "name": {"Anna Bianchi"}, "profile": {"Assistente sociale"},
		"roles": {"social_worker"}, "credential": {"password"}, "password": {op.Password},
	})
	must(t, r, http.StatusOK, "Creato l&#39;account di "+op.Email)
	if strings.Contains(r.Body, "/password/reset?token=") {
		t.Error("a set-up link was issued although an initial password was given")
	}
	must(t, c.get("/t/roma/admin/operators"), http.StatusOK, "Anna Bianchi", op.Email, "Assistente sociale")

	a.fresh(t, "roma")
	oc := a.client(t)
	oc.login("/t/roma", op)
	must(t, oc.get("/t/roma/"), http.StatusOK, "Anna Bianchi")
}

// TestAdminCreatesOperatorWithSetupLink: by default the operator gets a
// set-up link by mail (an outbox row) and the admin sees it too; an e-mail
// with an account already gets a membership, and no link.
func TestAdminCreatesOperatorWithSetupLink(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	_, c := a.adminOf(t, "roma")
	email := newEmail("roma")
	c.get("/t/roma/admin/operators/new")
	r := c.post("/t/roma/admin/operators", url.Values{"email": {email}, "name": {"Luca Verdi"}, "roles": {"intake_operator"}, "credential": {"link"}})
	must(t, r, http.StatusOK, a.URL+"/t/roma/password/reset?token=")
	var mails int
	roma := tenantID(t, "roma")
	if err := pg.DB.InTenant(ctx, roma, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE tenant_id = $1 AND payload->>'to' = $2`, roma, email).Scan(&mails)
	}); err != nil {
		t.Fatal(err)
	}
	if mails != 1 {
		t.Errorf("outbox mails to %s = %d; want 1", email, mails)
	}

	// The same account added to another ente: a membership, said so.
	_, lc := a.adminOf(t, "latina")
	lc.get("/t/latina/admin/operators/new")
	r = lc.post("/t/latina/admin/operators", url.Values{"email": {email}, "name": {"ignored"}, "roles": {"coordinator"}})
	must(t, r, http.StatusOK, "aveva già un account")
	if strings.Contains(r.Body, "token=") {
		t.Error("a set-up link was issued for an existing account")
	}
}

// TestAdminOperatorInvalid: bad input is shown next to its field and nothing
// is created.
func TestAdminOperatorInvalid(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	_, c := a.adminOf(t, "roma")
	for _, tc := range []struct {
		name  string
		form  url.Values
		field string
		want  string
	}{
		{"bad e-mail", url.Values{"email": {"non-una-mail"}, "name": {"X"}, "roles": {"coordinator"}}, "email", "Indirizzo e-mail non valido."},
		{"no role", url.Values{"email": {newEmail("roma")}, "name": {"X"}}, "roles", "Scegli almeno un ruolo."},
		{"unknown role", url.Values{"email": {newEmail("roma")}, "name": {"X"}, "roles": {"region_admin"}}, "roles", "ruolo sconosciuto: region_admin"},
		{"weak password", url.Values{"email": {newEmail("roma")}, "name": {"X"}, "roles": {"coordinator"}, "credential": {"password"}, "password": {"corta"}}, "password", "La password deve avere almeno 12 caratteri."},
		{"no name", url.Values{"email": {newEmail("roma")}, "roles": {"coordinator"}}, "name", "Il nome è obbligatorio."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.get("/t/roma/admin/operators/new")
			r := c.post("/t/roma/admin/operators", tc.form)
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d; want 422", r.Status)
			}
			if got := fieldError(r.Body, tc.field); !strings.Contains(got, tc.want) {
				t.Errorf("error next to %s = %q; want %q", tc.field, got, tc.want)
			}
			if tc.form.Get("email") != "non-una-mail" && !strings.Contains(r.Body, `value="`+tc.form.Get("email")+`"`) {
				t.Error("the form is not refilled")
			}
			if ok, err := a.Identity.HasAccount(ctx, tc.form.Get("email")); err != nil || ok {
				t.Errorf("an account was created (%v, %v)", ok, err)
			}
		})
	}
}

// TestAdminOperatorEdit: roles, status and MFA reset; an admin cannot shut
// itself out.
func TestAdminOperatorEdit(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	admin, c := a.adminOf(t, "roma")
	op := a.seedFresh(t, "roma", true, "social_worker")
	path := "/t/roma/admin/operators/" + op.ID.String()
	must(t, c.get(path), http.StatusOK, "Operatore roma", `value="social_worker" checked`)
	r := c.post(path, url.Values{"name": {"Nuovo Nome"}, "roles": {"coordinator"}, "status": {"disabled"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", r.Status, r.Body)
	}
	scope := db.Scope{Tenant: tenantID(t, "roma")}
	a.fresh(t, "roma")
	if roles, _ := a.Authz.RolesOf(ctx, op.ID, scope); len(roles) != 0 {
		t.Errorf("a disabled member still has roles %v", roles)
	}
	m, err := a.Identity.Member(ctx, scope.Tenant, op.ID)
	if err != nil || m.Name != "Nuovo Nome" || m.MembershipStatus != "disabled" || strings.Join(m.Roles, ",") != "coordinator" {
		t.Errorf("member after update = %+v, %v", m, err)
	}
	c.get(path)
	must(t, c.post(path+"/mfa/reset", nil), http.StatusSeeOther)
	if m, _ := a.Identity.Member(ctx, scope.Tenant, op.ID); m.MFAEnabled {
		t.Error("MFA still on after reset")
	}

	self := "/t/roma/admin/operators/" + admin.ID.String()
	for _, tc := range []struct {
		name  string
		form  url.Values
		field string
	}{
		{"disable oneself", url.Values{"name": {"A"}, "roles": {"tenant_admin"}, "status": {"disabled"}}, "status"},
		{"drop own admin role", url.Values{"name": {"A"}, "roles": {"coordinator"}, "status": {"active"}}, "roles"},
	} {
		c.get(self)
		r := c.post(self, tc.form)
		if r.Status != http.StatusUnprocessableEntity || fieldError(r.Body, tc.field) == "" {
			t.Errorf("%s: %d, error next to %s: %q", tc.name, r.Status, tc.field, fieldError(r.Body, tc.field))
		}
	}
	if roles, _ := a.Authz.RolesOf(ctx, admin.ID, scope); strings.Join(roles, ",") != "tenant_admin" {
		t.Errorf("admin's roles became %v", roles)
	}
}

// TestAdminRefusals: operators without the permission get 403; another
// ente's operator is not found, by URL and by session.
func TestAdminRefusals(t *testing.T) {
	a := newApp(t)
	coord := a.seedFresh(t, "roma", false, "coordinator")
	cc := a.client(t)
	cc.login("/t/roma", coord)
	for _, p := range []string{"/t/roma/admin", "/t/roma/admin/operators", "/t/roma/admin/units", "/t/roma/admin/roles", "/t/roma/admin/branding", "/t/roma/admin/security", "/t/roma/audit"} {
		if r := cc.get(p); r.Status != http.StatusForbidden {
			t.Errorf("coordinator GET %s = %d; want 403", p, r.Status)
		}
	}
	cc.get("/t/roma/")
	if r := cc.post("/t/roma/admin/operators", url.Values{"email": {newEmail("roma")}, "name": {"X"}, "roles": {"tenant_admin"}}); r.Status != http.StatusForbidden {
		t.Errorf("coordinator creating an operator = %d; want 403", r.Status)
	}

	_, rc := a.adminOf(t, "roma")
	latinaOp := a.seedFresh(t, "latina", false, "coordinator")
	latinaPath := "/admin/operators/" + latinaOp.ID.String()
	// Roma's URL, Roma's session, Latina's operator.
	if r := rc.get("/t/roma" + latinaPath); r.Status != http.StatusNotFound || strings.Contains(r.Body, latinaOp.Email) {
		t.Errorf("roma admin on latina's operator via roma = %d", r.Status)
	}
	rc.get("/t/roma/admin")
	if r := rc.post("/t/roma"+latinaPath, url.Values{"name": {"X"}, "roles": {"coordinator"}, "status": {"disabled"}}); r.Status != http.StatusNotFound {
		t.Errorf("roma admin updating latina's operator = %d; want 404", r.Status)
	}
	// Latina's URL with Roma's session cookie.
	req, _ := http.NewRequest(http.MethodGet, a.URL+"/t/latina"+latinaPath, nil)
	req.AddCookie(rc.sessionCookie("/t/roma/"))
	if r := a.client(t).do(req); r.Status != http.StatusNotFound || strings.Contains(r.Body, latinaOp.Email) {
		t.Errorf("roma's session on latina's operator = %d; want 404", r.Status)
	}
	if m, err := a.Identity.Member(context.Background(), tenantID(t, "latina"), latinaOp.ID); err != nil || m.MembershipStatus != "active" {
		t.Errorf("latina's operator changed: %+v %v", m, err)
	}
}

// TestAdminCustomRole: a custom role saved and assigned grants its
// permission; while assigned it cannot be deleted.
func TestAdminCustomRole(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	_, c := a.adminOf(t, "roma")
	name := "lettore_" + strings.ReplaceAll(uuid.NewString()[:6], "-", "")
	c.get("/t/roma/admin/roles/new")
	r := c.post("/t/roma/admin/roles", url.Values{"name": {"Bad Name"}, "label": {"X"}, "permissions": {"audit:read"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(fieldError(r.Body, "name"), "lettera minuscola") {
		t.Errorf("bad role name: %d %q", r.Status, fieldError(r.Body, "name"))
	}
	r = c.post("/t/roma/admin/roles", url.Values{"name": {name}, "label": {"Lettore del registro"}, "permissions": {"audit:read", "people:read"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("save role: %d\n%s", r.Status, r.Body)
	}
	must(t, c.get("/t/roma/admin/roles"), http.StatusOK, "Lettore del registro", "Consultare il registro delle attività", "Coordinatore")
	must(t, c.get("/t/roma/admin/roles/"+name), http.StatusOK, `value="audit:read" checked`)
	if r := c.get("/t/roma/admin/roles/coordinator"); r.Status != http.StatusNotFound {
		t.Errorf("editing a built-in role = %d; want 404", r.Status)
	}

	c.get("/t/roma/admin/operators/new")
	op := account{Email: newEmail("roma"), Password: "una password iniziale robusta"}
	must(t, c.post("/t/roma/admin/operators", url.Values{"email": {op.Email}, "name": {"Revisore"}, "roles": {name},
		"credential": {"password"}, "password": {op.Password}}), http.StatusOK)
	id := opID(t, a, "roma", op.Email)
	scope := db.Scope{Tenant: tenantID(t, "roma")}
	a.fresh(t, "roma")
	for perm, want := range map[string]bool{authz.PermAuditRead: true, authz.PermPeopleRead: true, authz.PermOperatorsManage: false} {
		if got, err := a.Authz.Can(ctx, id, scope, perm); err != nil || got != want {
			t.Errorf("Can(%s) = %v, %v; want %v", perm, got, err, want)
		}
	}
	c.get("/t/roma/admin/roles")
	r = c.post("/t/roma/admin/roles/"+name+"/delete", nil)
	must(t, r, http.StatusConflict, "l ruolo è assegnato a 1 operatori")
}

func opID(t *testing.T, a *testApp, slug, email string) uuid.UUID {
	t.Helper()
	op, err := a.Identity.OperatorForSSO(context.Background(), tenantID(t, slug), email, "")
	if err != nil {
		t.Fatal(err)
	}
	return op.ID
}

// TestAdminUnits: create a unit under another, see it in the tree; a bad
// code is refused next to the field.
func TestAdminUnits(t *testing.T) {
	a := newApp(t)
	_, c := a.adminOf(t, "viterbo")
	code := "sportello-" + uuid.NewString()[:6]
	c.get("/t/viterbo/admin/units/new")
	r := c.post("/t/viterbo/admin/units", url.Values{"code": {"Non Valido"}, "kind": {"pua"}, "name": {"X"}})
	if r.Status != http.StatusUnprocessableEntity || fieldError(r.Body, "code") == "" {
		t.Errorf("bad unit code: %d %q", r.Status, fieldError(r.Body, "code"))
	}
	r = c.post("/t/viterbo/admin/units", url.Values{"code": {code}, "kind": {"pua"}, "name": {"PUA di Bagnaia"}, "address": {"Via Roma 1"}, "parent": {"ufficio-di-piano"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create unit: %d\n%s", r.Status, r.Body)
	}
	must(t, c.get("/t/viterbo/admin/units"), http.StatusOK, "PUA di Bagnaia", "Punto Unico di Accesso", "Via Roma 1", "— ")
	units, _ := svc.Units(context.Background(), tenantID(t, "viterbo"))
	var found *tenancy.Unit
	for i := range units {
		if units[i].Code == code {
			found = &units[i]
		}
	}
	if found == nil || found.Parent != "ufficio-di-piano" {
		t.Fatalf("unit saved as %+v", found)
	}
	// The change is in the ente's audit trail, with who made it.
	must(t, c.get("/t/viterbo/audit"), http.StatusOK, "Unità organizzativa salvata", code)
	path := "/t/viterbo/admin/units/" + found.ID.String()
	c.get(path)
	if r := c.post(path, url.Values{"kind": {"pua"}, "name": {"PUA di Bagnaia"}, "parent": {code}}); r.Status != http.StatusUnprocessableEntity || fieldError(r.Body, "parent") == "" {
		t.Errorf("unit inside itself: %d %q", r.Status, fieldError(r.Body, "parent"))
	}
	if r := c.get("/t/viterbo/admin/units/" + uuid.NewString()); r.Status != http.StatusNotFound {
		t.Errorf("unknown unit = %d", r.Status)
	}
}

// TestAdminBrandingAndLogo: a colour too light is refused next to the field;
// the uploaded coat of arms is served and shown.
func TestAdminBrandingAndLogo(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	t.Cleanup(func() {
		_, _ = svc.SetSettings(ctx, "viterbo", []tenancy.KeyValue{{Key: "branding.primary_color", Value: "#7A1F2B"}, {Key: "contacts.phone", Value: ""}})
	})
	_, c := a.adminOf(t, "viterbo")
	form := url.Values{"branding.display_name": {"Comune di Viterbo"}, "branding.primary_color": {"#FFFF00"}, "locale": {"it"}}
	c.get("/t/viterbo/admin/branding")
	r := c.post("/t/viterbo/admin/branding", form)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(fieldError(r.Body, "branding.primary_color"), "contrast") {
		t.Errorf("light colour: %d %q", r.Status, fieldError(r.Body, "branding.primary_color"))
	}
	if ten, _ := svc.Get(ctx, "viterbo"); ten.Settings.Branding.PrimaryColor != "#7A1F2B" {
		t.Errorf("colour saved although refused: %s", ten.Settings.Branding.PrimaryColor)
	}
	form.Set("branding.primary_color", "#7A1F2B")
	form.Set("branding.primary_color_picker", "#123456")
	form.Set("contacts.phone", "0761 1234")
	if r := c.post("/t/viterbo/admin/branding", form); r.Status != http.StatusSeeOther {
		t.Fatalf("save branding: %d\n%s", r.Status, r.Body)
	}
	if ten, _ := svc.Get(ctx, "viterbo"); ten.Settings.Branding.PrimaryColor != "#123456" || ten.Settings.Contacts.Phone != "0761 1234" {
		t.Errorf("branding saved as %+v %+v", ten.Settings.Branding, ten.Settings.Contacts)
	}

	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	c.get("/t/viterbo/admin/branding")
	if r := upload(t, c, "/t/viterbo/admin/branding/logo", img.Bytes()); r.Status != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", r.Status, r.Body)
	}
	c.get("/t/viterbo/admin/branding")
	if r := upload(t, c, "/t/viterbo/admin/branding/logo", []byte("not an image at all")); r.Status != http.StatusUnprocessableEntity || fieldError(r.Body, "logo") == "" {
		t.Errorf("upload of text: %d %q", r.Status, fieldError(r.Body, "logo"))
	}
	ten, _ := svc.Get(ctx, "viterbo")
	anon := a.client(t)
	logo := anon.get("/t/viterbo/assets/logo")
	if logo.Status != http.StatusOK || logo.Body != img.String() || logo.Header.Get("Content-Type") != "image/png" ||
		logo.Header.Get("ETag") != `"`+ten.Settings.Branding.Logo+`"` || logo.Header.Get("Cache-Control") != "public, max-age=86400" ||
		logo.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("GET logo = %d %v", logo.Status, logo.Header)
	}
	must(t, anon.get("/t/viterbo/"), http.StatusOK, `src="/t/viterbo/assets/logo?v=`+ten.Settings.Branding.Logo+`"`)

	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>`)
	c.get("/t/viterbo/admin/branding")
	if r := upload(t, c, "/t/viterbo/admin/branding/logo", svg); r.Status != http.StatusSeeOther {
		t.Fatalf("upload svg: %d\n%s", r.Status, r.Body)
	}
	logo = anon.get("/t/viterbo/assets/logo")
	if logo.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(logo.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("SVG logo headers: %v", logo.Header)
	}
	if r := anon.get("/t/latina/assets/logo"); r.Status != http.StatusNotFound {
		t.Errorf("logo of an ente without one = %d; want 404", r.Status)
	}
}

// upload posts file as the "logo" field of a multipart form.
func upload(t *testing.T, c *client, path string, file []byte) response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("csrf", c.csrf())
	f, _ := w.CreateFormFile("logo", "stemma.bin")
	_, _ = f.Write(file)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.app.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// TestAdminSecurity: the client secret is write-only; enabling single
// sign-on without a client id is refused next to the field.
func TestAdminSecurity(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	t.Cleanup(func() {
		_, _ = svc.SetSettings(ctx, "viterbo", []tenancy.KeyValue{{Key: "sso.oidc.enabled", Value: "false"},
			{Key: "sso.oidc.issuer", Value: ""}, {Key: "sso.oidc.client_id", Value: ""}, {Key: "sso.oidc.client_secret", Value: ""},
			{Key: "security.session_idle_minutes", Value: "30"}})
	})
	_, c := a.adminOf(t, "viterbo")
	form := url.Values{"security.session_idle_minutes": {"45"}, "security.session_absolute_hours": {"12"},
		"sso.oidc.enabled": {"true"}, "sso.oidc.issuer": {"https://id.example.it"}, "sso.oidc.match": {"email"}}
	c.get("/t/viterbo/admin/security")
	r := c.post("/t/viterbo/admin/security", form)
	if r.Status != http.StatusUnprocessableEntity || fieldError(r.Body, "sso.oidc.client_id") == "" {
		t.Errorf("SSO without client id: %d %q", r.Status, fieldError(r.Body, "sso.oidc.client_id"))
	}
	form.Set("sso.oidc.client_id", "sigess")
	form.Set("sso.oidc.client_secret", "segreto-segretissimo")
	if r := c.post("/t/viterbo/admin/security", form); r.Status != http.StatusSeeOther {
		t.Fatalf("save security: %d\n%s", r.Status, r.Body)
	}
	r = c.get("/t/viterbo/admin/security")
	if strings.Contains(r.Body, "segreto-segretissimo") || !strings.Contains(r.Body, "Un segreto è impostato") {
		t.Error("the client secret is echoed, or not said to be set")
	}
	form.Del("sso.oidc.client_secret")
	if r := c.post("/t/viterbo/admin/security", form); r.Status != http.StatusSeeOther {
		t.Fatalf("save again: %d", r.Status)
	}
	ten, _ := svc.Get(ctx, "viterbo")
	if o := ten.Settings.SSO.OIDC; !o.Enabled || o.ClientSecret != "segreto-segretissimo" || ten.Settings.Security.SessionIdleMinutes != 45 {
		t.Errorf("settings after save: %+v %+v", o, ten.Settings.Security)
	}
}

// TestAuditPage: the auditor sees the login event, filtered by action and
// actor.
func TestAuditPage(t *testing.T) {
	a := newApp(t)
	acct, c := a.adminOf(t, "ambito-lt1", "auditor")
	r := c.get("/t/ambito-lt1/audit")
	must(t, r, http.StatusOK, "Accesso</span>", acct.Email, "auth.login")
	r = c.get("/t/ambito-lt1/audit?action=operator.&actor=" + url.QueryEscape(acct.Email))
	must(t, r, http.StatusOK)
	if strings.Contains(r.Body, `title="auth.login"`) {
		t.Error("the operator. filter shows a login event")
	}
	r = c.get("/t/ambito-lt1/audit?action=auth.&actor=nessuno-" + uuid.NewString())
	must(t, r, http.StatusOK, "Nessun evento.")
}
