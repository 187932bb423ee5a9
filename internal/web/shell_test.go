package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestLocale: ?lang, then the cookie, then the ente's setting, then the
// browser's Accept-Language, then Italian.
func TestLocale(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		name, host, path string
		header           []string
		want, contains   string
		cookie           string // Set-Cookie expected
	}{
		{"default", "sigess.example.it", "/", nil, "it", "Servizi sociali dei comuni", ""},
		{"browser", "sigess.example.it", "/", []string{"Accept-Language", "en-GB,en;q=0.9"}, "en", "Municipal social services", ""},
		{"query", "sigess.example.it", "/?lang=en", nil, "en", "Municipal social services", "lang=en; Path=/; Max-Age=31536000; SameSite=Lax"},
		{"query wins over cookie", "sigess.example.it", "/t/roma/?lang=it", []string{"Cookie", "lang=en"}, "it", "Uffici e sportelli", "lang=it; Path=/; Max-Age=31536000; SameSite=Lax"},
		{"cookie", "roma.sigess.example.it", "/", []string{"Cookie", "lang=en"}, "en", "Offices and help desks", ""},
		{"ente setting wins over browser", "sigess.example.it", "/t/roma/", []string{"Accept-Language", "en"}, "it", "Uffici e sportelli", ""},
		{"unknown language ignored", "sigess.example.it", "/?lang=fr", []string{"Cookie", "lang=de"}, "it", "Servizi sociali dei comuni", ""},
		{"error page", "sigess.example.it", "/t/atlantide/?lang=en", nil, "en", "Page not found", "lang=en; Path=/; Max-Age=31536000; SameSite=Lax"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := s.get(tc.host, tc.path, tc.header...)
			body := w.Body.String()
			if !strings.Contains(body, `<html lang="`+tc.want+`">`) || !strings.Contains(body, tc.contains) || w.Header().Get("Content-Language") != tc.want {
				t.Errorf("GET %s%s %v: want lang %s and %q; got Content-Language %q\n%.600s", tc.host, tc.path, tc.header, tc.want, tc.contains, w.Header().Get("Content-Language"), body)
			}
			// The pre-login CSRF cookie of an ente's pages is not the point here.
			var cookies []string
			for _, v := range w.Header().Values("Set-Cookie") {
				if !strings.HasPrefix(v, "sigess_csrf=") {
					cookies = append(cookies, v)
				}
			}
			if got := strings.Join(cookies, " | "); got != tc.cookie {
				t.Errorf("Set-Cookie = %q; want %q", got, tc.cookie)
			}
		})
	}
}

// TestLayoutBranding: the ente's name, colour and links, by path and by host.
func TestLayoutBranding(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		name, host, path string
		status           int
		want             []string
	}{
		{"roma by path", "sigess.example.it", "/t/roma/", 200, []string{
			`--sigess-primary: #8C1D40`, `<div class="it-brand-title">Roma Capitale</div>`, `<a href="/t/roma/">`,
			`alt="Stemma di Roma Capitale"`, `Regione Lazio`, `<main id="main" tabindex="-1"`, `href="#main"`,
			`<title>Servizi sociali — Roma Capitale</title>`,
		}},
		{"roma by host", "roma.sigess.example.it", "/", 200, []string{`--sigess-primary: #8C1D40`, `<div class="it-brand-wrapper">
                <a href="/">`}},
		{"latina", "latina.sigess.example.it", "/", 200, []string{`--sigess-primary: #1F4E8C`, `Indirizzo: Piazza del Popolo 1, Latina`}},
		{"platform", "sigess.example.it", "/", 200, []string{`--sigess-primary: #0066CC`, `Piattaforma SIGeSS`, `<div class="it-brand-title">SIGeSS</div>`}},
		{"an ente's unknown page is branded", "sigess.example.it", "/t/roma/nope", 404, []string{`--sigess-primary: #8C1D40`, `Pagina non trovata`, `href="/t/roma/">Torna alla pagina iniziale`}},
		{"suspended ente links to the platform", "sigess.example.it", "/t/bagnoregio/", 403, []string{`Ente sospeso`, `href="/">Torna alla pagina iniziale`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := s.get(tc.host, tc.path)
			body := w.Body.String()
			if w.Code != tc.status {
				t.Errorf("GET %s%s = %d; want %d", tc.host, tc.path, w.Code, tc.status)
			}
			for _, want := range tc.want {
				if !strings.Contains(body, want) {
					t.Errorf("GET %s%s lacks %q", tc.host, tc.path, want)
				}
			}
			// Anonymous pages: no operator, no logout.
			for _, not := range []string{"/logout", "Operatore:"} {
				if strings.Contains(body, not) {
					t.Errorf("anonymous page shows %q", not)
				}
			}
		})
	}
	if w := s.get("sigess.example.it", "/t/roma/", "X-Forwarded-Host", "roma.sigess.example.it"); !strings.Contains(w.Body.String(), `<a href="/t/roma/">`) {
		t.Error("a request header made the path-served page link as host-served")
	}
	if w := s.get("sigess.example.it", "/?lang=en&q=lat"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `href="?lang=it&amp;q=lat"`) {
		t.Error("the language link loses the search query")
	}
}
