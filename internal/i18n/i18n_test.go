package i18n

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// TestMessagesComplete checks the shipped files: every key in every locale,
// no empty text, and the same placeholders, so that a translation can never
// drop or add an argument.
func TestMessagesComplete(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, l := range Locales() {
		for k := range c.messages[l] {
			keys[k] = true
		}
	}
	if len(keys) < 20 {
		t.Fatalf("only %d keys loaded; the embedded files are not being read", len(keys))
	}
	for k := range keys {
		for _, l := range Locales() {
			msg, ok := c.messages[l][k]
			switch {
			case !ok:
				t.Errorf("%s: missing in %s (defined in %s)", k, l, c.origin[Default][k]+c.origin["en"][k])
			case strings.TrimSpace(msg) == "":
				t.Errorf("%s: empty in %s (%s)", k, l, c.origin[l][k])
			}
		}
		want := placeholders(c.messages[Default][k])
		for _, l := range Locales()[1:] {
			if got := placeholders(c.messages[l][k]); !slices.Equal(got, want) {
				t.Errorf("%s: placeholders in %s are %v, in %s %v", k, l, got, Default, want)
			}
		}
	}
}

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// placeholders lists the fmt verbs of msg, sorted ("%[2]s" counts as "%s" of
// argument 2), without "%%".
func placeholders(msg string) []string {
	var out []string
	for _, v := range verb.FindAllString(msg, -1) {
		if v != "%%" {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

func TestPlaceholders(t *testing.T) {
	if got := placeholders("100%% di %s, %d volte, %[1]s"); !cmp.Equal(got, []string{"%[1]s", "%d", "%s"}) {
		t.Errorf("placeholders = %v", got)
	}
}

func TestT(t *testing.T) {
	c, err := load(fstest.MapFS{
		"m/a.it.json": {Data: []byte(`{"hello": "Ciao %s", "only.it": "Solo italiano", "n": "%d enti"}`)},
		"m/a.en.json": {Data: []byte(`{"hello": "Hello %s", "n": "%d bodies"}`)},
	}, "m")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		locale, key string
		args        []any
		want        string
	}{
		{"it", "hello", []any{"Maria"}, "Ciao Maria"},
		{"en", "hello", []any{"Maria"}, "Hello Maria"},
		{"en", "n", []any{3}, "3 bodies"},
		{"en", "only.it", nil, "Solo italiano"}, // falls back to the default locale
		{"fr", "hello", []any{"Marie"}, "Ciao Marie"},
		{"it", "no.such.key", nil, "no.such.key"}, // visible on the page
		{"it", "no.such.key", []any{1}, "no.such.key"},
	} {
		if got := c.T(tc.locale, tc.key, tc.args...); got != tc.want {
			t.Errorf("T(%q, %q, %v) = %q; want %q", tc.locale, tc.key, tc.args, got, tc.want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		want  string // part of the error
	}{
		{"duplicate key across files", fstest.MapFS{
			"m/auth.it.json":  {Data: []byte(`{"auth.email": "Email"}`)},
			"m/admin.it.json": {Data: []byte(`{"auth.email": "Posta"}`)},
		}, `key "auth.email" is already defined in m/admin.it.json`},
		{"unknown locale", fstest.MapFS{"m/auth.fr.json": {Data: []byte(`{}`)}}, "m/auth.fr.json: want a name like"},
		{"no locale", fstest.MapFS{"m/auth.json": {Data: []byte(`{}`)}}, "m/auth.json: want a name like"},
		{"not a flat map", fstest.MapFS{"m/auth.it.json": {Data: []byte(`{"a": {"b": "c"}}`)}}, "m/auth.it.json: json"},
		{"no files", fstest.MapFS{}, "no message files"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(tc.files, "m")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("load = %v; want an error containing %q", err, tc.want)
			}
		})
	}
	// Files of different areas merge.
	c, err := load(fstest.MapFS{
		"m/auth.it.json":  {Data: []byte(`{"auth.email": "Email"}`)},
		"m/admin.it.json": {Data: []byte(`{"admin.units": "Unità"}`)},
	}, "m")
	if err != nil || c.T("it", "auth.email") != "Email" || c.T("it", "admin.units") != "Unità" {
		t.Errorf("merging two areas: %v", err)
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"", ""},
		{"en-GB,en;q=0.9,it;q=0.8", "en"},
		{"it-IT,it;q=0.9,en-US;q=0.8,en;q=0.7", "it"},
		{"fr-FR,fr;q=0.9,en;q=0.5", "en"},
		{"de, it;q=0.3, en;q=0.7", "en"},
		{"en;q=0, it;q=0.1", "it"},
		{"fr", ""},
		{"EN-us", "en"},
		{"en;q=bogus, it", "it"},
	} {
		if got := FromAcceptLanguage(tc.header); got != tc.want {
			t.Errorf("FromAcceptLanguage(%q) = %q; want %q", tc.header, got, tc.want)
		}
	}
}

func TestLocales(t *testing.T) {
	if diff := cmp.Diff([]string{"it", "en"}, Locales()); diff != "" {
		t.Errorf("Locales (-want +got):\n%s", diff)
	}
	Locales()[0] = "xx"
	if Locales()[0] != "it" {
		t.Error("Locales returns the package's own slice")
	}
}
