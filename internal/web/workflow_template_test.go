package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/casefile"
)

// workflowCopyID finds the ente's copy of the workflow template item key.
func workflowCopyID(t *testing.T, tenant uuid.UUID, template, key string) string {
	t.Helper()
	var id uuid.UUID
	if err := pg.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT id FROM workflow_template_items WHERE template_id = $1 AND template_key = $2`,
			template, key).Scan(&id)
	}); err != nil {
		t.Fatalf("workflow copy %q: %v", key, err)
	}
	return id.String()
}

func workflowTransitionForm(from, to, roles string, reason bool) url.Values {
	v := url.Values{"type": {"transition"}, "from": {from}, "to": {to}, "roles": {roles}}
	if reason {
		v.Set("needs_reason", "true")
	}
	return v
}

// TestWorkflowTemplatePages: the region creates a workflow template (a bad
// item refused with its fields), publishes v1; an ente adopts it from its
// workflow page and its workflow is the template's; it overrides the roles
// of one transition (an unknown role refused); v2 changes that transition and
// another: the override is kept, the rest applied, the change log says so;
// v3 would leave a state unreachable: the ente is not changed and its page
// says why; a social worker may not see any of it.
func TestWorkflowTemplatePages(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	suffix := uuid.NewString()[:6]
	name := "Flusso Lazio " + suffix

	region := a.client(t)
	region.login("/r/lazio", a.consoleSeed(t, "12", "region_admin"))
	must(t, region.get("/r/lazio/templates"), http.StatusOK, `name="kind"`, "Flusso dei casi")
	r := region.post("/r/lazio/templates", url.Values{"name": {name}, "kind": {"workflow"}})
	must(t, r, http.StatusSeeOther)
	m := templateLink.FindStringSubmatch(r.Location)
	if m == nil {
		t.Fatalf("after creating: %s", r.Location)
	}
	tplID, page := m[1], "/r/lazio/templates/"+m[1]
	must(t, region.get(page+"/items/new"), http.StatusOK, `name="label_it"`, `name="needs_reason"`)
	must(t, region.post(page+"/items", url.Values{"type": {"transition"}, "from": {"open"}, "to": {"open"}, "roles": {"Capo"}}),
		http.StatusUnprocessableEntity, `id="f-to-error"`, `id="f-roles-error"`)
	must(t, region.post(page+"/items", url.Values{"type": {"state"}, "name": {"Aperta"}}),
		http.StatusUnprocessableEntity, `id="f-name-error"`, `id="f-label_it-error"`, `id="f-label_en-error"`)
	must(t, region.post(page+"/items", url.Values{}), http.StatusUnprocessableEntity, `id="f-type-error"`)
	w := casefile.DefaultWorkflow()
	for _, st := range w.States {
		f := url.Values{"type": {"state"}, "name": {st.Name}, "label_it": {st.LabelIT}, "label_en": {st.LabelEN}}
		if st.Initial {
			f.Set("initial", "true")
		}
		if st.Terminal {
			f.Set("terminal", "true")
		}
		must(t, region.post(page+"/items", f), http.StatusSeeOther)
	}
	for _, tr := range w.Transitions {
		must(t, region.post(page+"/items", workflowTransitionForm(tr.From, tr.To, strings.Join(tr.Roles, ","), tr.RequiresReason)), http.StatusSeeOther)
	}
	must(t, region.get(page), http.StatusOK, "open → closed", "Passaggio di stato")
	must(t, region.post(page+"/publish", url.Values{"note": {"Prima versione"}}), http.StatusSeeOther)

	// The ente's admin adopts it from the workflow page.
	const slug = "ambito-lt1"
	ten, err := svc.Get(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	_, admin := a.adminOf(t, slug)
	base := "/t/" + slug + "/admin/workflow"
	must(t, admin.get(base), http.StatusOK, base+"/templates")
	must(t, admin.get(base+"/templates"), http.StatusOK, name, base+"/templates/"+tplID+"/adopt")
	must(t, admin.post(base+"/templates/"+tplID+"/adopt", nil), http.StatusSeeOther)
	must(t, admin.post(base+"/templates/"+tplID+"/adopt", nil), http.StatusConflict)
	must(t, admin.get(base+"/templates?done=adopted"), http.StatusOK, "Modello adottato", "Adottato, versione 1")
	cases := casefile.NewService(pg.DB, nil)
	got, err := cases.Workflow(ctx, ten.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.States) != len(w.States) || len(got.Transitions) != len(w.Transitions) {
		t.Fatalf("adopted workflow = %+v", got)
	}

	// The whole-workflow editor only shows it, and no longer replaces it.
	r = admin.get(base)
	must(t, r, http.StatusOK, `id="from-template"`, `<fieldset disabled aria-describedby="from-template">`)
	if strings.Contains(r.Body, `name="reset"`) || strings.Contains(r.Body, `name="definition"`) {
		t.Errorf("the editor of a workflow from a template offers to replace it")
	}
	must(t, admin.post(base, url.Values{"reset": {"1"}}), http.StatusUnprocessableEntity, `id="f-form-error"`, "Il flusso segue un modello regionale")

	// A social worker sees none of it.
	sw := a.client(t)
	sw.login("/t/"+slug, a.seed(t, slug, false, "social_worker"))
	must(t, sw.get(base+"/templates"), http.StatusForbidden)

	// The ente lets social workers close open cases; an unknown role is
	// refused next to the transition, and nothing changes.
	openClosed := workflowCopyID(t, ten.ID, tplID, "open-closed")
	must(t, admin.post(base+"/templates/items/"+openClosed, url.Values{"roles": {"coordinator, nessuno"}, "needs_reason": {"true"}}),
		http.StatusUnprocessableEntity, `id="roles-`+openClosed+`-error"`, `aria-invalid="true"`, "nessuno")
	must(t, admin.post(base+"/templates/items/"+openClosed, url.Values{"roles": {"coordinator, social_worker"}, "needs_reason": {"true"}}),
		http.StatusSeeOther)
	must(t, admin.get(base+"/templates?done=saved"), http.StatusOK, "Passaggio di stato salvato", "modificato dall&#39;ente")

	// v2: open → closed to social workers only and without a reason, open →
	// referred to social workers too.
	must(t, region.post(page+"/items/open-closed", workflowTransitionForm("open", "closed", "social_worker", false)), http.StatusSeeOther)
	must(t, region.post(page+"/items/open-referred", workflowTransitionForm("open", "referred", "coordinator,social_worker", false)), http.StatusSeeOther)
	r = region.post(page+"/publish", nil)
	must(t, r, http.StatusSeeOther)
	if !strings.Contains(r.Location, "v=2&n=1&failed=0") {
		t.Errorf("publish v2: %s", r.Location)
	}
	got, _ = cases.Workflow(ctx, ten.ID)
	for _, tr := range got.Transitions {
		switch tr.From + ">" + tr.To {
		case "open>closed":
			if !slices.Equal(tr.Roles, []string{"coordinator", "social_worker"}) || tr.RequiresReason {
				t.Errorf("v2 open → closed = %+v; want the ente's roles, no reason", tr)
			}
		case "open>referred":
			if !slices.Equal(tr.Roles, []string{"coordinator", "social_worker"}) {
				t.Errorf("v2 open → referred = %+v", tr)
			}
		}
	}
	must(t, admin.get(base+"/templates"), http.StatusOK, "Adottato, versione 2", "Mantenuto il valore dell&#39;ente", "Applicata",
		"Segna come lette")
	must(t, admin.post(base+"/templates/changes/read", nil), http.StatusSeeOther)
	if r := admin.get(base + "/templates?done=read"); strings.Contains(r.Body, "Segna come lette") {
		t.Error("changes still unread after marking them read")
	}

	// v3 leaves "referred" unreachable: refused for the ente, which stays on
	// v2 and is told why when it tries to catch up.
	must(t, region.post(page+"/items/open-referred/remove", nil), http.StatusSeeOther)
	must(t, region.post(page+"/items/taken-in-charge-referred/remove", nil), http.StatusSeeOther)
	r = region.post(page+"/publish", nil)
	if !strings.Contains(r.Location, "v=3&n=0&failed=1") {
		t.Errorf("publish v3: %s", r.Location)
	}
	must(t, admin.get(base+"/templates"), http.StatusOK, "Adottato, versione 2", "da aggiornare", base+"/templates/"+tplID+"/sync")
	must(t, admin.post(base+"/templates/"+tplID+"/sync", nil), http.StatusUnprocessableEntity,
		"Il flusso risultante dal modello non è valido", "referred", `role="alert"`)
	if after, _ := cases.Workflow(ctx, ten.ID); len(after.Transitions) != len(got.Transitions) {
		t.Errorf("a refused version changed the workflow: %+v", after)
	}
	// The ente's copies of items stay its own: another ente's id is not found.
	must(t, admin.post(base+"/templates/items/"+uuid.NewString(), url.Values{"roles": {"coordinator"}}), http.StatusNotFound)
	must(t, admin.post(base+"/templates/items/"+uuid.NewString()+"/restore", nil), http.StatusNotFound)

	// The ente gives open → closed back to the template (v2: social workers,
	// no reason); a transition it never changed has nothing to restore.
	must(t, admin.get(base+"/templates"), http.StatusOK, base+"/templates/items/"+openClosed+"/restore")
	must(t, admin.post(base+"/templates/items/"+openClosed+"/restore", nil), http.StatusSeeOther)
	r = admin.get(base + "/templates?done=restored")
	must(t, r, http.StatusOK, "Passaggio di stato riportato ai valori del modello.")
	if strings.Contains(r.Body, base+"/templates/items/"+openClosed+"/restore") {
		t.Error("the restored transition still offers to restore")
	}
	got, _ = cases.Workflow(ctx, ten.ID)
	for _, tr := range got.Transitions {
		if tr.From == "open" && tr.To == "closed" && (!slices.Equal(tr.Roles, []string{"social_worker"}) || tr.RequiresReason) {
			t.Errorf("restored open → closed = %+v; want the template's v2", tr)
		}
	}
	must(t, admin.post(base+"/templates/items/"+openClosed+"/restore", nil), http.StatusConflict)
}
