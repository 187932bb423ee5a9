package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/templates"
)

// WorkflowTemplates is what the web layer needs of the ente's copies of a
// regional workflow template (casefile.Service implements it); adoption and
// synchronisation go through Templates.
type WorkflowTemplates interface {
	WorkflowCopies(ctx context.Context, tenant uuid.UUID, v casefile.Viewer) ([]casefile.WorkflowCopy, error)
	OverrideWorkflowItem(ctx context.Context, tenant, id uuid.UUID, set map[string]string, validRole func(string) bool, v casefile.Viewer) (*casefile.WorkflowCopy, error)
	RestoreWorkflowItem(ctx context.Context, tenant, id uuid.UUID, validRole func(string) bool, v casefile.Viewer) (*casefile.WorkflowCopy, error)
}

// workflowTemplateRoutes registers, under the workflow editor
// (workflow:manage), the region's workflow templates: adopt one, bring it up
// to date, change the roles or the reason of a transition, read what the
// template changed.
func (s *Server) workflowTemplateRoutes(g *gin.RouterGroup) {
	if s.opts.WorkflowTemplates == nil {
		return
	}
	t := g.Group("/templates")
	t.GET("", s.handle(s.workflowTemplatePage))
	t.POST("/changes/read", s.handle(s.workflowTemplateChangesRead))
	t.POST("/:id/adopt", s.handle(s.workflowTemplateAdopt))
	t.POST("/:id/sync", s.handle(s.workflowTemplateSync))
	t.POST("/items/:id", s.handle(s.workflowTemplateItemSave))
	t.POST("/items/:id/restore", s.handle(s.workflowTemplateItemRestore))
}

// workflowTemplateTransition is one transition copied from the template, as
// its row and form show it.
type workflowTemplateTransition struct {
	casefile.WorkflowCopy
	From, To, Roles       string
	NeedsReason           bool
	RolesKept, ReasonKept bool
}

// workflowTemplatePage shows the region's workflow templates, the ente's
// transitions copied from the adopted one (each with its form) and the change
// log.
func (s *Server) workflowTemplatePage(c *gin.Context) error {
	p := s.formPage(c, "workflowtpl.title")
	switch c.Query("done") {
	case "adopted":
		p.Flash = p.T("workflowtpl.flash.adopted")
	case "synced":
		p.Flash = p.T("workflowtpl.flash.synced")
	case "saved":
		p.Flash = p.T("workflowtpl.flash.saved")
	case "read":
		p.Flash = p.T("workflowtpl.flash.read")
	case "restored":
		p.Flash = p.T("workflowtpl.flash.restored")
	}
	return s.renderWorkflowTemplates(c, p, http.StatusOK)
}

func (s *Server) renderWorkflowTemplates(c *gin.Context, p Page, status int) error {
	ctx := c.Request.Context()
	tenant := currentTenant(c).ID
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	offers, err := s.opts.Templates.Offers(ctx, tenant, templates.KindWorkflow)
	if err != nil {
		return err
	}
	copies, err := s.opts.WorkflowTemplates.WorkflowCopies(ctx, tenant, v)
	if err != nil {
		return err
	}
	w, err := s.opts.Cases.Workflow(ctx, tenant)
	if err != nil {
		return err
	}
	var states []casefile.WorkflowCopy
	var transitions []workflowTemplateTransition
	for _, cp := range copies {
		if !cp.Active {
			continue
		}
		if cp.Values[casefile.WFType] == casefile.WFTypeState {
			states = append(states, cp)
			continue
		}
		roles := p.T("workflow.any_role")
		if r := cp.Values[casefile.WFRoles]; r != "" {
			names := strings.Split(r, ",")
			for i, n := range names {
				names[i] = roleLabel(p, n)
			}
			roles = strings.Join(names, ", ")
		}
		transitions = append(transitions, workflowTemplateTransition{WorkflowCopy: cp,
			From: stateLabel(p, w, cp.Values[casefile.WFFrom]), To: stateLabel(p, w, cp.Values[casefile.WFTo]), Roles: roles,
			NeedsReason: cp.Values[casefile.WFNeedsReason] == "true",
			RolesKept:   cp.Overrides(casefile.WFRoles), ReasonKept: cp.Overrides(casefile.WFNeedsReason)})
	}
	changes, err := s.opts.Templates.Changes(ctx, tenant, templates.ChangeFilter{Kind: templates.KindWorkflow, Limit: 200})
	if err != nil {
		return err
	}
	unread := 0
	for _, ch := range changes {
		if ch.ReadAt == nil {
			unread++
		}
	}
	p.Data = map[string]any{"Offers": offers, "States": states, "Transitions": transitions, "Changes": changes, "Unread": unread}
	s.render(c, status, "workflow_template.html", p)
	return nil
}

// workflowTemplateAdopt adopts a workflow template of the region: the ente's
// workflow becomes the template's, or nothing changes and the page says why.
func (s *Server) workflowTemplateAdopt(c *gin.Context) error {
	return s.workflowTemplateDo(c, "adopted", func(ctx context.Context, tenant, id uuid.UUID) error {
		_, err := s.opts.Templates.Adopt(ctx, tenant, id, templateActor(c))
		return err
	})
}

// workflowTemplateSync brings the ente's copies to the template's latest
// version.
func (s *Server) workflowTemplateSync(c *gin.Context) error {
	return s.workflowTemplateDo(c, "synced", func(ctx context.Context, tenant, id uuid.UUID) error {
		_, err := s.opts.Templates.Sync(ctx, tenant, id, templateActor(c))
		return err
	})
}

func (s *Server) workflowTemplateDo(c *gin.Context, done string, do func(ctx context.Context, tenant, id uuid.UUID) error) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	err = do(c.Request.Context(), currentTenant(c).ID, id)
	p := s.formPage(c, "workflowtpl.title")
	if fieldErrors(err, p.Errors) {
		return s.renderWorkflowTemplates(c, p, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/admin/workflow/templates?done="+done)
	return nil
}

// workflowTemplateItemSave changes the roles and the reason of a transition
// copied from the template: they become the ente's, kept when the template
// changes them.
func (s *Server) workflowTemplateItemSave(c *gin.Context) error {
	reason := "false"
	if c.PostForm(casefile.WFNeedsReason) != "" {
		reason = "true"
	}
	set := map[string]string{casefile.WFRoles: c.PostForm(casefile.WFRoles), casefile.WFNeedsReason: reason}
	return s.workflowTemplateItem(c, "saved", map[string]string{casefile.WFRoles: set[casefile.WFRoles]},
		func(ctx context.Context, tenant, id uuid.UUID, known func(string) bool, v casefile.Viewer) error {
			_, err := s.opts.WorkflowTemplates.OverrideWorkflowItem(ctx, tenant, id, set, known, v)
			return err
		})
}

// workflowTemplateItemRestore gives a transition the template's roles and
// reason back, and the template's later changes to it.
func (s *Server) workflowTemplateItemRestore(c *gin.Context) error {
	return s.workflowTemplateItem(c, "restored", nil,
		func(ctx context.Context, tenant, id uuid.UUID, known func(string) bool, v casefile.Viewer) error {
			_, err := s.opts.WorkflowTemplates.RestoreWorkflowItem(ctx, tenant, id, known, v)
			return err
		})
}

// workflowTemplateItem runs change on the ente's copy of a transition named
// in the path and goes back to the templates page saying done. An unknown
// role or a workflow that would not be valid is shown next to the transition,
// with what was typed (form), and nothing changes.
func (s *Server) workflowTemplateItem(c *gin.Context, done string, form map[string]string,
	change func(ctx context.Context, tenant, id uuid.UUID, known func(string) bool, v casefile.Viewer) error) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	known, err := s.roleNames(c)
	if err != nil {
		return err
	}
	err = change(c.Request.Context(), currentTenant(c).ID, id, known, v)
	errs := map[string]string{}
	if fieldErrors(err, errs) {
		p := s.formPage(c, "workflowtpl.title")
		for f, msg := range errs {
			p.Errors[f+"-"+id.String()] = msg
		}
		for f, val := range form {
			p.Form[f+"-"+id.String()] = val
		}
		return s.renderWorkflowTemplates(c, p, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/admin/workflow/templates?done="+done)
	return nil
}

// roleNames tells the ente's role names.
func (s *Server) roleNames(c *gin.Context) (func(string) bool, error) {
	roles, err := s.opts.Authz.Roles(c.Request.Context(), currentTenant(c).ID)
	if err != nil {
		return nil, err
	}
	return func(name string) bool {
		return slices.ContainsFunc(roles, func(r authz.Role) bool { return r.Name == name })
	}, nil
}

// workflowTemplateChangesRead marks the workflow's unread changes as read.
func (s *Server) workflowTemplateChangesRead(c *gin.Context) error {
	if _, err := s.opts.Templates.MarkRead(c.Request.Context(), currentTenant(c).ID, templates.KindWorkflow, templateActor(c)); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/admin/workflow/templates?done=read")
	return nil
}
