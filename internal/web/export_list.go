package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/exports"
	"github.com/sigess/sigess/internal/interventions"
)

// exportRow is one export as the list shows it.
type exportRow struct {
	Href, What, Format, State, When string
	Done                            bool
}

// exportList is the operator's exports, newest first, with the form of a
// new one.
func (s *Server) exportList(c *gin.Context) error {
	p := s.formPage(c, "exports.title")
	p.Form["kind"], p.Form["format"] = exports.KindInterventions, exports.FormatXLSX
	return s.renderExports(c, p, http.StatusOK)
}

// exportStart records an export and queues its job; the page of its
// progress follows. Invalid input is shown next to its field.
func (s *Server) exportStart(c *gin.Context) error {
	p := s.formPage(c, "exports.title")
	for _, f := range []string{"kind", "format", "state", "catalog_entry_id", "from", "to"} {
		p.Form[f] = c.PostForm(f)
	}
	in := exports.Request{Kind: p.Form["kind"], Format: p.Form["format"],
		Filters: exports.Filters{State: p.Form["state"], From: p.Form["from"], To: p.Form["to"]}}
	if v := p.Form["catalog_entry_id"]; v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			p.Errors["catalog_entry_id"] = p.T("exports.err.entry")
			return s.renderExports(c, p, http.StatusUnprocessableEntity)
		}
		in.Filters.CatalogEntryID = &id
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	e, err := s.opts.Exports.Start(c.Request.Context(), currentTenant(c).ID, in, v)
	if err != nil {
		if fieldErrors(err, p.Errors) {
			return s.renderExports(c, p, http.StatusUnprocessableEntity)
		}
		return err
	}
	c.Redirect(http.StatusSeeOther, p.Base+"/exports/"+e.ID.String())
	return nil
}

// renderExports draws the exports page; p.Form and p.Errors carry a refused
// request.
func (s *Server) renderExports(c *gin.Context, p Page, status int) error {
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	ctx, tenant := c.Request.Context(), currentTenant(c).ID
	es, err := s.opts.Exports.List(ctx, tenant, v)
	if err != nil {
		return err
	}
	entries, err := s.opts.Exports.Entries(ctx, tenant)
	if err != nil {
		return err
	}
	rows := make([]exportRow, 0, len(es))
	for _, e := range es {
		rows = append(rows, exportRow{Href: p.Base + "/exports/" + e.ID.String(), What: p.T("exports.kind." + e.Kind),
			Format: p.T("exports.format." + e.Format), State: p.T("exports.state." + e.State),
			When: e.CreatedAt.In(rome).Format("02/01/2006 15:04"), Done: e.State == "done"})
	}
	kinds := []choice{{Value: exports.KindInterventions, Label: p.T("exports.kind.interventions")},
		{Value: exports.KindDeliveries, Label: p.T("exports.kind.deliveries")}}
	formats := []choice{{Value: exports.FormatXLSX, Label: p.T("exports.format.xlsx")}, {Value: exports.FormatCSV, Label: p.T("exports.format.csv")}}
	states := []choice{{Value: "", Label: p.T("exports.any")}}
	for _, st := range interventions.States {
		states = append(states, choice{Value: st, Label: p.T("exports.istate." + st)})
	}
	entryChoices := []choice{{Value: "", Label: p.T("exports.any")}}
	for _, e := range entries {
		entryChoices = append(entryChoices, choice{Value: e.ID.String(), Label: e.Name + " (" + e.INPSCode + ")"})
	}
	p.Errors = p.sentences(p.Errors)
	p.Data = map[string]any{
		"Exports": rows, "Action": p.Base + "/exports",
		"Kind":   newChoiceField(p, "kind", "exports.kind", selected(kinds, p.Form["kind"])),
		"Format": newChoiceField(p, "format", "exports.format", selected(formats, p.Form["format"])),
		"State":  newChoiceField(p, "state", "exports.istate", selected(states, p.Form["state"])),
		"Entry":  newChoiceField(p, "catalog_entry_id", "exports.entry", selected(entryChoices, p.Form["catalog_entry_id"])),
	}
	s.render(c, status, "export_list.html", p)
	return nil
}
