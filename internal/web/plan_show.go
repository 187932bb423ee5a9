package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/plans"
)

// planShow is a plan with its goals, reviews, the review form and the moves
// of its state. Reading it is one plan.viewed event.
func (s *Server) planShow(c *gin.Context) error {
	p := s.formPage(c, "plans.plan")
	switch d := c.Query("done"); d {
	case "saved", "active", "closed", "reviewed":
		p.Flash = p.T("plans.done." + d)
	}
	return s.renderPlan(c, p, http.StatusOK)
}

// renderPlan draws a plan's page; p.Errors and p.Form carry a refused
// review or move.
func (s *Server) renderPlan(c *gin.Context, p Page, status int) error {
	pl, info, _, err := s.planOfCase(c, "")
	if err != nil {
		return err
	}
	p.Errors = p.sentences(p.Errors)
	href := plansHref(p, pl.CaseID) + "/" + pl.ID.String()
	outcomes := map[uuid.UUID][]choice{}
	for _, g := range pl.Goals {
		cs := []choice{{Value: "", Label: p.T("plans.outcome.none")}}
		for _, o := range plans.Outcomes {
			cs = append(cs, choice{Value: o, Label: p.T("plans.outcome." + o)})
		}
		outcomes[g.ID] = selected(cs, p.Form["outcomes."+g.ID.String()])
	}
	p.Data = map[string]any{"Plan": pl, "Info": info, "Href": href, "ListHref": plansHref(p, pl.CaseID),
		"CanWrite": granted(c)[authz.PermPlansWrite] && pl.State != plans.Closed, "Outcomes": outcomes}
	if p.Data["Interventions"], err = s.planInterventions(c, p, pl.ID, true); err != nil {
		return err
	}
	s.render(c, status, "plan_show.html", p)
	return nil
}

// planState moves a plan: to active, or to closed with a reason.
func (s *Server) planState(c *gin.Context) error {
	p := s.formPage(c, "plans.plan")
	p.Form["close_reason"] = c.PostForm("close_reason")
	pl, _, v, err := s.planOfCase(c, "")
	if err != nil {
		return err
	}
	to := c.PostForm("to")
	if _, err := s.opts.Plans.Update(c.Request.Context(), currentTenant(c).ID, pl.ID, plans.Patch{State: &to, CloseReason: p.Form["close_reason"]}, v); err != nil {
		if fieldErrors(err, p.Errors) {
			return s.renderPlan(c, p, http.StatusUnprocessableEntity)
		}
		return err
	}
	c.Redirect(http.StatusSeeOther, plansHref(p, pl.CaseID)+"/"+pl.ID.String()+"?done="+to)
	return nil
}

// planReview records a review.
func (s *Server) planReview(c *gin.Context) error {
	p := s.formPage(c, "plans.plan")
	pl, _, v, err := s.planOfCase(c, "")
	if err != nil {
		return err
	}
	_ = c.Request.ParseForm()
	in := plans.ReviewInput{Outcomes: map[uuid.UUID]string{}}
	for k, vs := range c.Request.PostForm {
		if k == "csrf" || len(vs) == 0 {
			continue
		}
		p.Form[k] = vs[0]
		if g, ok := strings.CutPrefix(k, "outcomes."); ok && vs[0] != "" {
			if id, err := uuid.Parse(g); err == nil {
				in.Outcomes[id] = vs[0]
			}
		}
	}
	in.ReviewedOn = parseDateField(p.Form["reviewed_on"], "reviewed_on", p.Errors)
	in.NextReviewOn = parseDateField(p.Form["next_review_on"], "next_review_on", p.Errors)
	in.Notes = p.Form["notes"]
	if len(p.Errors) > 0 {
		return s.renderPlan(c, p, http.StatusUnprocessableEntity)
	}
	if _, err := s.opts.Plans.AddReview(c.Request.Context(), currentTenant(c).ID, pl.ID, in, v); err != nil {
		if fieldErrors(err, p.Errors) {
			return s.renderPlan(c, p, http.StatusUnprocessableEntity)
		}
		return err
	}
	c.Redirect(http.StatusSeeOther, plansHref(p, pl.CaseID)+"/"+pl.ID.String()+"?done=reviewed")
	return nil
}

// planPrint is the plan to print and sign: the ente, the person, the goals
// and signature lines. Reading it is one plan.printed event.
func (s *Server) planPrint(c *gin.Context) error {
	p := s.page(c, "plans.print_title")
	pl, info, _, err := s.planOfCase(c, "plan.printed")
	if err != nil {
		return err
	}
	p.Data = map[string]any{"Plan": pl, "Info": info, "BackHref": plansHref(p, pl.CaseID) + "/" + pl.ID.String()}
	if p.Data["Interventions"], err = s.planInterventions(c, p, pl.ID, false); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "plan_print.html", p)
	return nil
}
