package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/people"
)

// workflowValues is the editor's form as a browser posts it for w: one row
// per state and per transition, then blank rows, as the page draws them.
func workflowValues(w casefile.Workflow, blankStates, blankTransitions int) url.Values {
	v := url.Values{"states": {strconv.Itoa(len(w.States) + blankStates)},
		"transitions": {strconv.Itoa(len(w.Transitions) + blankTransitions)}}
	for i, st := range w.States {
		n := "state." + strconv.Itoa(i) + "."
		v.Set(n+"name", st.Name)
		v.Set(n+"label_it", st.LabelIT)
		v.Set(n+"label_en", st.LabelEN)
		if st.Initial {
			v.Set("initial", strconv.Itoa(i))
		}
		if st.Terminal {
			v.Set(n+"terminal", "1")
		}
	}
	for i, t := range w.Transitions {
		n := "transition." + strconv.Itoa(i) + "."
		v.Set(n+"from", t.From)
		v.Set(n+"to", t.To)
		v[n+"roles"] = t.Roles
		if t.RequiresReason {
			v.Set(n+"requires_reason", "1")
		}
	}
	return v
}

// TestWorkflowFormEditor: the tenant admin edits the case workflow row by
// row: adds a state and the transition into it, removes a transition; each
// mistake is shown next to its row and saves nothing.
func TestWorkflowFormEditor(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	base := "/t/viterbo"
	ten, err := svc.Get(ctx, "viterbo")
	if err != nil {
		t.Fatal(err)
	}
	admin := a.client(t)
	admin.login(base, a.seed(t, "viterbo", true, "tenant_admin"))
	must(t, admin.get(base+"/admin/workflow"), http.StatusOK)
	must(t, admin.post(base+"/admin/workflow", url.Values{"reset": {"1"}}), http.StatusSeeOther)
	t.Cleanup(func() { admin.post(base+"/admin/workflow", url.Values{"reset": {"1"}}) })

	def := casefile.DefaultWorkflow()
	r := admin.get(base + "/admin/workflow")
	must(t, r, http.StatusOK, `name="state.0.name" value="open"`, `name="states" value="`+strconv.Itoa(len(def.States)+2)+`"`,
		`name="transition.0.roles" value="social_worker"`, `<label class="visually-hidden" for="f-state-0-name">Nome dello stato 1</label>`)

	saved := func() casefile.Workflow {
		t.Helper()
		w, err := casefile.NewService(pg.DB, people.NewService(pg.DB)).Workflow(ctx, ten.ID)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}

	// A new state in a blank row, without a way in: refused, the new row
	// shown again and offered in the transitions' lists.
	w := casefile.DefaultWorkflow()
	w.States = append(w.States, casefile.State{Name: "triage", LabelIT: "Smistamento", LabelEN: "Triage"})
	r = admin.post(base+"/admin/workflow", workflowValues(w, 1, 3))
	must(t, r, http.StatusUnprocessableEntity, `id="f-transitions-error"`, "non è raggiungibile",
		`name="state.`+strconv.Itoa(len(w.States)-1)+`.name" value="triage"`, `<option value="triage">Smistamento</option>`)
	if got := saved(); !cmp.Equal(got, def) {
		t.Fatalf("a refused workflow was saved: %+v", got)
	}

	// A bad name: its message next to its own field.
	bad := casefile.DefaultWorkflow()
	bad.States[1].Name = "Inviata!"
	r = admin.post(base+"/admin/workflow", workflowValues(bad, 2, 3))
	must(t, r, http.StatusUnprocessableEntity, `id="f-state-1-name-error"`, `aria-describedby="f-state-1-name-error"`)

	// With the transition into it (for social workers, with a reason), and
	// open → referred removed (referred stays reachable from taken in
	// charge): saved as posted.
	w.Transitions = append(w.Transitions, casefile.Transition{From: "open", To: "triage", Roles: []string{"social_worker"}, RequiresReason: true})
	form := workflowValues(w, 2, 2)
	if tr := w.Transitions[0]; tr.From != "open" || tr.To != "referred" {
		t.Fatalf("the default workflow's first transition is %+v", tr)
	}
	form.Set("transition.0.remove", "1")
	w.Transitions = w.Transitions[1:]
	r = admin.post(base+"/admin/workflow", form)
	must(t, r, http.StatusSeeOther)
	must(t, admin.get(r.Location), http.StatusOK, "Flusso salvato.", `value="triage"`)
	if diff := cmp.Diff(w, saved()); diff != "" {
		t.Errorf("saved workflow (-posted +stored):\n%s", diff)
	}

	// In English, two problems of the JSON definition: each its own sentence.
	must(t, admin.get(base+"/admin/workflow?lang=en"), http.StatusOK, "Case workflow")
	roles := casefile.DefaultWorkflow()
	roles.Transitions[0].Roles, roles.Transitions[1].Roles = []string{"wizard"}, []string{"mago"}
	body, err := json.Marshal(roles)
	if err != nil {
		t.Fatal(err)
	}
	must(t, admin.post(base+"/admin/workflow", url.Values{"definition": {string(body)}}), http.StatusUnprocessableEntity,
		`id="f-definition-error"`, `There is no role &#34;wizard&#34;. There is no role &#34;mago&#34;.`)
	admin.get(base + "/admin/workflow?lang=it")
}
