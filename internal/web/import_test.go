package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/onboarding"
)

var importLink = regexp.MustCompile(`^/t/latina/admin/import/([0-9a-f-]{36})$`)

// TestImportPages: the tenant admin downloads the template, uploads a file
// with an error (the progress page, polled until the job has run, lists it
// with its row and field; nothing is written), then a good file, which is
// imported; an operator who is not an admin is refused everything.
func TestImportPages(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	latina, err := svc.Get(ctx, "latina")
	if err != nil {
		t.Fatal(err)
	}
	admin := a.client(t)
	admin.login("/t/latina", a.seed(t, "latina", true, "tenant_admin"))

	must(t, admin.get("/t/latina/admin"), http.StatusOK, `href="/t/latina/admin/import"`)
	must(t, admin.get("/t/latina/admin/import"), http.StatusOK, `name="kind"`, `type="file"`, `enctype="multipart/form-data"`,
		`href="/t/latina/admin/import-templates/people"`)
	r := admin.get("/t/latina/admin/import-templates/people")
	must(t, r, http.StatusOK, "external_id;tax_code;last_name;first_name")
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("template Content-Type %q", ct)
	}
	tpl := []byte(r.Body)
	must(t, admin.get("/t/latina/admin/import-templates/assessments"), http.StatusNotFound)
	for _, k := range onboarding.Kinds {
		must(t, admin.get("/t/latina/admin/import-templates/"+k), http.StatusOK, "external_id")
	}
	must(t, admin.get("/t/latina/admin/import"), http.StatusOK, `value="households"`, `value="deliveries"`,
		`href="/t/latina/admin/import-templates/interventions"`)

	admin.get("/t/latina/admin/import")
	must(t, admin.upload("/t/latina/admin/import", map[string]string{"kind": "people"}, "", nil),
		http.StatusUnprocessableEntity, `id="f-file-error"`, "Scegli un file CSV non vuoto.")
	admin.get("/t/latina/admin/import")
	must(t, admin.upload("/t/latina/admin/import", map[string]string{"kind": "assessments"}, "x.csv", tpl),
		http.StatusUnprocessableEntity, `id="f-kind-error"`)

	runJob := func(page string) {
		t.Helper()
		m := importLink.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("after the upload: %q", page)
		}
		if err := onboarding.NewService(pg.DB).Run(ctx, latina.ID, uuid.MustParse(m[1])); err != nil {
			t.Fatal(err)
		}
	}
	bad := strings.Replace(string(tpl), ";Z404;", ";Q999;", 1)
	admin.get("/t/latina/admin/import")
	r = admin.upload("/t/latina/admin/import", map[string]string{"kind": "people"}, "errata.csv", []byte(bad))
	must(t, r, http.StatusSeeOther)
	page := r.Location
	must(t, admin.get(page), http.StatusOK, `hx-get="`+page+`/status"`, "In coda", "errata.csv")
	runJob(page)
	r = admin.get(page + "/status")
	must(t, r, http.StatusOK, "Non riuscita", "Nessun dato è stato importato.", `<caption>Errori del file (1), per riga</caption>`,
		`<td>3</td>`, `<code>birth_place</code>`, "Codice catastale sconosciuto")
	if strings.Contains(r.Body, "hx-get") {
		t.Error("a finished import is still polled")
	}

	admin.get("/t/latina/admin/import")
	r = admin.upload("/t/latina/admin/import", map[string]string{"kind": "people"}, "persone.csv", tpl)
	must(t, r, http.StatusSeeOther)
	runJob(r.Location)
	must(t, admin.get(r.Location), http.StatusOK, "Completata", "2 righe: 2 importate, 0 già presenti e saltate.")
	must(t, admin.get("/t/latina/admin/import"), http.StatusOK, "persone.csv", "errata.csv", "Non riuscita", "Completata")

	// Someone who is not the ente's admin.
	sw := a.client(t)
	sw.login("/t/latina", a.seed(t, "latina", false, "social_worker"))
	must(t, sw.get("/t/latina/admin/import"), http.StatusForbidden)
	must(t, sw.get(page), http.StatusForbidden)
	must(t, sw.get("/t/latina/admin/import-templates/people"), http.StatusForbidden)
	sw.get("/t/latina/")
	must(t, sw.upload("/t/latina/admin/import", map[string]string{"kind": "people"}, "persone.csv", tpl), http.StatusForbidden)
}
