package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/plans"
)

// planGoalRow is one goal row of the plan form.
type planGoalRow struct {
	N, Num               int
	ID, Text, Horizon    string
	TextError, HorizonID string
	Horizons             []choice
}

// planList is a case's plans, newest first. Reading it is one plan.listed
// event.
func (s *Server) planList(c *gin.Context) error {
	p := s.page(c, "plans.title")
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	info, ps, err := s.opts.Plans.List(c.Request.Context(), currentTenant(c).ID, id, v)
	if err != nil {
		return err
	}
	p.Data = map[string]any{"Info": info, "Plans": ps, "Href": plansHref(p, id), "CaseHref": p.Base + "/cases/" + id.String(),
		"CanWrite": granted(c)[authz.PermPlansWrite]}
	s.render(c, http.StatusOK, "plan_list.html", p)
	return nil
}

// planNew is the form of a new plan.
func (s *Server) planNew(c *gin.Context) error {
	p := s.formPage(c, "plans.new")
	p.Form["review_months"] = "6"
	return s.renderPlanForm(c, p, http.StatusOK, nil)
}

// planEdit is the form of an existing plan.
func (s *Server) planEdit(c *gin.Context) error {
	p := s.formPage(c, "plans.edit")
	pl, _, _, err := s.planOfCase(c, "")
	if err != nil {
		return err
	}
	p.Form["review_months"] = strconv.Itoa(pl.ReviewMonths)
	if !pl.NextReviewOn.IsZero() {
		p.Form["next_review_on"] = pl.NextReviewOn.String()
	}
	p.Form["consent.by"] = pl.Consent.By
	if !pl.Consent.On.IsZero() {
		p.Form["consent.on"] = pl.Consent.On.String()
	}
	if pl.Consent.Signed {
		p.Form["consent.signed"] = "1"
	}
	for i, g := range pl.Goals {
		n := strconv.Itoa(i)
		p.Form["goals."+n+".id"], p.Form["goals."+n+".text"], p.Form["goals."+n+".horizon"] = g.ID.String(), g.Text, g.Horizon
	}
	var ben []string
	for _, b := range pl.Beneficiaries {
		ben = append(ben, b.PersonID.String())
	}
	return s.renderPlanForm(c, p, http.StatusOK, ben)
}

// planForm reads the plan form into p.Form and an input; bad numbers and
// dates go to p.Errors.
func planForm(c *gin.Context, p Page) (plans.Input, []string) {
	_ = c.Request.ParseForm()
	for k, vs := range c.Request.PostForm {
		if k != "csrf" && k != "beneficiaries" && len(vs) > 0 {
			p.Form[k] = vs[0]
		}
	}
	in := plans.Input{NextReviewOn: parseDateField(p.Form["next_review_on"], "next_review_on", p.Errors)}
	n, err := strconv.Atoi(p.Form["review_months"])
	if err != nil {
		p.Errors["review_months"] = "indicare un numero di mesi"
	}
	in.ReviewMonths = n
	in.Consent = plans.Consent{By: p.Form["consent.by"], On: parseDateField(p.Form["consent.on"], "consent.on", p.Errors), Signed: p.Form["consent.signed"] == "1"}
	for i := 0; i < 40; i++ {
		k := "goals." + strconv.Itoa(i) + "."
		if p.Form[k+"text"] == "" && p.Form[k+"horizon"] == "" && p.Form[k+"id"] == "" {
			continue
		}
		g := plans.GoalInput{Text: p.Form[k+"text"], Horizon: p.Form[k+"horizon"]}
		g.ID, _ = uuid.Parse(p.Form[k+"id"])
		in.Goals = append(in.Goals, g)
	}
	ben := c.PostFormArray("beneficiaries")
	for _, b := range ben {
		if id, err := uuid.Parse(b); err == nil {
			in.Beneficiaries = append(in.Beneficiaries, id)
		}
	}
	return in, ben
}

// planCreate writes a new draft plan.
func (s *Server) planCreate(c *gin.Context) error {
	p := s.formPage(c, "plans.new")
	in, ben := planForm(c, p)
	if len(p.Errors) > 0 {
		return s.renderPlanForm(c, p, http.StatusUnprocessableEntity, ben)
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	pl, err := s.opts.Plans.Create(c.Request.Context(), currentTenant(c).ID, id, in, v)
	if err != nil {
		if fieldErrors(err, p.Errors) {
			return s.renderPlanForm(c, p, http.StatusUnprocessableEntity, ben)
		}
		return err
	}
	c.Redirect(http.StatusSeeOther, plansHref(p, id)+"/"+pl.ID.String()+"?done=saved")
	return nil
}

// planSave changes a plan from its form.
func (s *Server) planSave(c *gin.Context) error {
	p := s.formPage(c, "plans.edit")
	pl, _, v, err := s.planOfCase(c, "")
	if err != nil {
		return err
	}
	in, ben := planForm(c, p)
	if len(p.Errors) > 0 {
		return s.renderPlanForm(c, p, http.StatusUnprocessableEntity, ben)
	}
	patch := plans.Patch{ReviewMonths: &in.ReviewMonths, NextReviewOn: &in.NextReviewOn, Goals: &in.Goals,
		Beneficiaries: &in.Beneficiaries, Consent: &in.Consent}
	if _, err := s.opts.Plans.Update(c.Request.Context(), currentTenant(c).ID, pl.ID, patch, v); err != nil {
		if fieldErrors(err, p.Errors) {
			return s.renderPlanForm(c, p, http.StatusUnprocessableEntity, ben)
		}
		return err
	}
	c.Redirect(http.StatusSeeOther, plansHref(p, pl.CaseID)+"/"+pl.ID.String()+"?done=saved")
	return nil
}

// renderPlanForm draws the plan form: the goals given and two empty rows.
func (s *Server) renderPlanForm(c *gin.Context, p Page, status int, ben []string) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	info, _, err := s.opts.Plans.List(c.Request.Context(), currentTenant(c).ID, id, v)
	if err != nil {
		return err
	}
	p.Errors = p.sentences(p.Errors)
	var rows []planGoalRow
	used := 0
	for i := 0; i < 40; i++ {
		k := "goals." + strconv.Itoa(i) + "."
		if p.Form[k+"text"] != "" || p.Form[k+"horizon"] != "" || p.Form[k+"id"] != "" {
			used = i + 1
		}
	}
	for i := 0; i < used+2; i++ {
		k := "goals." + strconv.Itoa(i) + "."
		hs := []choice{{Value: "", Label: p.T("plans.choose")}}
		for _, h := range plans.Horizons {
			hs = append(hs, choice{Value: h, Label: p.T("plans.horizon." + h)})
		}
		rows = append(rows, planGoalRow{N: i, Num: i + 1, ID: p.Form[k+"id"], Text: p.Form[k+"text"], Horizon: p.Form[k+"horizon"],
			TextError: p.Errors[k+"text"], HorizonID: p.Errors[k+"horizon"], Horizons: selected(hs, p.Form[k+"horizon"])})
	}
	var cs []choice
	for _, cand := range info.Candidates {
		cs = append(cs, choice{Value: cand.PersonID.String(), Label: cand.Name})
	}
	if ben == nil && len(cs) > 0 {
		ben = []string{info.PersonID.String()}
	}
	action := plansHref(p, id)
	if pl := c.Param("plan"); pl != "" {
		action += "/" + pl
	}
	p.Data = map[string]any{"Info": info, "Action": action, "BackHref": plansHref(p, id), "Goals": rows,
		"Beneficiaries": newChoiceField(p, "beneficiaries", "plans.beneficiaries", selected(cs, ben...)),
		"GoalsError":    p.Errors["goals"]}
	s.render(c, status, "plan_form.html", p)
	return nil
}
