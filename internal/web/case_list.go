package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/casefile"
)

// caseRow is one case as the lists show it.
type caseRow struct {
	Href, Number, Person, State, Area, Opened string
	Reserved, Content                         bool
}

func newCaseRow(p Page, w casefile.Workflow, l casefile.Listed) caseRow {
	return caseRow{Href: p.Base + "/cases/" + l.ID.String(), Number: l.Number, Person: l.PersonName,
		State: stateLabel(p, w, l.State), Area: p.T("cases.area." + l.UserArea),
		Opened: l.OpenedAt.In(rome).Format("02/01/2006"), Reserved: l.Reserved, Content: l.Content}
}

// caseList lists the cases the operator reads: their own (?scope=mine, the
// default for who reads their own only) or all they may read, by state.
func (s *Server) caseList(c *gin.Context) error {
	ctx := c.Request.Context()
	tenant := currentTenant(c).ID
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	w, err := s.opts.Cases.Workflow(ctx, tenant)
	if err != nil {
		return err
	}
	p := s.page(c, "cases.title")
	f := casefile.Filter{Mine: c.Query("scope") == "mine"}
	if st := c.Query("state"); st != "" {
		if _, ok := w.State(st); ok {
			f.State = st
		}
	}
	if c.Query("unassigned") == "1" {
		f.Unassigned = true
	}
	// The caseload page links here by responsible operator, unit and open.
	f.Responsible, f.Open = queryID(c, "responsible"), c.Query("open") == "1"
	if u := queryID(c, "unit"); u != uuid.Nil {
		f.UnitIDs = []uuid.UUID{u}
	}
	ls, err := s.opts.Cases.List(ctx, tenant, f, v)
	if err != nil {
		return err
	}
	rows := make([]caseRow, 0, len(ls))
	for _, l := range ls {
		rows = append(rows, newCaseRow(p, w, l))
	}
	states := []choice{{Value: "", Label: p.T("cases.all_states")}}
	for _, st := range w.States {
		states = append(states, choice{Value: st.Name, Label: stateLabel(p, w, st.Name)})
	}
	scopes := []choice{{Value: "", Label: p.T("cases.scope.all")}, {Value: "mine", Label: p.T("cases.scope.mine")}}
	p.Data = map[string]any{
		"Rows":    rows,
		"State":   newChoiceField(p, "state", "cases.state", selected(states, f.State)),
		"Scope":   newChoiceField(p, "scope", "cases.scope", selected(scopes, c.Query("scope"))),
		"CanOpen": granted(c)["cases:write"],
	}
	s.render(c, http.StatusOK, "case_list.html", p)
	return nil
}

// queryID is the query parameter name as an id, or uuid.Nil.
func queryID(c *gin.Context, name string) uuid.UUID {
	id, err := uuid.Parse(c.Query(name))
	if err != nil {
		return uuid.Nil
	}
	return id
}
