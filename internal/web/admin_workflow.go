package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
)

// workflowRoutes registers the case workflow editor (workflow:manage).
func (s *Server) workflowRoutes(ui *gin.RouterGroup) {
	g := ui.Group("/admin/workflow", s.requireLogin(), s.require(authz.PermWorkflowManage))
	g.GET("", s.handle(s.workflowForm))
	g.POST("", s.handle(s.workflowSave))
	s.workflowTemplateRoutes(g)
}

// Blank rows the editor offers below the workflow's own, to add states and
// transitions without scripts.
const (
	workflowBlankStates      = 2
	workflowBlankTransitions = 3
)

// workflowForm shows the ente's case workflow as a form: a row per state and
// per transition, and the JSON definition for who prefers it.
func (s *Server) workflowForm(c *gin.Context) error {
	w, err := s.opts.Cases.Workflow(c.Request.Context(), currentTenant(c).ID)
	if err != nil {
		return err
	}
	p := s.page(c, "workflow.title")
	if c.Query("done") == "saved" {
		p.Flash = p.T("workflow.saved")
	}
	return s.renderWorkflow(c, p, w, http.StatusOK)
}

// followsTemplate tells whether the ente's workflow comes from a regional
// template: then it changes from the templates' page, and the editor only
// shows it.
func (s *Server) followsTemplate(c *gin.Context) (bool, error) {
	if s.opts.WorkflowTemplates == nil {
		return false, nil
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return false, err
	}
	copies, err := s.opts.WorkflowTemplates.WorkflowCopies(c.Request.Context(), currentTenant(c).ID, v)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(copies, func(cp casefile.WorkflowCopy) bool { return cp.Active }), nil
}

// workflowSave validates and saves the workflow posted, from the form's rows
// or as JSON (definition), or the default (reset=1); an invalid one is shown
// again with every problem next to its row, and nothing changes.
func (s *Server) workflowSave(c *gin.Context) error {
	ctx := c.Request.Context()
	tenant := currentTenant(c).ID
	p := s.page(c, "workflow.title")
	p.Errors = map[string]string{}
	var w casefile.Workflow
	definition, asJSON := c.GetPostForm("definition")
	switch {
	case c.PostForm("reset") == "1":
		w = casefile.DefaultWorkflow()
	case asJSON:
		p.Form = map[string]string{"definition": definition}
		dec := json.NewDecoder(strings.NewReader(definition))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&w); err != nil {
			p.Errors["definition"] = p.T("workflow.bad_json")
			return s.renderWorkflow(c, p, casefile.Workflow{}, http.StatusUnprocessableEntity)
		}
	default:
		w = workflowFromForm(c)
	}
	known, err := s.roleNames(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	err = s.opts.Cases.SaveWorkflow(ctx, tenant, w, known, v)
	if fs := casefile.Fields(err); len(fs) > 0 {
		for _, f := range fs {
			field := f.Field
			switch {
			case asJSON:
				field = "definition"
			case field == "definition": // adopted from a regional template
				field = "form"
			}
			// Several problems of one field: each a sentence of the page's
			// language, one after the other.
			p.Errors[field] = strings.TrimSpace(p.Errors[field] + " " + p.Sentence(f.Message))
		}
		return s.renderWorkflow(c, p, w, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, p.Base+"/admin/workflow?done=saved")
	return nil
}

// workflowFromForm reads the editor's rows: state.N.* and transition.N.*
// for N below the counts posted in states and transitions. Rows marked
// remove, and rows left blank, are dropped; the others keep their order, so
// the validation's "states.2.name" is the third row shown again.
func workflowFromForm(c *gin.Context) casefile.Workflow {
	var w casefile.Workflow
	count := func(name string) int {
		n, _ := strconv.Atoi(c.PostForm(name))
		return min(max(n, 0), 200)
	}
	initial := c.PostForm("initial")
	for i := range count("states") {
		f := func(k string) string { return strings.TrimSpace(c.PostForm(fmt.Sprintf("state.%d.%s", i, k))) }
		st := casefile.State{Name: f("name"), LabelIT: f("label_it"), LabelEN: f("label_en"),
			Initial: initial == strconv.Itoa(i), Terminal: f("terminal") == "1"}
		if f("remove") == "1" || st.Name+st.LabelIT+st.LabelEN == "" {
			continue
		}
		w.States = append(w.States, st)
	}
	for i := range count("transitions") {
		key := func(k string) string { return fmt.Sprintf("transition.%d.%s", i, k) }
		t := casefile.Transition{From: c.PostForm(key("from")), To: c.PostForm(key("to")),
			Roles: c.PostFormArray(key("roles")), RequiresReason: c.PostForm(key("requires_reason")) == "1"}
		if c.PostForm(key("remove")) == "1" || t.From == "" && t.To == "" {
			continue
		}
		w.Transitions = append(w.Transitions, t)
	}
	return w
}

// workflowStateRow is one state as the editor shows it; blank rows add one.
type workflowStateRow struct {
	Index, Number          int
	Name, LabelIT, LabelEN string
	Initial, Terminal      bool
	NameError, LabelError  string
	Blank                  bool
}

// workflowTransitionRow is one transition as the editor shows it.
type workflowTransitionRow struct {
	Index, Number         int
	From, To              []choice
	Roles                 []choice
	RequiresReason, Blank bool
	Error, RolesError     string
}

func (s *Server) renderWorkflow(c *gin.Context, p Page, w casefile.Workflow, status int) error {
	p.Errors = p.sentences(p.Errors)
	roles, err := s.opts.Authz.Roles(c.Request.Context(), currentTenant(c).ID)
	if err != nil {
		return err
	}

	states := make([]workflowStateRow, 0, len(w.States)+workflowBlankStates)
	for i, st := range w.States {
		field := fmt.Sprintf("states.%d.", i)
		states = append(states, workflowStateRow{Index: i, Number: i + 1, Name: st.Name, LabelIT: st.LabelIT, LabelEN: st.LabelEN,
			Initial: st.Initial, Terminal: st.Terminal, NameError: p.Errors[field+"name"], LabelError: p.Errors[field+"label"]})
	}
	for range workflowBlankStates {
		states = append(states, workflowStateRow{Index: len(states), Number: len(states) + 1, Blank: true})
	}

	stateChoices := func(selected string) []choice {
		out := []choice{{Value: "", Label: "—"}}
		for _, st := range w.States {
			if st.Name != "" {
				out = append(out, choice{Value: st.Name, Label: stateLabel(p, w, st.Name), Selected: st.Name == selected})
			}
		}
		return out
	}
	roleChoices := func(selected []string) []choice {
		out := make([]choice, len(roles))
		for i, r := range roles {
			label := r.LabelIT
			if p.Locale == "en" {
				label = r.LabelEN
			}
			out[i] = choice{Value: r.Name, Label: label, Selected: slices.Contains(selected, r.Name)}
		}
		return out
	}
	ts := make([]workflowTransitionRow, 0, len(w.Transitions)+workflowBlankTransitions)
	for i, t := range w.Transitions {
		field := fmt.Sprintf("transitions.%d", i)
		ts = append(ts, workflowTransitionRow{Index: i, Number: i + 1, From: stateChoices(t.From), To: stateChoices(t.To),
			Roles: roleChoices(t.Roles), RequiresReason: t.RequiresReason,
			Error: p.Errors[field], RolesError: p.Errors[field+".roles"]})
	}
	for range workflowBlankTransitions {
		ts = append(ts, workflowTransitionRow{Index: len(ts), Number: len(ts) + 1, From: stateChoices(""), To: stateChoices(""),
			Roles: roleChoices(nil), Blank: true})
	}

	fromTemplate, err := s.followsTemplate(c)
	if err != nil {
		return err
	}
	if p.Form == nil {
		body, err := json.MarshalIndent(w, "", "  ")
		if err != nil {
			return err
		}
		p.Form = map[string]string{"definition": string(body)}
	}
	p.Data = map[string]any{"States": states, "Transitions": ts,
		"StatesError":      joinErrors(p.Errors["states"], p.Errors["initial"], p.Errors["terminal"]),
		"TransitionsError": p.Errors["transitions"], "FormError": p.Errors["form"],
		"JSONOpen": p.Errors["definition"] != "", "FromTemplate": fromTemplate}
	s.render(c, status, "admin_workflow.html", p)
	return nil
}

// joinErrors joins the non-empty messages.
func joinErrors(msgs ...string) string {
	var out []string
	for _, m := range msgs {
		if m != "" {
			out = append(out, m)
		}
	}
	return strings.Join(out, " ")
}
