package web

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/plans"
)

// planInterventionRow is an intervention linked to a plan, as the plan's page
// and its print view list it.
type planInterventionRow struct {
	Href, Entry, INPSCode, Start, End, Amount, Hours, State, Badge string
}

// planInterventionSection is the plan's interventions block; Links is off in
// the print view.
type planInterventionSection struct {
	Page  Page
	Rows  []planInterventionRow
	Links bool
}

// planInterventions is the block of the interventions linked to plan planID
// that the viewer may see; nil for who may not read interventions (the block
// is not shown).
func (s *Server) planInterventions(c *gin.Context, p Page, planID uuid.UUID, links bool) (*planInterventionSection, error) {
	if s.opts.Interventions == nil || !granted(c)[authz.PermInterventionsRead] {
		return nil, nil
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return nil, err
	}
	its, err := s.opts.Interventions.ListByPlan(c.Request.Context(), currentTenant(c).ID, planID, v)
	if err != nil {
		return nil, err
	}
	rows := make([]planInterventionRow, 0, len(its))
	for _, it := range its {
		r := planInterventionRow{Href: interventionHref(p, it.ID), Entry: it.CatalogName, INPSCode: it.INPSCode,
			Start: showDate(it.StartDate), End: showDate(it.EndDate), Amount: showCents(it.MonthlyAmountCents),
			State: p.T("interventions.state." + it.State), Badge: interventionStateBadge(it.State)}
		if r.Amount == "" {
			r.Amount = showCents(it.TotalAmountCents)
		}
		if it.MonthlyHours != nil {
			r.Hours = formFloat(it.MonthlyHours) + " " + p.T("interventions.hours_month")
		}
		rows = append(rows, r)
	}
	return &planInterventionSection{Page: p, Rows: rows, Links: links}, nil
}

// interventionPlanField is the request form's choice of the plan the
// intervention belongs to: the case's draft and active plans, or none; nil
// when the case has none (or the viewer may not read them).
func (s *Server) interventionPlanField(c *gin.Context, p Page, caseID uuid.UUID, v casefile.Viewer) (*choiceField, error) {
	if s.opts.Plans == nil || !anyGranted(granted(c), caseReaders) {
		return nil, nil
	}
	_, pls, err := s.opts.Plans.List(c.Request.Context(), currentTenant(c).ID, caseID, v)
	if err != nil {
		return nil, err
	}
	choices := []choice{{Value: "", Label: p.T("caseload.plan_none")}}
	for _, pl := range pls {
		if pl.State != plans.Draft && pl.State != plans.Active {
			continue
		}
		choices = append(choices, choice{Value: pl.ID.String(),
			Label: p.T("caseload.plan_option", pl.CreatedAt.In(rome).Format("02/01/2006"), p.T("plans.state."+pl.State))})
	}
	if len(choices) == 1 && p.Errors["plan_id"] == "" {
		return nil, nil
	}
	f := newChoiceField(p, "plan_id", "caseload.plan", selected(choices, p.Form["plan_id"]))
	return &f, nil
}

// formPlanID is the plan_id the request form chose, nil for none; an
// unreadable one is an error next to the field.
func formPlanID(p Page, c *gin.Context) *uuid.UUID {
	p.Form["plan_id"] = c.PostForm("plan_id")
	if p.Form["plan_id"] == "" {
		return nil
	}
	id, err := uuid.Parse(p.Form["plan_id"])
	if err != nil {
		p.Errors["plan_id"] = p.T("caseload.plan_invalid")
		return nil
	}
	return &id
}
