package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/exports"
)

var exportLink = regexp.MustCompile(`^/t/latina/exports/([0-9a-f-]{36})$`)

// TestExportPages: the administrative office starts an export (refused first
// without the deliveries' period), follows its progress, which htmx polls
// until the job has run, and downloads the file; another operator and
// another ente do not find it; an operator without interventions:read is
// refused.
func TestExportPages(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	clerk := a.client(t)
	clerkAcct := a.seed(t, "latina", false, "administrative")
	clerk.login("/t/latina", clerkAcct)

	must(t, clerk.get("/t/latina/exports"), http.StatusOK, `name="kind"`, `name="format"`, "Nessuna esportazione.", `href="/t/latina/exports"`)
	r := clerk.post("/t/latina/exports", url.Values{"kind": {"deliveries"}, "format": {"csv"}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-from-error"`, "Indicare il periodo delle erogazioni.")
	r = clerk.post("/t/latina/exports", url.Values{"kind": {"interventions"}, "format": {"xlsx"}, "catalog_entry_id": {"x"}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-catalog_entry_id-error"`)

	for _, format := range []string{"csv", "xlsx"} {
		clerk.get("/t/latina/exports")
		r = clerk.post("/t/latina/exports", url.Values{"kind": {"interventions"}, "format": {format}, "state": {"active"}})
		must(t, r, http.StatusSeeOther)
		m := exportLink.FindStringSubmatch(r.Location)
		if m == nil {
			t.Fatalf("after starting: %s", r.Location)
		}
		page := r.Location
		must(t, clerk.get(page), http.StatusOK, `hx-get="`+page+`/status"`, "In coda", "Righe scritte: 0 di 0")
		must(t, clerk.get(page+"/download"), http.StatusConflict)

		// The worker runs the job.
		if err := exports.NewService(pg.DB, casefile.NewService(pg.DB, nil)).Run(context.Background(), w.tenant, uuid.MustParse(m[1])); err != nil {
			t.Fatal(err)
		}
		r = clerk.get(page + "/status")
		must(t, r, http.StatusOK, "Pronta", page+"/download")
		if strings.Contains(r.Body, "hx-get") {
			t.Error("a finished export is still polled")
		}
		r = clerk.get(page + "/download")
		must(t, r, http.StatusOK)
		if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="interventi-`) || !strings.Contains(cd, "."+format+`"`) {
			t.Errorf("Content-Disposition %q", cd)
		}
		switch format {
		case "csv":
			if !strings.HasPrefix(r.Body, "\uFEFFNumero cartella;Beneficiario;") || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
				t.Errorf("CSV %q: %.80q", r.Header.Get("Content-Type"), r.Body)
			}
		case "xlsx":
			f, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := f.GetCellValue("Interventi", "A1"); v != "Numero cartella" {
				t.Errorf("XLSX A1 = %q", v)
			}
			f.Close()
		}

		// Another operator of the ente, another ente, and who may not read
		// interventions.
		coord := a.client(t)
		coord.login("/t/latina", w.coordX)
		must(t, coord.get(page), http.StatusNotFound)
		must(t, coord.get(page+"/download"), http.StatusNotFound)
		vit := a.client(t)
		vit.login("/t/viterbo", a.seed(t, "viterbo", false, "administrative"))
		must(t, vit.get("/t/viterbo/exports/"+m[1]), http.StatusNotFound)
		must(t, vit.get("/t/viterbo/exports/"+m[1]+"/download"), http.StatusNotFound)
	}
	r = clerk.get("/t/latina/exports")
	if n := strings.Count(r.Body, `class="export-row"`); n != 2 {
		t.Errorf("the list shows %d exports; want 2", n)
	}

	intake := a.client(t)
	intake.login("/t/latina", w.intake)
	must(t, intake.get("/t/latina/exports"), http.StatusForbidden)
	intake.get("/t/latina/")
	must(t, intake.post("/t/latina/exports", url.Values{"kind": {"interventions"}, "format": {"csv"}}), http.StatusForbidden)
}
