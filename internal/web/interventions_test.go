package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/interventions"
)

// interventionWorld is the case world with a catalogue entry in euro (ISEE
// means test, threshold € 15.000) and a tax code for the cases' person.
func interventionWorld(t *testing.T, a *testApp) (*caseWorld, uuid.UUID) {
	t.Helper()
	w := newCaseWorld(t, a)
	entry := uuid.New()
	err := pg.DB.InTenant(context.Background(), w.tenant, func(tx pgx.Tx) error {
		if _, err := tx.Exec(context.Background(), `INSERT INTO catalog_entries (tenant_id, id, name, inps_code, user_area, unit,
				means_test, isee_threshold, share_ente, share_user, share_health, character)
			VALUES ($1, $2, 'Contributo affitto', 'A1.04', '3', 'euro', '1', 15000, 100, 0, 0, '2')`, w.tenant, entry); err != nil {
			return err
		}
		_, err := tx.Exec(context.Background(), `UPDATE people SET tax_code = $2 WHERE id = $1`, w.person,
			"RSS"+strings.ToUpper(strings.ReplaceAll(uuid.NewString(), "-", "")[:13]))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return w, entry
}

func problemFields(t *testing.T, r response) []string {
	t.Helper()
	p := decode[struct {
		Errors []struct{ Field string } `json:"errors"`
	}](t, r)
	out := []string{}
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

// TestInterventionsAPI takes an intervention through the API: requested by a
// client that may, moved by the roles that may (403 for the others, 409 for a
// move the state forbids, 422 naming what activation lacks), edited, given a
// delivery; another ente's client finds nothing.
func TestInterventionsAPI(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	w, entry := interventionWorld(t, a)
	if err := a.Authz.SaveRole(ctx, w.tenant, authz.Role{Name: "direzione", LabelIT: "Direzione",
		Permissions: []string{"cases:read_all", "cases:write", "interventions:read", "interventions:request", "interventions:authorise"}}); err != nil {
		t.Fatal(err)
	}
	dir := a.token(t, "latina", a.newAPIClient(t, "latina", "direzione"))
	adm := a.token(t, "latina", a.newAPIClient(t, "latina", "administrative", "auditor"))
	intake := a.token(t, "latina", a.newAPIClient(t, "latina", "intake_operator", "auditor", "tenant_admin"))
	other := a.token(t, "viterbo", a.newAPIClient(t, "viterbo", "administrative"))
	base := "/t/latina/api/v1/interventions"
	start := time.Now().AddDate(0, -1, 0).Format(time.DateOnly)

	r := a.apiCall(t, http.MethodPost, base, dir, map[string]any{"person_id": w.person, "case_id": w.c1.ID, "catalog_entry_id": entry})
	must(t, r, http.StatusUnprocessableEntity)
	if diff := cmp.Diff([]string{"start_date"}, problemFields(t, r)); diff != "" {
		t.Errorf("request without start date (-want +got):\n%s", diff)
	}
	r = a.apiCall(t, http.MethodPost, base, dir, map[string]any{"person_id": w.person, "case_id": w.c1.ID, "catalog_entry_id": entry, "start_date": start})
	must(t, r, http.StatusCreated)
	it := decode[interventions.Intervention](t, r)
	path := base + "/" + it.ID.String()
	move := func(tok, to, reason string) response {
		return a.apiCall(t, http.MethodPost, path+"/transitions", tok, map[string]any{"to": to, "reason": reason})
	}
	must(t, move(adm, "approved", ""), http.StatusForbidden)
	must(t, move(adm, "active", ""), http.StatusConflict)
	must(t, move(dir, "active", ""), http.StatusForbidden)
	must(t, move(dir, "refused", ""), http.StatusUnprocessableEntity, `"reason"`)
	must(t, move(dir, "approved", ""), http.StatusOK, `"state":"approved"`)
	r = move(adm, "active", "")
	must(t, r, http.StatusUnprocessableEntity)
	want := []string{"application_protocol", "monthly_amount_cents", "dsu_protocol", "dsu_year", "dsu_date", "isee_value_cents"}
	if diff := cmp.Diff(want, problemFields(t, r)); diff != "" {
		t.Errorf("activation refused (-want +got):\n%s", diff)
	}
	r = a.apiCall(t, http.MethodGet, path, adm, nil)
	must(t, r, http.StatusOK, `"missing_for_activation"`, `"state":"approved"`)
	v := decode[interventions.View](t, r)
	r = a.apiCall(t, http.MethodPatch, path, adm, map[string]any{"version": v.Version - 1, "application_protocol": "P-1"})
	must(t, r, http.StatusConflict)
	r = a.apiCall(t, http.MethodPatch, path, adm, map[string]any{"version": v.Version, "application_protocol": "PROT-2026-7",
		"monthly_amount_cents": 40000, "period_months": 6, "dsu_protocol": "INPS-ISEE-2026-00000007A-00", "dsu_year": 2026,
		"dsu_date": start, "isee_value_cents": 900000})
	must(t, r, http.StatusOK, `"application_protocol":"PROT-2026-7"`)
	must(t, move(adm, "active", ""), http.StatusOK, `"state":"active"`)

	dpath := path + "/deliveries"
	must(t, a.apiCall(t, http.MethodGet, dpath, adm, nil), http.StatusOK, `{"items":[]}`)
	r = a.apiCall(t, http.MethodPost, dpath, adm, map[string]any{"delivered_on": time.Now().Format(time.DateOnly)})
	must(t, r, http.StatusUnprocessableEntity)
	if diff := cmp.Diff([]string{"amount_cents"}, problemFields(t, r)); diff != "" {
		t.Errorf("delivery without amount (-want +got):\n%s", diff)
	}
	must(t, a.apiCall(t, http.MethodPost, dpath, dir, map[string]any{"delivered_on": start, "amount_cents": 40000}), http.StatusForbidden)
	r = a.apiCall(t, http.MethodPost, dpath, adm, map[string]any{"delivered_on": start, "amount_cents": 40000, "provider": "Ufficio casa"})
	must(t, r, http.StatusCreated)
	d := decode[interventions.Delivery](t, r)
	must(t, a.apiCall(t, http.MethodPost, dpath+"/"+d.ID.String()+"/cancellation", adm, map[string]any{"reason": "Importo errato"}), http.StatusOK, `"cancelled":true`)
	must(t, a.apiCall(t, http.MethodGet, dpath, dir, nil), http.StatusOK, `"cancel_reason":"Importo errato"`)

	must(t, a.apiCall(t, http.MethodGet, base+"?case_id="+w.c1.ID.String(), dir, nil), http.StatusOK, it.ID.String())
	must(t, a.apiCall(t, http.MethodGet, base, intake, nil), http.StatusForbidden)
	for _, p := range []string{path, dpath} {
		must(t, a.apiCall(t, http.MethodGet, strings.Replace(p, "/latina/", "/viterbo/", 1), other, nil), http.StatusNotFound)
	}
	must(t, a.apiCall(t, http.MethodPost, strings.Replace(path, "/latina/", "/viterbo/", 1)+"/transitions", other, map[string]any{"to": "suspended", "reason": "x"}), http.StatusNotFound)
}

// TestInterventionPages: the case page lists the case's interventions; the
// request form records one; the intervention's page says what activation
// lacks, field by field, and shows each role only its buttons.
func TestInterventionPages(t *testing.T) {
	a := newApp(t)
	w, entry := interventionWorld(t, a)
	base := "/t/latina"
	sw := a.client(t)
	sw.login(base, w.swA)
	r := sw.get(base + "/cases/" + w.c1.ID.String())
	must(t, r, http.StatusOK, "Interventi", "Richiedi intervento")
	r = sw.get(base + "/cases/" + w.c1.ID.String() + "/interventions/new")
	must(t, r, http.StatusOK, "Contributo affitto")
	r = sw.post(base+"/cases/"+w.c1.ID.String()+"/interventions", url.Values{"catalog_entry_id": {entry.String()}, "monthly_amount": {"abc"}})
	must(t, r, http.StatusUnprocessableEntity, "Importo non valido")
	r = sw.post(base+"/cases/"+w.c1.ID.String()+"/interventions", url.Values{"catalog_entry_id": {entry.String()}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-start_date-error"`)
	r = sw.post(base+"/cases/"+w.c1.ID.String()+"/interventions", url.Values{"catalog_entry_id": {entry.String()},
		"start_date": {"2026-01-01"}, "monthly_amount": {"250,00"}})
	must(t, r, http.StatusSeeOther)
	page := r.Location[:strings.Index(r.Location, "?")]
	r = sw.get(page)
	must(t, r, http.StatusOK, "Richiesto", "Per attivare mancano", "Protocollo della domanda", "Protocollo DSU", "€ 250,00")
	if strings.Contains(r.Body, `value="approved"`) || strings.Contains(r.Body, `value="active"`) {
		t.Error("the social worker is offered moves that are not theirs")
	}
	must(t, sw.get(base+"/cases/"+w.c1.ID.String()), http.StatusOK, "Contributo affitto", "Richiesto")

	coord := a.client(t)
	coord.login(base, w.coordX)
	r = coord.get(page)
	must(t, r, http.StatusOK, `value="approved"`, `value="refused"`)
	must(t, coord.post(page+"/transitions", url.Values{"to": {"refused"}}), http.StatusUnprocessableEntity, "Indicare il motivo")
	must(t, coord.post(page+"/transitions", url.Values{"to": {"approved"}}), http.StatusSeeOther)

	adminAcct := a.seed(t, "latina", false, "administrative")
	adm := a.client(t)
	adm.login(base, adminAcct)
	must(t, adm.get(base+"/interventions?state=approved"), http.StatusOK, "Contributo affitto")
	r = adm.get(page)
	must(t, r, http.StatusOK, `value="active"`, "Per attivare mancano")
	r = adm.post(page+"/transitions", url.Values{"to": {"active"}})
	must(t, r, http.StatusUnprocessableEntity, "Protocollo della domanda", `id="f-application_protocol-error"`, `id="f-dsu_protocol-error"`)
	if strings.Contains(r.Body, `value="approved"`) {
		t.Error("the administrative office is offered the coordinator's moves")
	}
	intake := a.client(t)
	intake.login(base, w.intake)
	must(t, intake.get(base+"/interventions"), http.StatusForbidden)
	must(t, intake.get(page), http.StatusForbidden)

	// In English, what is missing and the refused move's field errors are
	// English sentences, not the domain's Italian.
	must(t, adm.get(page+"?lang=en"), http.StatusOK, "To activate it, these are missing:", "Give the application protocol.")
	must(t, adm.post(page+"/transitions", url.Values{"to": {"active"}}), http.StatusUnprocessableEntity, "Give the DSU protocol.")
}
