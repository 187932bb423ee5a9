package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// TestLayoutForOperator: what the authentication middleware leaves in the
// context reaches the layout, and the "field" template marks errors
// accessibly.
func TestLayoutForOperator(t *testing.T) {
	s, err := New(Options{BaseDomain: "sigess.example.it", Gatherer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pages.New("test_form.html").Parse(`{{template "header" .}}
<form method="post">
{{template "field" (field . "email" "email" "contact.email" "autocomplete=username" "required" "onclick=alert(1)" "hint=header.language")}}
{{template "field" (field . "password" "password" "header.logout" "autocomplete=current-password")}}
{{template "field" (field . "note" "textarea" "contact.address" "rows=3")}}
</form>
{{template "footer" .}}`); err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodGet, "/admin/operators?lang=en", nil)
	c.Set(userKey, &User{Name: "Maria Rossi", Email: "maria@example.it"})
	c.Set(navKey, []NavItem{{Href: "/admin/", Label: "Regions"}, {Href: "/admin/operators", Label: "Operators", Active: true}})
	c.Set(csrfKey, "tok<123>")
	p := s.page(c, "platform.title")
	p.Flash = "Saved."
	p.Errors = map[string]string{"": "Check the form.", "email": "Not an address."}
	p.Form = map[string]string{"email": "maria@", "password": "secret", "note": "</textarea><b>x</b>"}
	s.render(c, http.StatusUnprocessableEntity, "test_form.html", p)
	body := w.Body.String()

	if p.Base != "/admin" || p.Locale != "en" || p.Title != "SIGeSS — Social services information system" {
		t.Errorf("page = base %q locale %q title %q", p.Base, p.Locale, p.Title)
	}
	for _, want := range []string{
		`<meta name="csrf-token" content="tok&lt;123&gt;">`,
		`<form method="post" action="/admin/logout"`,
		`<input type="hidden" name="csrf" value="tok&lt;123&gt;">`,
		`Operator: Maria Rossi`,
		`href="#navigation"`,
		`<a class="nav-link active" href="/admin/operators" aria-current="page"><span>Operators</span></a>`,
		`<a class="nav-link" href="/admin/"><span>Regions</span></a>`,
		`<div class="alert alert-success" role="status">Saved.</div>`,
		`<div class="alert alert-danger" role="alert">Check the form.</div>`,
		`<label for="f-email" class="active">Email</label>`,
		`<input type="email" id="f-email" name="email" value="maria@" class="form-control is-invalid" aria-describedby="f-email-hint f-email-error" aria-invalid="true" autocomplete="username" required>`,
		`<small id="f-email-hint" class="form-text">Language</small>`,
		`<div id="f-email-error" class="invalid-feedback d-block">Not an address.</div>`,
		`<input type="password" id="f-password" name="password" value="" class="form-control" autocomplete="current-password">`,
		`<textarea id="f-note" name="note" class="form-control" rows="3">&lt;/textarea&gt;&lt;b&gt;x&lt;/b&gt;</textarea>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, not := range []string{"secret", "onclick", "alert(1)"} {
		if strings.Contains(body, not) {
			t.Errorf("page contains %q", not)
		}
	}
	if w.Code != http.StatusUnprocessableEntity {
		t.Errorf("status = %d", w.Code)
	}
}

func TestShade(t *testing.T) {
	if got := shade(nil, 50); got != "#003366" {
		t.Errorf("shade(default, 50) = %s; want #003366", got)
	}
}
