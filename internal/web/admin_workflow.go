package web

import (
	"encoding/json"
	"net/http"
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

// workflowForm shows the ente's case workflow, as tables and as the JSON
// definition to edit.
func (s *Server) workflowForm(c *gin.Context) error {
	w, err := s.opts.Cases.Workflow(c.Request.Context(), currentTenant(c).ID)
	if err != nil {
		return err
	}
	p := s.page(c, "workflow.title")
	if c.Query("done") == "saved" {
		p.Flash = p.T("workflow.saved")
	}
	body, err := json.MarshalIndent(w, "", "  ")
	if err != nil {
		return err
	}
	p.Form = map[string]string{"definition": string(body)}
	return s.renderWorkflow(c, p, w, http.StatusOK)
}

// workflowSave validates and saves the definition posted (or the default,
// with reset=1); an invalid one is shown again with every problem next to
// it, and nothing changes.
func (s *Server) workflowSave(c *gin.Context) error {
	ctx := c.Request.Context()
	tenant := currentTenant(c).ID
	p := s.page(c, "workflow.title")
	p.Errors = map[string]string{}
	p.Form = map[string]string{"definition": c.PostForm("definition")}
	var w casefile.Workflow
	if c.PostForm("reset") == "1" {
		w = casefile.DefaultWorkflow()
	} else {
		dec := json.NewDecoder(strings.NewReader(p.Form["definition"]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&w); err != nil {
			p.Errors["definition"] = p.T("workflow.bad_json")
			return s.renderWorkflow(c, p, casefile.Workflow{}, http.StatusUnprocessableEntity)
		}
	}
	roles, err := s.opts.Authz.Roles(ctx, tenant)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, r := range roles {
		known[r.Name] = true
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	err = s.opts.Cases.SaveWorkflow(ctx, tenant, w, func(r string) bool { return known[r] }, v)
	if fs := casefile.Fields(err); len(fs) > 0 {
		msgs := make([]string, len(fs))
		for i, f := range fs {
			msgs[i] = f.Message
		}
		p.Errors["definition"] = strings.Join(msgs, "; ")
		return s.renderWorkflow(c, p, w, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, p.Base+"/admin/workflow?done=saved")
	return nil
}

// workflowTransitionRow is one transition as the editor lists them.
type workflowTransitionRow struct {
	From, To, Roles string
	RequiresReason  bool
}

func (s *Server) renderWorkflow(c *gin.Context, p Page, w casefile.Workflow, status int) error {
	var ts []workflowTransitionRow
	for _, t := range w.Transitions {
		roles := make([]string, len(t.Roles))
		for i, r := range t.Roles {
			roles[i] = roleLabel(p, r)
		}
		row := workflowTransitionRow{From: stateLabel(p, w, t.From), To: stateLabel(p, w, t.To),
			Roles: strings.Join(roles, ", "), RequiresReason: t.RequiresReason}
		if len(roles) == 0 {
			row.Roles = p.T("workflow.any_role")
		}
		ts = append(ts, row)
	}
	p.Data = map[string]any{"Workflow": w, "Transitions": ts}
	s.render(c, status, "admin_workflow.html", p)
	return nil
}
