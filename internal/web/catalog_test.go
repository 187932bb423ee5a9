package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

var templateLink = regexp.MustCompile(`/r/lazio/templates/([0-9a-f-]{36})$`)

// catalogEntryID finds the id of latina's entry named name.
func catalogEntryID(t *testing.T, name string) string {
	t.Helper()
	ten, err := svc.Get(context.Background(), "latina")
	if err != nil {
		t.Fatal(err)
	}
	var id uuid.UUID
	if err := pg.DB.InTenant(context.Background(), ten.ID, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT id FROM catalog_entries WHERE name = $1`, name).Scan(&id)
	}); err != nil {
		t.Fatalf("entry %q: %v", name, err)
	}
	return id.String()
}

func templateItemForm(name, code, ente, user string) url.Values {
	return url.Values{"name": {name}, "inps_code": {code}, "user_area": {"2"}, "unit": {"hours"}, "means_test": {"1"},
		"isee_threshold": {"15000"}, "share_ente": {ente}, "share_user": {user}, "share_health": {"0"}, "character": {"1"}}
}

// TestCatalogTemplatePages walks the regional template from the region's
// console to an ente's catalogue: create, refuse a bad item, publish, adopt,
// override a field, publish a change, read what changed; with the role checks
// of both sides.
func TestCatalogTemplatePages(t *testing.T) {
	a := newApp(t)
	suffix := uuid.NewString()[:6]
	tmplName := "Catalogo Lazio " + suffix
	sadName := "Assistenza domiciliare " + suffix

	region := a.client(t)
	region.login("/r/lazio", a.consoleSeed(t, "12", "region_admin"))
	must(t, region.get("/r/lazio/templates"), http.StatusOK, "Modelli regionali")
	must(t, region.post("/r/lazio/templates", url.Values{"name": {" "}}), http.StatusUnprocessableEntity, `id="f-name-error"`)
	r := region.post("/r/lazio/templates", url.Values{"name": {tmplName}})
	must(t, r, http.StatusSeeOther)
	m := templateLink.FindStringSubmatch(r.Location)
	if m == nil {
		t.Fatalf("after creating: %s", r.Location)
	}
	page := "/r/lazio/templates/" + m[1]
	must(t, region.get(page), http.StatusOK, tmplName, "Non ancora pubblicato")
	must(t, region.get(page+"/items/new"), http.StatusOK, `name="inps_code"`)
	bad := templateItemForm("SAD", "A2", "50", "20")
	must(t, region.post(page+"/items", bad), http.StatusUnprocessableEntity,
		`id="f-inps_code-error"`, `id="f-inps_name-error"`, `id="f-share_ente-error"`, "Le quote di ente, utente e servizio sanitario devono sommare a 100.")
	must(t, region.post(page+"/items", templateItemForm(sadName, "A2.01", "80", "20")), http.StatusSeeOther)
	must(t, region.post(page+"/items", templateItemForm("Trasporto sociale "+suffix, "A2.07", "100", "0")), http.StatusSeeOther)
	must(t, region.post(page+"/publish", url.Values{"note": {"Prima versione"}}), http.StatusSeeOther)
	must(t, region.get(page), http.StatusOK, "Ultima versione pubblicata: 1", "Prima versione", "Nessun ente ha ancora adottato")

	// A region analyst may not publish templates.
	analyst := a.client(t)
	analyst.login("/r/lazio", a.consoleSeed(t, "12", "region_analyst"))
	must(t, analyst.get("/r/lazio/templates"), http.StatusForbidden)

	// The ente's admin adopts the template.
	admin := a.client(t)
	admin.login("/t/latina", a.seed(t, "latina", true, "tenant_admin"))
	r = admin.get("/t/latina/catalog")
	must(t, r, http.StatusOK, tmplName, "/catalog/templates/"+m[1]+"/adopt", `href="/t/latina/catalog"`)
	must(t, admin.post("/t/latina/catalog/templates/"+m[1]+"/adopt", nil), http.StatusSeeOther)
	must(t, admin.post("/t/latina/catalog/templates/"+m[1]+"/adopt", nil), http.StatusConflict)
	must(t, admin.get("/t/latina/catalog?done=adopted"), http.StatusOK, "Modello adottato", sadName, "A2.01")
	sad := catalogEntryID(t, sadName)
	must(t, admin.get("/t/latina/catalog/"+sad), http.StatusOK, "Voce del modello regionale, alla versione 1.", "Come nel modello")

	// A social worker reads the catalogue but may not change it.
	sw := a.client(t)
	sw.login("/t/latina", a.seed(t, "latina", false, "social_worker"))
	must(t, sw.get("/t/latina/catalog"), http.StatusOK, sadName)
	must(t, sw.get("/t/latina/catalog/"+sad), http.StatusOK, sadName)
	must(t, sw.get("/t/latina/catalog/new"), http.StatusForbidden)
	must(t, sw.get("/t/latina/catalog/changes"), http.StatusForbidden)
	must(t, sw.post("/t/latina/catalog", templateItemForm("Voce abusiva "+suffix, "A1.01", "100", "0")), http.StatusForbidden)
	must(t, sw.post("/t/latina/catalog/"+sad, templateItemForm(sadName, "A2.01", "70", "30")), http.StatusForbidden)
	// An operator with neither permission does not read it.
	intake := a.client(t)
	intake.login("/t/latina", a.seed(t, "latina", false, "intake_operator"))
	must(t, intake.get("/t/latina/catalog"), http.StatusForbidden)

	// The admin overrides the shares of SAD (refused first when they do not
	// sum to 100) and adds a local entry.
	r = admin.get("/t/latina/catalog/" + sad + "/edit")
	must(t, r, http.StatusOK, `name="version"`, "Questa voce viene dal modello regionale")
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(r.Body)[1]
	form := templateItemForm(sadName, "A2.01", "70", "20")
	form.Set("version", version)
	must(t, admin.post("/t/latina/catalog/"+sad, form), http.StatusUnprocessableEntity, `id="f-share_ente-error"`, `value="70"`)
	form.Set("share_user", "30")
	must(t, admin.post("/t/latina/catalog/"+sad, form), http.StatusSeeOther)
	form.Set("share_user", "25")
	form.Set("share_health", "5")
	must(t, admin.post("/t/latina/catalog/"+sad, form), http.StatusConflict, "modificata nel frattempo") // stale version
	must(t, admin.get("/t/latina/catalog/"+sad), http.StatusOK, "Modificato dall&#39;ente")
	local := url.Values{"name": {"Contributo economico " + suffix}, "inps_code": {"A1.04"}, "user_area": {"3"}, "unit": {"euro"},
		"means_test": {"4"}, "isee_threshold": {"9.360,50"}, "share_ente": {"100"}, "character": {"2"}}
	must(t, admin.post("/t/latina/catalog", local), http.StatusUnprocessableEntity, `id="f-isee_threshold-error"`,
		"La soglia ISEE si indica solo per le prestazioni soggette a ISEE.")
	local.Set("means_test", "1")
	must(t, admin.post("/t/latina/catalog", local), http.StatusSeeOther)

	// The region changes SAD's name and shares and publishes version 2.
	must(t, region.post(page+"/items/"+itemKey(t, region, page, sadName), templateItemForm(sadName+" (SAD)", "A2.01", "90", "10")), http.StatusSeeOther)
	r = region.post(page+"/publish", nil)
	must(t, r, http.StatusSeeOther)
	if !strings.Contains(r.Location, "done=published&v=2") || !strings.Contains(r.Location, "failed=0") {
		t.Fatalf("after publishing v2: %s", r.Location)
	}
	must(t, region.get(page), http.StatusOK, `href="/r/lazio/enti/latina"`)

	// The ente sees what changed: the name applied, its shares kept.
	r = admin.get("/t/latina/catalog")
	must(t, r, http.StatusOK, "da leggere")
	r = admin.get("/t/latina/catalog/changes")
	must(t, r, http.StatusOK, "Applicata", "Mantenuto il valore dell&#39;ente", sadName+" (SAD)", "Quota ente (%)", "Segna come lette")
	must(t, admin.post("/t/latina/catalog/changes/read", nil), http.StatusSeeOther)
	r = admin.get("/t/latina/catalog/changes")
	if strings.Contains(r.Body, "Segna come lette") {
		t.Error("changes still unread after marking them read")
	}
	r = admin.get("/t/latina/catalog/" + sad)
	must(t, r, http.StatusOK, sadName+" (SAD)", "70")
	// Restoring the shares gives back the template's.
	must(t, admin.post("/t/latina/catalog/"+sad+"/restore", url.Values{"field": {"share_user"}}), http.StatusSeeOther)
	must(t, admin.get("/t/latina/catalog/"+sad+"/edit"), http.StatusOK, `value="90"`, `value="10"`)
	must(t, admin.post("/t/latina/catalog/"+sad+"/active", url.Values{"active": {"0"}}), http.StatusSeeOther)
	must(t, admin.get("/t/latina/catalog/"+sad), http.StatusOK, "Riattiva")

	// Another region's console does not see Lazio's template.
	consoleLombardy(t)
	lomb := a.client(t)
	lomb.login("/r/lombardia", a.consoleSeed(t, "03", "region_admin"))
	must(t, lomb.get("/r/lombardia/templates/"+m[1]), http.StatusNotFound)
	must(t, lomb.post("/r/lombardia/templates/"+m[1]+"/publish", nil), http.StatusNotFound)
	if r := lomb.get("/r/lombardia/templates"); strings.Contains(r.Body, tmplName) {
		t.Error("Lombardy's console lists Lazio's template")
	}
}

var itemKeyLink = regexp.MustCompile(`href="/r/lazio/templates/[0-9a-f-]{36}/items/([a-z0-9._-]+)">([^<]+)</a>`)

// itemKey finds the key of the item named name on a template's page.
func itemKey(t *testing.T, c *client, page, name string) string {
	t.Helper()
	for _, m := range itemKeyLink.FindAllStringSubmatch(c.get(page).Body, -1) {
		if m[2] == name {
			return m[1]
		}
	}
	t.Fatalf("no item %q on %s", name, page)
	return ""
}

// TestCatalogAPI: the catalogue through the API, by role; bad input is 422
// naming the fields; another ente's entry is not found.
func TestCatalogAPI(t *testing.T) {
	a := newApp(t)
	manager := a.token(t, "latina", a.newAPIClient(t, "latina", "tenant_admin"))
	reader := a.token(t, "latina", a.newAPIClient(t, "latina", "social_worker", "intake_operator"))
	nobody := a.token(t, "latina", a.newAPIClient(t, "latina", "auditor", "intake_operator", "auditor"))
	viterbo := a.token(t, "viterbo", a.newAPIClient(t, "viterbo", "tenant_admin"))
	base := "/t/latina/api/v1/catalog"
	name := "Pasti a domicilio " + uuid.NewString()[:6]

	entry := map[string]any{"name": name, "inps_code": "A2.05", "user_area": "2", "unit": "accesses",
		"means_test": "1", "isee_threshold": 12000, "share_ente": 60, "share_user": 40, "share_health": 0, "character": "1"}
	must(t, a.apiCall(t, http.MethodPost, base, reader, entry), http.StatusForbidden)
	r := a.apiCall(t, http.MethodPost, base, manager, map[string]any{"name": "X", "inps_code": "A", "user_area": "7", "unit": "kg",
		"means_test": "4", "isee_threshold": 100, "share_ente": 50, "share_user": 0, "share_health": 0, "character": "1"})
	must(t, r, http.StatusUnprocessableEntity)
	var problem struct {
		Errors []struct{ Field, Message string } `json:"errors"`
	}
	if err := json.Unmarshal([]byte(r.Body), &problem); err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, e := range problem.Errors {
		fields = append(fields, e.Field)
	}
	for _, f := range []string{"name", "inps_code", "user_area", "unit", "isee_threshold", "share_ente"} {
		if !slices.Contains(fields, f) {
			t.Errorf("422 lacks field %s: %s", f, r.Body)
		}
	}

	r = a.apiCall(t, http.MethodPost, base, manager, entry)
	must(t, r, http.StatusCreated, name)
	var created struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal([]byte(r.Body), &created); err != nil {
		t.Fatal(err)
	}
	must(t, a.apiCall(t, http.MethodGet, base, reader, nil), http.StatusOK, name)
	must(t, a.apiCall(t, http.MethodGet, base+"?active=true&q=pasti", reader, nil), http.StatusOK, name)
	must(t, a.apiCall(t, http.MethodGet, base+"/"+created.ID, reader, nil), http.StatusOK, `"share_user":40`)
	must(t, a.apiCall(t, http.MethodGet, base, nobody, nil), http.StatusForbidden)
	must(t, a.apiCall(t, http.MethodGet, base+"/"+created.ID, nobody, nil), http.StatusForbidden)

	// PATCH: by role, bad input, a stale version, deactivation.
	must(t, a.apiCall(t, http.MethodPatch, base+"/"+created.ID, reader, map[string]any{"unit": "hours"}), http.StatusForbidden)
	must(t, a.apiCall(t, http.MethodPatch, base+"/"+created.ID, manager, map[string]any{"share_user": 50}), http.StatusUnprocessableEntity, "share_ente")
	must(t, a.apiCall(t, http.MethodPatch, base+"/"+created.ID, manager, map[string]any{"unit": "hours", "isee_threshold": nil, "version": created.Version}),
		http.StatusOK, `"unit":"hours"`, `"isee_threshold":null`)
	must(t, a.apiCall(t, http.MethodPatch, base+"/"+created.ID, manager, map[string]any{"unit": "days", "version": created.Version}), http.StatusConflict)
	must(t, a.apiCall(t, http.MethodPatch, base+"/"+created.ID, manager, map[string]any{"active": false}), http.StatusOK, `"active":false`)
	if r := a.apiCall(t, http.MethodGet, base+"?active=true", reader, nil); strings.Contains(r.Body, name) {
		t.Error("active list holds the deactivated entry")
	}

	// Another ente: not found, whatever the method.
	other := "/t/viterbo/api/v1/catalog/" + created.ID
	must(t, a.apiCall(t, http.MethodGet, other, viterbo, nil), http.StatusNotFound)
	must(t, a.apiCall(t, http.MethodPatch, other, viterbo, map[string]any{"unit": "days"}), http.StatusNotFound)
	if r := a.apiCall(t, http.MethodGet, "/t/viterbo/api/v1/catalog", viterbo, nil); strings.Contains(r.Body, name) {
		t.Error("viterbo lists latina's entry")
	}
	must(t, a.apiCall(t, http.MethodGet, base+"/not-a-uuid", manager, nil), http.StatusNotFound)
}
