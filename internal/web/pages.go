package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/i18n"
	"github.com/sigess/sigess/internal/istat"
	"github.com/sigess/sigess/internal/tenancy"
)

// langSetKey marks a response that carries the lang cookie already. The keys
// where the auth middleware leaves what the layout shows are in auth.go.
const langSetKey = "sigess.lang-cookie-set"

// catalog holds the UI's messages. They are embedded, so a file that does
// not load is a build defect: the binary fails at start, and the tests fail.
var catalog = mustLoadCatalog()

func mustLoadCatalog() *i18n.Catalog {
	c, err := i18n.Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Page is what every page template receives.
type Page struct {
	Title    string            // already translated
	Locale   string            // "it" or "en"
	Base     string            // URL prefix of the ente's pages: "/t/roma" by path, "" under roma.<base_domain>; for consoles "/r/12" or "/admin"
	Tenant   *tenancy.Tenant   // ente pages
	Region   *tenancy.Region   // regional console
	Platform bool              // platform console
	User     *User             // logged-in operator, nil otherwise
	Nav      []NavItem         // main navigation, already filtered by the operator's permissions
	CSRF     string            // value for the hidden field "csrf" of every POST form
	Flash    string            // a success message shown once at the top
	Errors   map[string]string // field name → message shown next to the field; key "" = form-level error
	Form     map[string]string // submitted values to re-fill a form
	Data     map[string]any    // the page's own data
	catalog  *i18n.Catalog
	query    url.Values // the request's query, for the language links
}

// User is the logged-in operator as the layout shows them.
type User struct {
	ID          uuid.UUID
	Name, Email string
}

// NavItem is one entry of the main navigation.
type NavItem struct {
	Href, Label string
	Active      bool
}

// T translates key into the page's language; args fill its %s and %d.
func (p Page) T(key string, args ...any) string {
	if p.catalog == nil {
		return catalog.T(p.Locale, key, args...)
	}
	return p.catalog.T(p.Locale, key, args...)
}

// LangURL is the current page in locale: the query with lang replaced.
func (p Page) LangURL(locale string) string {
	q := url.Values{}
	for k, v := range p.query {
		q[k] = v
	}
	q.Set("lang", locale)
	return "?" + q.Encode()
}

// RegionName is the region the page belongs to: the console's, or the ente's.
func (p Page) RegionName() string {
	if p.Region != nil {
		return p.Region.Name
	}
	if p.Tenant != nil {
		name, _ := istat.RegionName(p.Tenant.Region)
		return name
	}
	return ""
}

// sentences turns the domain packages' field messages ("must not be empty",
// "indirizzo e-mail non valido") into sentences of the page's language.
func (p Page) sentences(errs map[string]string) map[string]string {
	if len(errs) == 0 {
		return errs
	}
	out := make(map[string]string, len(errs))
	for field, msg := range errs {
		out[field] = p.Sentence(msg)
	}
	return out
}

// Sentence is one domain message as the page shows it: translated when the
// catalog knows it (messages/validation.*.json), with a capital and a full
// stop.
func (p Page) Sentence(msg string) string {
	if t, ok := p.validationMessage(msg); ok {
		msg = t
	}
	if r, size := utf8.DecodeRuneInString(msg); size > 0 {
		msg = string(unicode.ToUpper(r)) + msg[size:]
	}
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "?") && !strings.HasSuffix(msg, "!") {
		msg += "."
	}
	return msg
}

// placeholder is what varies in a domain message: a number, or a name the
// message quotes ("triage", «Rossi»).
var placeholder = regexp.MustCompile(`[0-9]+|"[^"]*"|«[^»]*»`)

// validationMessage translates msg through its "validation." key. A message
// built with numbers or quoted names ("al massimo 200 caratteri", "lo stato
// "triage" è ripetuto") has one key for all of them, with {n} in place of
// each number and {q} of each quoted name, quotes included; they go back
// into the translation in the order they came.
func (p Page) validationMessage(msg string) (string, bool) {
	if key := "validation." + msg; p.catalog.Has(p.Locale, key) {
		return p.T(key), true
	}
	parts := placeholder.FindAllString(msg, -1)
	key := "validation." + placeholder.ReplaceAllStringFunc(msg, placeholderOf)
	if len(parts) == 0 || !p.catalog.Has(p.Locale, key) {
		return msg, false
	}
	t := p.T(key)
	for _, v := range parts {
		t = strings.Replace(t, placeholderOf(v), v, 1)
	}
	return t, true
}

// placeholderOf is {n} for a number, {q} for a quoted name.
func placeholderOf(v string) string {
	if v[0] >= '0' && v[0] <= '9' {
		return "{n}"
	}
	return "{q}"
}

// page starts a Page for the request: language, base URL, ente, and what the
// authentication middleware put in the context. title is a message key.
func (s *Server) page(c *gin.Context, title string) Page {
	p := Page{
		Locale: locale(c), Tenant: currentTenant(c), catalog: catalog,
		query: c.Request.URL.Query(),
	}
	p.query.Del("lang")
	p.Title = p.T(title)
	p.Base = basePath(c)
	if u, ok := c.Get(userKey); ok {
		p.User, _ = u.(*User)
	}
	if n, ok := c.Get(navKey); ok {
		p.Nav, _ = n.([]NavItem)
	}
	p.CSRF = c.GetString(csrfKey)
	if r, ok := c.Get(regionKey); ok {
		p.Region, _ = r.(*tenancy.Region)
	}
	p.Platform = currentScope(c).Platform
	return p
}

// locale picks the request's language: ?lang= (remembered in a cookie for a
// year), then the cookie, then the ente's setting, then the browser's
// preference, then Italian.
func locale(c *gin.Context) string {
	if l := c.Query("lang"); i18n.Supported(l) {
		if _, done := c.Get(langSetKey); !done { // page may be called twice per request
			http.SetCookie(c.Writer, &http.Cookie{
				Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
				SameSite: http.SameSiteLaxMode, Secure: c.Request.TLS != nil,
			})
			c.Set(langSetKey, true)
		}
		return l
	}
	if l, err := c.Cookie("lang"); err == nil && i18n.Supported(l) {
		return l
	}
	if t := currentTenant(c); t != nil && i18n.Supported(t.Settings.Locale) {
		return t.Settings.Locale
	}
	if l := i18n.FromAcceptLanguage(c.GetHeader("Accept-Language")); l != "" {
		return l
	}
	return i18n.Default
}

// basePath is the URL prefix of the scope the request is served in: "/t/roma"
// for an ente by path, "" for an ente under roma.<base_domain> and for the
// public platform pages, "/r/{code}" for a region's console, "/admin" for the
// platform console.
func basePath(c *gin.Context) string {
	if t := currentTenant(c); t != nil {
		if servedByHost(c.Request.Context()) {
			return ""
		}
		return "/t/" + t.Slug
	}
	p := c.Request.URL.Path
	if p == "/admin" || strings.HasPrefix(p, "/admin/") {
		return "/admin"
	}
	if rest, ok := strings.CutPrefix(p, "/r/"); ok {
		code, _, _ := strings.Cut(rest, "/")
		if code != "" {
			return "/r/" + code
		}
	}
	return ""
}

// byHostKey marks a request that Handler rewrote from {slug}.{base_domain}:
// a context value, so no client can claim it with a header.
type byHostKey struct{}

func withServedByHost(ctx context.Context) context.Context {
	return context.WithValue(ctx, byHostKey{}, true)
}

func servedByHost(ctx context.Context) bool {
	v, _ := ctx.Value(byHostKey{}).(bool)
	return v
}

var templateFuncs = template.FuncMap{
	"color":           primaryColor,
	"shade":           shade,
	"static":          staticURL,
	"locales":         i18n.Locales,
	"field":           newField,
	"roleLabel":       roleLabel,
	"permissionLabel": permissionLabel,
	// args builds a map for a sub-template that needs more than one value:
	// {{template "unit" (args "Page" $ "Unit" .)}}.
	"args": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			m[k] = kv[i+1]
		}
		return m
	},
}

// primaryColor is the ente's colour, safe for a <style> element: settings
// validation admits only #RRGGBB, and it is checked again here.
func primaryColor(t *tenancy.Tenant) template.CSS {
	if t == nil || !hexColor.MatchString(t.Settings.Branding.PrimaryColor) {
		return "#0066CC"
	}
	return template.CSS(t.Settings.Branding.PrimaryColor)
}

// shade is the ente's colour darkened by percent, for the bands around the
// header: a colour darker than one legible under white text stays legible.
func shade(t *tenancy.Tenant, percent int) template.CSS {
	v, _ := strconv.ParseUint(string(primaryColor(t))[1:], 16, 32)
	out := "#"
	for _, shift := range []uint{16, 8, 0} {
		ch := (v >> shift) & 0xff
		out += fmt.Sprintf("%02X", ch*uint64(100-percent)/100)
	}
	return template.CSS(out)
}

// hexColor is what settings validation admits; checked again here because
// the value goes into a <style> element.
var hexColor = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// render executes a page into a buffer first, so that a template error becomes
// a clean 500 rather than half a page.
func (s *Server) render(c *gin.Context, status int, name string, p Page) {
	if p.catalog == nil {
		p.catalog = catalog
	}
	if p.Locale == "" {
		p.Locale = locale(c)
	}
	p.Errors = p.sentences(p.Errors)
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, p); err != nil {
		slog.ErrorContext(c.Request.Context(), "render", "template", name, "err", err)
		c.String(http.StatusInternalServerError, "Errore interno")
		return
	}
	c.Header("Content-Language", p.Locale)
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// field is one form control as the "field" template draws it.
type field struct {
	ID, Name, Type, Label, Value, Error, Hint string
	Attrs                                     template.HTMLAttr
	Page                                      Page
}

// safeAttr is an attribute name a form may pass to "field": no event
// handlers, no URLs, no style.
var safeAttr = regexp.MustCompile(`^(autocomplete|inputmode|pattern|placeholder|min|max|minlength|maxlength|step|size|rows|required|readonly|disabled|autofocus|multiple|spellcheck|data-[a-z-]+)$`)

// newField prepares a form control for the "field" template (layout.html):
// field page name type labelKey [attr=value | attr | hint=key]...
// The label and hint are message keys; the value comes from page.Form and the
// error from page.Errors. An attribute that is not allowed is dropped.
func newField(p Page, name, typ, labelKey string, extra ...string) field {
	f := field{
		ID: "f-" + name, Name: name, Type: typ, Label: p.T(labelKey),
		Value: p.Form[name], Error: p.Errors[name], Page: p,
	}
	if typ == "password" {
		f.Value = "" // a password never travels back to the browser
	}
	var attrs strings.Builder
	for _, e := range extra {
		k, v, hasValue := strings.Cut(e, "=")
		switch {
		case k == "hint":
			f.Hint = p.T(v)
		case !safeAttr.MatchString(k):
			continue
		case hasValue:
			attrs.WriteString(" " + k + `="` + template.HTMLEscapeString(v) + `"`)
		default:
			attrs.WriteString(" " + k)
		}
	}
	f.Attrs = template.HTMLAttr(attrs.String()) // names from safeAttr, values escaped
	return f
}
