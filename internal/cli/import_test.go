package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigess/sigess/internal/onboarding"
)

// TestImport: `sigess import` imports a file and prints the counts; the same
// file again skips every row; a file with errors lists each with its row and
// field, imports nothing and exits 1; a wrong command line exits 2.
func TestImport(t *testing.T) {
	_, env := withEnti(t)
	run := func(args ...string) (int, string, string) {
		t.Helper()
		return sigess(t, env, args...)
	}
	dir := t.TempDir()
	tpl, _ := onboarding.Template(onboarding.KindPeople)
	good := filepath.Join(dir, "persone.csv")
	os.WriteFile(good, tpl, 0o644) //nolint:errcheck

	code, out, errOut := run("import", "--tenant", "roma", "--kind", "people", good)
	if code != 0 || !strings.Contains(out, "checking every row") || !strings.Contains(out, "2 rows, 2 created, 0 skipped") {
		t.Fatalf("import: %d\n%s%s", code, out, errOut)
	}
	code, out, _ = run("import", good, "--tenant", "roma", "--kind", "people")
	if code != 0 || !strings.Contains(out, "2 rows, 0 created, 2 skipped") {
		t.Errorf("again: %d\n%s", code, out)
	}

	lines := strings.Split(strings.TrimSpace(string(tpl)), "\n")
	lines = append(lines, strings.NewReplacer("A-0002", "A-0003", "Z404", "Q999").Replace(lines[2]), // row 4: unknown place
		strings.Replace(lines[1], "A-0001", "A-0004", 1)) // row 5: row 2's tax code
	lines[2] = strings.Replace(lines[2], "A-0002", "A-0005", 1) // row 3: new, valid
	bad := filepath.Join(dir, "errata.csv")
	os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644) //nolint:errcheck
	code, out, errOut = run("import", "--tenant", "roma", "--kind", "people", bad)
	if code != 1 || !strings.Contains(out, "row 4, field birth_place: ") || !strings.Contains(out, "row 5, field tax_code: codice fiscale già presente alla riga 2") ||
		strings.Contains(out, "row 3") || !strings.Contains(errOut, "2 errors in "+bad+": nothing imported") {
		t.Errorf("bad file: %d\n%s%s", code, out, errOut)
	}
	if _, out, _ := run("import", "--tenant", "roma", "--kind", "people", good); !strings.Contains(out, "0 created, 2 skipped") {
		t.Errorf("after a bad file: %s", out)
	}

	// A later kind refers to the people imported by their external ids.
	htpl, _ := onboarding.Template(onboarding.KindHouseholds)
	nuclei := filepath.Join(dir, "nuclei.csv")
	os.WriteFile(nuclei, htpl, 0o644) //nolint:errcheck
	if code, out, errOut := run("import", "--tenant", "roma", "--kind", "households", nuclei); code != 0 ||
		!strings.Contains(out, "Imported households of roma") || !strings.Contains(out, "1 created, 0 skipped") {
		t.Errorf("households: %d\n%s%s", code, out, errOut)
	}

	for _, args := range [][]string{
		{"import", "--tenant", "roma", good},
		{"import", "--tenant", "roma", "--kind", "people"},
	} {
		if code, _, _ := run(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, errOut := run("import", "--tenant", "roma", "--kind", "assessments", good); code != 1 || !strings.Contains(errOut, "tipo di file sconosciuto") {
		t.Errorf("unknown kind: %d %s", code, errOut)
	}
	if code, _, _ := run("import", "--tenant", "nessuno", "--kind", "people", good); code != 1 {
		t.Errorf("unknown ente: exit %d", code)
	}
	if code, _, _ := run("import", "--tenant", "roma", "--kind", "people", filepath.Join(dir, "missing.csv")); code != 1 {
		t.Errorf("missing file: exit %d", code)
	}
}
