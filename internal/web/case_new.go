package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/people"
)

// caseNew is the form that opens a case directly: the person (found by
// ?q=, or given by ?person_id=), the user area, the unit, reserved, summary.
func (s *Server) caseNew(c *gin.Context) error {
	p := s.page(c, "cases.new")
	p.Form = map[string]string{"q": strings.TrimSpace(c.Query("q"))}
	if id := queryID(c, "person_id"); id != uuid.Nil {
		p.Form["person_id"] = id.String()
	}
	return s.renderCaseForm(c, p, http.StatusOK)
}

// caseCreate opens the case of the form; invalid input shows the form again
// with the message next to its field, and writes nothing.
func (s *Server) caseCreate(c *gin.Context) error {
	p := s.page(c, "cases.new")
	p.Errors = map[string]string{}
	form := map[string]string{}
	for _, f := range []string{"person_id", "user_area", "unit_id", "summary", "q"} {
		form[f] = strings.TrimSpace(c.PostForm(f))
	}
	if c.PostForm("reserved") == "1" {
		form["reserved"] = "1"
	}
	p.Form = form
	in := casefile.OpenInput{UserArea: form["user_area"], Summary: form["summary"], Reserved: form["reserved"] == "1"}
	in.PersonID, _ = uuid.Parse(form["person_id"])
	in.UnitID, _ = uuid.Parse(form["unit_id"])
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	cs, err := s.opts.Cases.Open(c.Request.Context(), currentTenant(c).ID, in, v)
	if fieldErrors(err, p.Errors) {
		return s.renderCaseForm(c, p, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, p.Base+"/cases/"+cs.ID.String()+"?done=opened")
	return nil
}

// renderCaseForm draws the open form with its choices: the people found by
// the query (or the one chosen), the user areas and the ente's units.
func (s *Server) renderCaseForm(c *gin.Context, p Page, status int) error {
	ctx := c.Request.Context()
	tenant := currentTenant(c).ID
	var found []choice
	if id, err := uuid.Parse(p.Form["person_id"]); err == nil {
		per, _, err := s.opts.People.View(ctx, tenant, id, personActor(c), "case_form")
		if err == nil {
			found = append(found, choice{Value: per.ID.String(), Label: personChoiceLabel(per), Selected: true})
		}
	}
	if q := p.Form["q"]; q != "" && len(found) == 0 {
		hits, err := s.opts.People.Find(ctx, tenant, people.Query{Text: q, Limit: 10}, personActor(c))
		if err != nil {
			return err
		}
		for _, h := range hits {
			found = append(found, choice{Value: h.Person.ID.String(), Label: personChoiceLabel(&h.Person)})
		}
	}
	areas := []choice{{Value: "", Label: p.T("cases.choose")}}
	for _, a := range casefile.UserAreas {
		areas = append(areas, choice{Value: a, Label: p.T("cases.area." + a)})
	}
	units, err := s.opts.Registry.Units(ctx, tenant)
	if err != nil {
		return err
	}
	unitChoices := []choice{{Value: "", Label: p.T("cases.choose")}}
	for _, u := range units {
		if u.Kind == "social_service" || u.Kind == "office" {
			unitChoices = append(unitChoices, choice{Value: u.ID.String(), Label: u.Name})
		}
	}
	person := newChoiceField(p, "person_id", "cases.person", selected(found, p.Form["person_id"]))
	p.Data = map[string]any{
		"Person":   person,
		"Searched": p.Form["q"] != "",
		"Area":     newChoiceField(p, "user_area", "cases.area", selected(areas, p.Form["user_area"])),
		"Unit":     newChoiceField(p, "unit_id", "cases.unit", selected(unitChoices, p.Form["unit_id"])),
	}
	s.render(c, status, "case_new.html", p)
	return nil
}

func personChoiceLabel(per *people.Person) string {
	id := per.TaxCode
	if id == "" {
		id = per.ProvisionalID
	}
	return per.LastName + " " + per.FirstName + " — " + id + " — " + per.BirthDate.String()
}
