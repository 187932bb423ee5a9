package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/interventions"
)

// interventionCaseSection is the interventions' block of a case's page: the
// case's interventions with their state, and the link to request one.
type interventionCaseSection struct {
	Rows       []interventionRow
	NewHref    string
	CanRequest bool
}

// caseInterventions is the block of the case's page for viewers who may
// read interventions, nil for the others (and for a case whose
// interventions the viewer may not see).
func (s *Server) caseInterventions(c *gin.Context, p Page, caseID uuid.UUID, write bool) (*interventionCaseSection, error) {
	g := granted(c)
	if s.opts.Interventions == nil || !g["interventions:read"] {
		return nil, nil
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return nil, err
	}
	its, err := s.opts.Interventions.List(c.Request.Context(), currentTenant(c).ID, interventions.Filter{CaseID: caseID}, v)
	if err != nil {
		return nil, err
	}
	return &interventionCaseSection{Rows: interventionRows(p, its), NewHref: p.Base + "/cases/" + caseID.String() + "/interventions/new",
		CanRequest: write && g["interventions:request"]}, nil
}

// interventionNew is the request form of an intervention on a case.
func (s *Server) interventionNew(c *gin.Context) error {
	p := s.formPage(c, "interventions.new")
	p.Form["plan_id"] = c.Query("plan")
	return s.renderInterventionNew(c, p, http.StatusOK)
}

// renderInterventionNew draws the request form; p.Errors and p.Form carry a
// refused request.
func (s *Server) renderInterventionNew(c *gin.Context, p Page, status int) error {
	caseID, err := pathID(c)
	if err != nil {
		return err
	}
	ctx, tenant := c.Request.Context(), currentTenant(c).ID
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	view, err := s.opts.Cases.Get(ctx, tenant, caseID, v, "intervention_form")
	if err != nil {
		return err
	}
	if !view.Access.Content {
		return interventions.ErrNoRequest
	}
	entries, err := s.opts.Interventions.Entries(ctx, tenant)
	if err != nil {
		return err
	}
	p.Errors = p.sentences(p.Errors)
	choices := []choice{{Value: "", Label: p.T("interventions.choose")}}
	for _, e := range entries {
		choices = append(choices, choice{Value: e.ID.String(), Label: e.Name + " (" + e.INPSCode + ", " + p.T("interventions.unit."+e.Unit) + ")"})
	}
	characters := []choice{{Value: "", Label: p.T("interventions.from_catalog")}, {Value: "1", Label: p.T("interventions.character.1")},
		{Value: "2", Label: p.T("interventions.character.2")}}
	means := []choice{{Value: "", Label: p.T("interventions.from_catalog")}}
	for _, m := range interventions.MeansTests {
		means = append(means, choice{Value: m, Label: p.T("interventions.means_test." + m)})
	}
	p.Title = p.T("interventions.new") + " — " + view.Case.Number
	p.Data = map[string]any{
		"Action": p.Base + "/cases/" + caseID.String() + "/interventions", "CaseHref": p.Base + "/cases/" + caseID.String(),
		"Person": view.PersonName, "NoEntries": len(entries) == 0,
		"Entry":          newChoiceField(p, "catalog_entry_id", "interventions.entry", selected(choices, p.Form["catalog_entry_id"])),
		"CharacterField": newChoiceField(p, "character", "interventions.field.character", selected(characters, p.Form["character"])),
		"MeansField":     newChoiceField(p, "means_test", "interventions.field.means_test", selected(means, p.Form["means_test"])),
	}
	if p.Data["Plan"], err = s.interventionPlanField(c, p, caseID, v); err != nil {
		return err
	}
	s.render(c, status, "intervention_new.html", p)
	return nil
}

// interventionCreate records the request for the case's person; refused data
// is shown next to its fields and nothing is written.
func (s *Server) interventionCreate(c *gin.Context) error {
	p := s.formPage(c, "interventions.new")
	caseID, err := pathID(c)
	if err != nil {
		return err
	}
	d := interventionData(p, c, p.Errors)
	p.Form["catalog_entry_id"] = c.PostForm("catalog_entry_id")
	in := interventions.NewIntervention{CaseID: caseID, Data: d, PlanID: formPlanID(p, c)}
	if id, err := uuid.Parse(p.Form["catalog_entry_id"]); err == nil {
		in.CatalogEntryID = id
	}
	if len(p.Errors) > 0 {
		return s.renderInterventionNew(c, p, http.StatusUnprocessableEntity)
	}
	ctx, tenant := c.Request.Context(), currentTenant(c).ID
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	view, err := s.opts.Cases.Get(ctx, tenant, caseID, v, "intervention_form")
	if err != nil {
		return err
	}
	in.PersonID = view.Case.PersonID
	it, err := s.opts.Interventions.Create(ctx, tenant, in, v)
	if err != nil {
		if fe := map[string]string{}; fieldErrors(err, fe) {
			for k, m := range fe {
				p.Errors[formField(k)] = m
			}
			if m := p.Errors["person_id"]; m != "" {
				p.Errors[""] = m // the case's person: not a field of the form
			}
			return s.renderInterventionNew(c, p, http.StatusUnprocessableEntity)
		}
		return err
	}
	c.Redirect(http.StatusSeeOther, interventionHref(p, it.ID)+"?done=requested")
	return nil
}
