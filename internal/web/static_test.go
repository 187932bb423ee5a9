package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var staticRef = regexp.MustCompile(`/static/[0-9a-f]+/[^"#]+`)

// TestStaticAssets: every asset a page refers to is served, with its content
// type and a year of caching, by path and under an ente's host.
func TestStaticAssets(t *testing.T) {
	s := newServer(t)
	page := s.get("sigess.example.it", "/t/roma/").Body.String()
	refs := staticRef.FindAllString(page, -1)
	if len(refs) < 6 {
		t.Fatalf("the page refers to %d static files: %v", len(refs), refs)
	}
	fonts := ""
	for _, ref := range refs {
		if strings.HasSuffix(ref, "/fonts") {
			fonts = ref
			continue
		}
		for _, host := range []string{"sigess.example.it", "roma.sigess.example.it"} {
			w := s.get(host, ref)
			if w.Code != http.StatusOK || w.Body.Len() == 0 {
				t.Errorf("GET %s%s = %d, %d bytes", host, ref, w.Code, w.Body.Len())
			}
			if got := w.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
				t.Errorf("%s: Cache-Control = %q", ref, got)
			}
		}
	}
	if fonts == "" {
		t.Fatal("the page does not tell sigess.js where the fonts are")
	}
	for _, tc := range []struct{ path, ctype string }{
		{"/vendor/bootstrap-italia/css/bootstrap-italia.min.css", "text/css; charset=utf-8"},
		{"/vendor/bootstrap-italia/js/bootstrap-italia.bundle.min.js", "text/javascript; charset=utf-8"},
		{"/vendor/htmx/htmx.min.js", "text/javascript; charset=utf-8"},
		{"/vendor/bootstrap-italia/svg/sprites.svg", "image/svg+xml"},
		{"/Titillium_Web/titillium-web-v10-latin-ext_latin-regular.woff2", "font/woff2"},
		{"/vendor/bootstrap-italia/LICENSE", "text/plain; charset=utf-8"},
	} {
		url := strings.TrimSuffix(refs[0][:strings.Index(refs[0][len("/static/"):], "/")+len("/static/")], "/") + tc.path
		if strings.HasPrefix(tc.path, "/Titillium") {
			url = fonts + tc.path
		}
		w := s.get("sigess.example.it", url)
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != tc.ctype || w.Header().Get("ETag") == "" {
			t.Errorf("GET %s = %d %q etag %q; want 200 %q with an ETag", url, w.Code, w.Header().Get("Content-Type"), w.Header().Get("ETag"), tc.ctype)
		}
	}
}

func TestStaticVersionsAndErrors(t *testing.T) {
	s := newServer(t)
	current := staticRef.FindString(s.get("x", "/").Body.String())
	version := strings.SplitN(strings.TrimPrefix(current, "/static/"), "/", 2)[0]
	htmx := "/static/" + version + "/vendor/htmx/htmx.min.js"

	w := s.get("x", htmx)
	etag := w.Header().Get("ETag")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "htmx") {
		t.Fatalf("GET %s = %d", htmx, w.Code)
	}
	if w := s.get("x", htmx, "If-None-Match", etag); w.Code != http.StatusNotModified {
		t.Errorf("GET %s with its ETag = %d; want 304", htmx, w.Code)
	}
	// A page of another release asks for its own version: served, but never
	// cached as if it were that version's file.
	if w := s.get("x", "/static/0123456789ab/vendor/htmx/htmx.min.js"); w.Code != 200 || w.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("another version = %d %q; want 200 no-cache", w.Code, w.Header().Get("Cache-Control"))
	}
	for _, path := range []string{
		"/static/" + version + "/nope.js",
		"/static/" + version + "/../pages.go",
		"/static/" + version + "/vendor/",
		"/static/" + version + "/../templates/layout.html",
	} {
		if w := s.get("x", path); w.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d; want 404", path, w.Code)
		}
	}
}
