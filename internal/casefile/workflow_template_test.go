package casefile

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/templates"
)

// workflowItems saves the default workflow as the items of template id.
func workflowItems(t *testing.T, ts *templates.Service, region string, id uuid.UUID, a templates.Actor) map[string]string {
	t.Helper()
	ctx := context.Background()
	keys := map[string]string{}
	w := DefaultWorkflow()
	for _, st := range w.States {
		it, err := ts.SaveItem(ctx, region, id, "", map[string]string{WFType: WFTypeState, WFName: st.Name,
			WFLabelIT: st.LabelIT, WFLabelEN: st.LabelEN, WFInitial: boolText(st.Initial), WFTerminal: boolText(st.Terminal)}, a)
		if err != nil {
			t.Fatal(err)
		}
		keys[st.Name] = it.Key
	}
	for _, tr := range w.Transitions {
		it, err := ts.SaveItem(ctx, region, id, "", map[string]string{WFType: WFTypeTransition, WFFrom: tr.From, WFTo: tr.To,
			WFRoles: strings.Join(tr.Roles, ","), WFNeedsReason: boolText(tr.RequiresReason)}, a)
		if err != nil {
			t.Fatal(err)
		}
		keys[tr.From+">"+tr.To] = it.Key
	}
	return keys
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func wfTransition(w Workflow, from, to string) Transition {
	tr, _ := w.find(from, to)
	return tr
}

// TestWorkflowTemplate: v1 published, an ente adopts → its workflow is the
// template's; it overrides the roles of one transition; v2 changes that
// transition and another → the override is kept, the other applied, the
// change log says so; an ente of another region sees nothing; a version
// that would make the workflow invalid is refused whole.
func TestWorkflowTemplate(t *testing.T) {
	ctx := context.Background()
	ts := templates.NewService(pg.DB, map[string]templates.Kind{})
	ts.Register(templates.KindWorkflow, WorkflowTemplateKind{})
	svc := NewService(pg.DB, nil)
	region := templates.Actor{ID: uuid.New(), Email: "regione@lazio.it"}
	admin := Viewer{ID: uuid.New(), Email: "admin@ente.it", Perms: map[string]bool{"workflow:manage": true}}
	ente := pg.NewTenant(t)

	tpl, err := ts.Create(ctx, "12", templates.KindWorkflow, "Flusso regionale", "", region)
	if err != nil {
		t.Fatal(err)
	}
	keys := workflowItems(t, ts, "12", tpl.ID, region)
	if _, _, err := ts.Publish(ctx, "12", tpl.ID, "prima versione", region); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Adopt(ctx, ente, tpl.ID, templates.Actor{ID: admin.ID, Email: admin.Email}); err != nil {
		t.Fatal(err)
	}
	w, err := svc.Workflow(ctx, ente)
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultWorkflow()
	if len(w.States) != len(def.States) || len(w.Transitions) != len(def.Transitions) {
		t.Fatalf("adopted workflow = %+v; want the template's", w)
	}
	if got := wfTransition(w, "open", "closed"); !slices.Equal(got.Roles, []string{"coordinator"}) || !got.RequiresReason {
		t.Errorf("open → closed = %+v", got)
	}

	// A whole new workflow is refused while the ente follows the template.
	if err := svc.SaveWorkflow(ctx, ente, DefaultWorkflow(), nil, admin); len(Fields(err)) != 1 || Fields(err)[0].Message != ErrWorkflowFromTemplate {
		t.Errorf("SaveWorkflow while adopted: %v", err)
	}

	// The ente lets social workers close open cases too.
	copies, err := svc.WorkflowCopies(ctx, ente, admin)
	if err != nil {
		t.Fatal(err)
	}
	var openClosed, openReferred WorkflowCopy
	for _, c := range copies {
		switch c.Key {
		case keys["open>closed"]:
			openClosed = c
		case keys["open>referred"]:
			openReferred = c
		}
	}
	validRole := func(r string) bool { return r == "coordinator" || r == "social_worker" }
	if _, err := svc.OverrideWorkflowItem(ctx, ente, openClosed.ID, map[string]string{WFRoles: "social_worker, coordinator"}, validRole, admin); err != nil {
		t.Fatal(err)
	}
	// An unknown role is refused on its field, and nothing changes.
	_, err = svc.OverrideWorkflowItem(ctx, ente, openReferred.ID, map[string]string{WFRoles: "nessuno"}, validRole, admin)
	if fs := Fields(err); len(fs) != 1 || fs[0].Field != WFRoles {
		t.Errorf("unknown role: %v", err)
	}
	// Someone without workflow:manage may not.
	if _, err := svc.OverrideWorkflowItem(ctx, ente, openReferred.ID, map[string]string{WFRoles: "social_worker"}, validRole,
		Viewer{ID: uuid.New(), Perms: map[string]bool{}}); !errors.Is(err, derrors.ErrForbidden) {
		t.Errorf("without workflow:manage: %v", err)
	}
	w, _ = svc.Workflow(ctx, ente)
	if got := wfTransition(w, "open", "closed"); !slices.Equal(got.Roles, []string{"coordinator", "social_worker"}) {
		t.Errorf("after the override open → closed = %+v", got)
	}
	if got := wfTransition(w, "open", "referred"); !slices.Equal(got.Roles, []string{"coordinator"}) {
		t.Errorf("refused override changed open → referred: %+v", got)
	}

	// v2: open → closed to social workers only, without a reason; open →
	// referred to social workers too.
	if _, err := ts.SaveItem(ctx, "12", tpl.ID, keys["open>closed"], map[string]string{WFType: WFTypeTransition, WFFrom: "open", WFTo: "closed",
		WFRoles: "social_worker", WFNeedsReason: "false"}, region); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.SaveItem(ctx, "12", tpl.ID, keys["open>referred"], map[string]string{WFType: WFTypeTransition, WFFrom: "open", WFTo: "referred",
		WFRoles: "coordinator,social_worker"}, region); err != nil {
		t.Fatal(err)
	}
	_, results, err := ts.Publish(ctx, "12", tpl.ID, "", region)
	if err != nil || len(results) != 1 || results[0].Err != nil {
		t.Fatalf("publish v2: %v %+v", err, results)
	}
	w, _ = svc.Workflow(ctx, ente)
	if got := wfTransition(w, "open", "closed"); !slices.Equal(got.Roles, []string{"coordinator", "social_worker"}) || got.RequiresReason {
		t.Errorf("v2 open → closed = %+v; want the ente's roles kept, the reason applied", got)
	}
	if got := wfTransition(w, "open", "referred"); !slices.Equal(got.Roles, []string{"coordinator", "social_worker"}) {
		t.Errorf("v2 open → referred = %+v; want applied", got)
	}
	changes, err := ts.Changes(ctx, ente, templates.ChangeFilter{Kind: templates.KindWorkflow})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range changes {
		if c.Version == 2 {
			lines = append(lines, c.ItemName+" "+c.Field+" "+c.Outcome)
		}
	}
	slices.Sort(lines)
	want := []string{"open → closed needs_reason applied", "open → closed roles kept", "open → referred roles applied"}
	if !slices.Equal(lines, want) {
		t.Errorf("change log v2 = %q; want %q", lines, want)
	}

	// v3 removes the only way to "referred": refused whole for the ente, which
	// stays on v2 with its workflow unchanged.
	for _, k := range []string{keys["open>referred"], keys["taken_in_charge>referred"]} {
		if err := ts.RemoveItem(ctx, "12", tpl.ID, k, region); err != nil {
			t.Fatal(err)
		}
	}
	_, results, err = ts.Publish(ctx, "12", tpl.ID, "", region)
	if err != nil || len(results) != 1 {
		t.Fatalf("publish v3: %v %+v", err, results)
	}
	if fs := Fields(results[0].Err); len(fs) != 1 || fs[0].Field != "workflow" || !strings.Contains(fs[0].Message, "referred") {
		t.Errorf("v3 for the ente: %v; want the workflow refused naming referred", results[0].Err)
	}
	ads, _ := ts.Adoptions(ctx, ente, templates.KindWorkflow)
	if len(ads) != 1 || ads[0].Version != 2 {
		t.Errorf("adoptions after a refused v3 = %+v", ads)
	}
	if after, _ := svc.Workflow(ctx, ente); len(after.Transitions) != len(w.Transitions) {
		t.Errorf("a refused version changed the workflow: %+v", after)
	}

	// An ente of another region sees neither the template nor its versions.
	if err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO regions (code, slug, name) VALUES ('03', 'lombardia', 'Lombardia') ON CONFLICT DO NOTHING`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	other := pg.NewTenant(t)
	if err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE tenants SET region_code = '03' WHERE id = $1`, other)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if offers, err := ts.Offers(ctx, other, templates.KindWorkflow); err != nil || len(offers) != 0 {
		t.Errorf("offers to another region: %+v %v", offers, err)
	}
	if _, err := ts.Adopt(ctx, other, tpl.ID, templates.Actor{}); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("adopt from another region: %v", err)
	}
}

// TestCheckWorkflowItem: invalid items are refused with their fields.
func TestCheckWorkflowItem(t *testing.T) {
	for _, tc := range []struct {
		in     map[string]string
		fields []string
	}{
		{map[string]string{}, []string{WFType}},
		{map[string]string{WFType: WFTypeState, WFName: "Aperta!", WFLabelIT: "", WFLabelEN: "Open", WFInitial: "forse"}, []string{WFName, WFLabelIT, WFInitial}},
		{map[string]string{WFType: WFTypeTransition, WFFrom: "open", WFTo: "open", WFRoles: "Coordinatore"}, []string{WFTo, WFRoles}},
	} {
		_, err := CheckWorkflowItem(tc.in)
		var got []string
		for _, f := range Fields(err) {
			got = append(got, f.Field)
		}
		if !slices.Equal(got, tc.fields) {
			t.Errorf("CheckWorkflowItem(%v) fields = %v; want %v", tc.in, got, tc.fields)
		}
	}
	out, err := CheckWorkflowItem(map[string]string{WFType: WFTypeTransition, WFFrom: "open", WFTo: "closed",
		WFRoles: " social_worker,coordinator,social_worker", WFNeedsReason: "on", WFName: "ignored"})
	if err != nil {
		t.Fatal(err)
	}
	if out[WFRoles] != "coordinator,social_worker" || out[WFNeedsReason] != "true" || out[WFName] != "" {
		t.Errorf("normalised = %v", out)
	}
}
