package web

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sigess/sigess/internal/testenv"
)

// TestValidationMessagesTranslated: every message a domain package puts in a
// field error has an English text in messages/validation.*.json, so that the
// English UI never shows an Italian sentence next to a field. The messages
// are read from the domain packages' source, as fieldMessages describes.
func TestValidationMessagesTranslated(t *testing.T) {
	msgs := fieldMessages(t, filepath.Join(testenv.RepoRoot(), "internal"))
	for _, known := range []string{
		"indicare la data di inizio", // a call add("start_date", …)
		"il protocollo della domanda è troppo lungo (al massimo {n} caratteri)", // an fmt.Sprintf with %d
		"indicare il motivo della chiusura",                                     // a FieldError{Message: …}
		"scegliere il tipo di documento",                                        // a FieldError{"kind", …}
	} {
		if _, ok := msgs[known]; !ok {
			t.Fatalf("fieldMessages found %d messages, not %q: the source is no longer read as it is written", len(msgs), known)
		}
	}
	en := Page{Locale: "en", catalog: catalog}
	var missing []string
	for msg, where := range msgs {
		// A format's numbers come as any number would.
		if _, ok := en.validationMessage(strings.NewReplacer("{n}", "7", "{q}", `"x"`).Replace(msg)); !ok {
			missing = append(missing, fmt.Sprintf("%s: %q", where, msg))
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("%d field messages have no English text; add \"validation.<message>\" to messages/validation.en.json and validation.it.json (numbers as {n}):\n%s",
			len(missing), strings.Join(missing, "\n"))
	}
}

// TestSentence: a domain message comes out in the page's language, with a
// capital and a full stop; numbers travel through a {n} key in their order.
func TestSentence(t *testing.T) {
	for _, tc := range []struct{ locale, msg, want string }{
		{"en", "indicare la data di inizio", "Give the start date."},
		{"it", "indicare la data di inizio", "Indicare la data di inizio."},
		{"en", "il protocollo della domanda è troppo lungo (al massimo 50 caratteri)", "The application protocol is too long (at most 50 characters)."},
		{"it", "il protocollo della domanda è troppo lungo (al massimo 50 caratteri)", "Il protocollo della domanda è troppo lungo (al massimo 50 caratteri)."},
		{"en", "il codice fiscale deve avere 16 caratteri (ne ha 15)", "The tax code must have 16 characters (it has 15)."},
		{"en", "il codice fiscale non è valido: il 31/2 non esiste", "The tax code is not valid: 31/2 does not exist."},
		// Quoted names travel through {q}, quotes and all, with numbers too.
		{"en", `lo stato "triage" è ripetuto`, `State "triage" appears twice.`},
		{"en", "«Rossi Mario» convive già nel nucleo «Nucleo 2»: chiudere prima quella appartenenza",
			"«Rossi Mario» already lives in household «Nucleo 2»: end that membership first."},
		// An exact key wins over the {n} one.
		{"en", "must be at most 120 characters", "Must be at most 120 characters."},
		{"it", "must be at most 120 characters", "Al massimo 120 caratteri."},
		// Unknown messages stay as written, numbers or not.
		{"en", "messaggio sconosciuto con 3 numeri e 4 parole", "Messaggio sconosciuto con 3 numeri e 4 parole."},
		{"en", "già una frase?", "Già una frase?"},
	} {
		p := Page{Locale: tc.locale, catalog: catalog}
		if got := p.Sentence(tc.msg); got != tc.want {
			t.Errorf("sentence(%s, %q) = %q; want %q", tc.locale, tc.msg, got, tc.want)
		}
	}
}

// fieldHelpers are the names the domain packages give their functions that
// record a field error; the message is their last argument.
var fieldHelpers = map[string]bool{"add": true, "bad": true, "invalid": true, "oneOf": true, "checkText": true}

var fieldNameRE = regexp.MustCompile(`^[a-z_][a-z0-9_.\[\]]*$`)

// fieldMessages returns the field messages written in the non-test source of
// the domain packages under dir (every package but web and cli), each with
// where it is written. A message is a string literal with a space, or an
// fmt.Sprintf format whose only verbs are %d, %q and «%s», returned with {n}
// for each number and {q} for each quoted name, that is:
//   - the value of a composite literal's Message field, or the second element
//     of a FieldError{"field", "message"};
//   - the last argument of a call to one of fieldHelpers;
//   - the second of a call's two arguments when the first is a string that
//     looks like a field name: add("start_date", "indicare la data di inizio").
//
// Messages built from names not quoted (fmt.Sprintf with a bare %s,
// concatenations) are not found: they stay as the domain package writes them.
func fieldMessages(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	fset := token.NewFileSet()
	found := func(e ast.Expr) {
		if msg, ok := messageOf(e); ok {
			p := fset.Position(e.Pos())
			rel, _ := filepath.Rel(dir, p.Filename)
			out[msg] = fmt.Sprintf("internal/%s:%d", filepath.ToSlash(rel), p.Line)
		}
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch rel, _ := filepath.Rel(dir, path); rel {
			case "web", "cli", "testenv":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				for _, e := range n.Elts {
					if kv, ok := e.(*ast.KeyValueExpr); ok {
						if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Message" {
							found(kv.Value)
						}
					}
				}
				if name := typeName(n.Type); strings.HasSuffix(name, "FieldError") && len(n.Elts) == 2 {
					if _, keyed := n.Elts[0].(*ast.KeyValueExpr); !keyed {
						found(n.Elts[1])
					}
				}
			case *ast.CallExpr:
				last := len(n.Args) - 1
				if last < 1 {
					return true
				}
				field, _ := stringLit(n.Args[0])
				if fieldHelpers[typeName(n.Fun)] || last == 1 && fieldNameRE.MatchString(field) {
					found(n.Args[last])
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// messageOf returns e as a field message, if it is one.
func messageOf(e ast.Expr) (string, bool) {
	if s, ok := stringLit(e); ok {
		return s, strings.Contains(s, " ")
	}
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) == 0 || typeName(call.Fun) != "Sprintf" {
		return "", false
	}
	format, ok := stringLit(call.Args[0])
	if !ok {
		return "", false
	}
	// Its key has {n} for every number and {q} for every quoted name,
	// written in the format or not.
	key := strings.NewReplacer("%d", "{n}", "%q", "{q}", "«%s»", "{q}").Replace(format)
	if strings.Contains(key, "%") {
		return "", false
	}
	return placeholder.ReplaceAllStringFunc(key, placeholderOf), strings.Contains(format, " ")
}

// stringLit returns the value of a double-quoted string literal; raw
// strings are SQL and templates, never a message.
func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING || !strings.HasPrefix(lit.Value, `"`) {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// typeName is the last name of a type or function expression: FieldError
// for &derrors.FieldError, add for fe.add.
func typeName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	case *ast.StarExpr:
		return typeName(e.X)
	}
	return ""
}
