package web

import (
	"fmt"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/templates"
)

// workflowTemplateFormValues reads a workflow template item from a posted
// form (the region's console).
func workflowTemplateFormValues(c *gin.Context) map[string]string {
	vals := make(map[string]string, len(casefile.WorkflowItemFields))
	for _, f := range casefile.WorkflowItemFields {
		vals[f] = strings.TrimSpace(c.PostForm(f))
	}
	return vals
}

// renderWorkflowTemplateItem shows the form of an item of a workflow
// template: a state or a transition.
func (s *Server) renderWorkflowTemplateItem(c *gin.Context, p Page, t *templates.Template, key string, status int) error {
	action := fmt.Sprintf("%s/templates/%s/items", p.Base, t.ID)
	if key != "" {
		action += "/" + key
	}
	types := []choice{{Value: "", Label: p.T("workflowtpl.choose")}}
	for _, v := range []string{casefile.WFTypeState, casefile.WFTypeTransition} {
		types = append(types, choice{Value: v, Label: p.T("workflowtpl.type." + v)})
	}
	p.Data = map[string]any{"Template": t, "Key": key, "Action": action,
		"Type": newChoiceField(p, casefile.WFType, "workflowtpl.field.type", selected(types, p.Form[casefile.WFType]))}
	s.render(c, status, "workflow_template_item_form.html", p)
	return nil
}
