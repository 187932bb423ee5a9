package web

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/interventions"
)

// interventionRow is one intervention as the lists show it.
type interventionRow struct {
	Href, Entry, INPSCode, Person, CaseNumber, CaseHref, State, Badge, Start, End, Amount string
}

// interventionRows turns interventions into rows of a list.
func interventionRows(p Page, its []interventions.Intervention) []interventionRow {
	rows := make([]interventionRow, 0, len(its))
	for _, it := range its {
		amount := showCents(it.MonthlyAmountCents)
		if amount == "" {
			amount = showCents(it.TotalAmountCents)
		}
		if amount == "" && it.MonthlyHours != nil {
			amount = formFloat(it.MonthlyHours) + " " + p.T("interventions.hours_month")
		}
		rows = append(rows, interventionRow{Href: interventionHref(p, it.ID), Entry: it.CatalogName, INPSCode: it.INPSCode,
			Person: it.PersonName, CaseNumber: it.CaseNumber, CaseHref: p.Base + "/cases/" + it.CaseID.String(),
			State: p.T("interventions.state." + it.State), Badge: interventionStateBadge(it.State),
			Start: showDate(it.StartDate), End: showDate(it.EndDate), Amount: amount})
	}
	return rows
}

// interventionList is the ente's interventions the viewer may see, filtered
// by state, catalogue entry and unit: the coordinators' and the
// administrative office's list.
func (s *Server) interventionList(c *gin.Context) error {
	p := s.formPage(c, "interventions.title")
	ctx, tenant := c.Request.Context(), currentTenant(c).ID
	f := interventions.Filter{State: c.Query("state")}
	p.Form["state"], p.Form["entry"], p.Form["unit"] = f.State, c.Query("entry"), c.Query("unit")
	if f.State != "" && !slices.Contains(interventions.States, f.State) {
		f.State, p.Form["state"] = "", ""
	}
	if id, err := uuid.Parse(c.Query("entry")); err == nil {
		f.CatalogEntryID = id
	}
	if id, err := uuid.Parse(c.Query("unit")); err == nil {
		f.UnitID = id
	}
	// The caseload page links here by responsible operator too.
	f.ResponsibleID = queryID(c, "responsible")
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	its, err := s.opts.Interventions.List(ctx, tenant, f, v)
	if err != nil {
		return err
	}
	entries, err := s.opts.Interventions.Entries(ctx, tenant)
	if err != nil {
		return err
	}
	units, err := s.opts.Registry.Units(ctx, tenant)
	if err != nil {
		return err
	}
	states := []choice{{Value: "", Label: p.T("interventions.all")}}
	for _, st := range interventions.States {
		states = append(states, choice{Value: st, Label: p.T("interventions.state." + st)})
	}
	entryChoices := []choice{{Value: "", Label: p.T("interventions.all")}}
	for _, e := range entries {
		entryChoices = append(entryChoices, choice{Value: e.ID.String(), Label: e.Name + " (" + e.INPSCode + ")"})
	}
	unitChoices := []choice{{Value: "", Label: p.T("interventions.all")}}
	for _, u := range units {
		unitChoices = append(unitChoices, choice{Value: u.ID.String(), Label: u.Name})
	}
	p.Data = map[string]any{
		"Rows":  interventionRows(p, its),
		"State": newChoiceField(p, "state", "interventions.state", selected(states, p.Form["state"])),
		"Entry": newChoiceField(p, "entry", "interventions.entry", selected(entryChoices, p.Form["entry"])),
		"Unit":  newChoiceField(p, "unit", "interventions.unit", selected(unitChoices, p.Form["unit"])),
		"Max":   interventions.MaxList, "Full": len(its) >= interventions.MaxList,
	}
	s.render(c, http.StatusOK, "intervention_list.html", p)
	return nil
}
