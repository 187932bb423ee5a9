package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
)

// caseAction is one transition the operator may take, as a button.
type caseAction struct {
	To, Label      string
	RequiresReason bool
}

// caseEventRow is one step of the history.
type caseEventRow struct {
	When, By, What, Reason string
}

// caseShow is a case's page: with its content, the summary, team, history
// and the actions the operator may take; to who may only know it exists,
// number, state and person. Showing the content is one case.viewed event.
func (s *Server) caseShow(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	tenant := currentTenant(c).ID
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	view, err := s.opts.Cases.Get(ctx, tenant, id, v, "page")
	if err != nil {
		return err
	}
	w, err := s.opts.Cases.Workflow(ctx, tenant)
	if err != nil {
		return err
	}
	p := s.page(c, "cases.record")
	p.Title = p.T("cases.record") + " " + view.Case.Number
	if d := c.Query("done"); d != "" && catalog.Has(p.Locale, "cases.done."+d) {
		p.Flash = p.T("cases.done." + d)
	}
	return s.renderCase(c, p, view, w, http.StatusOK)
}

// renderCase draws a case's page; p.Errors and p.Form carry a refused action.
func (s *Server) renderCase(c *gin.Context, p Page, view *casefile.View, w casefile.Workflow, status int) error {
	ctx := c.Request.Context()
	g := granted(c)
	cs := view.Case
	data := map[string]any{
		"Case": cs, "View": view, "State": stateLabel(p, w, cs.State), "Area": p.T("cases.area." + cs.UserArea),
		"PersonHref": p.Base + "/people/" + cs.PersonID.String(), "Opened": cs.OpenedAt.In(rome).Format("02/01/2006"),
		"Href": p.Base + "/cases/" + cs.ID.String(), "ShowTrail": g[authz.PermAuditRead],
	}
	if view.Access.Content {
		v, err := s.caseViewer(c)
		if err != nil {
			return err
		}
		data["Write"] = view.Access.Write
		var actions []caseAction
		if view.Access.Write {
			for _, t := range w.Allowed(cs.State, v.Roles) {
				if t.To == casefile.StateTakenInCharge {
					continue // the responsible's own button: CanTake
				}
				actions = append(actions, caseAction{To: t.To, Label: stateLabel(p, w, t.To), RequiresReason: t.RequiresReason})
			}
		}
		data["Actions"] = actions
		data["CanTake"] = view.Access.Write && cs.ResponsibleID != nil && *cs.ResponsibleID == v.ID && hasTransition(w, cs.State, casefile.StateTakenInCharge)
		var ops []casefile.Operator
		if view.Access.Write {
			if ops, err = s.opts.Cases.Assignable(ctx, currentTenant(c).ID, cs.UnitID); err != nil {
				return err
			}
			data["AddMember"] = teamForm(p, ops, view.Team)
			data["CanReserve"] = view.Access.Reserved
		}
		if g[authz.PermCasesAssign] && view.Access.Write {
			choices := []choice{{Value: "", Label: p.T("cases.choose")}}
			for _, o := range ops {
				choices = append(choices, choice{Value: o.ID.String(), Label: o.Name})
			}
			current := ""
			if cs.ResponsibleID != nil {
				current = cs.ResponsibleID.String()
			}
			if f := p.Form["responsible_id"]; f != "" {
				current = f
			}
			data["Assign"] = newChoiceField(p, "responsible_id", "cases.responsible", selected(choices, current))
		}
		for _, m := range view.Team {
			if cs.ResponsibleID != nil && m.OperatorID == *cs.ResponsibleID && m.RemovedAt == nil {
				data["Responsible"] = m.Name
			}
		}
		var team []map[string]string
		for _, m := range view.Team {
			row := map[string]string{"Name": m.Name, "Role": p.T("cases.team_role." + m.Role),
				"Added": m.AddedAt.In(rome).Format("02/01/2006")}
			if m.RemovedAt != nil {
				row["Removed"] = m.RemovedAt.In(rome).Format("02/01/2006")
			} else if view.Access.Write && (cs.ResponsibleID == nil || *cs.ResponsibleID != m.OperatorID) {
				row["Remove"] = m.OperatorID.String() // the responsible leaves by a new assignment
			}
			team = append(team, row)
		}
		data["Team"] = team
		var events []caseEventRow
		for i := len(view.Events) - 1; i >= 0; i-- {
			e := view.Events[i]
			row := caseEventRow{When: e.At.In(rome).Format("02/01/2006 15:04"), By: e.ByName, Reason: e.Reason,
				What: p.T("cases.event." + e.Kind)}
			if e.Kind == "transition" || e.Kind == "opened" {
				row.What = fmt.Sprintf("%s: %s", row.What, stateLabel(p, w, e.ToState))
			}
			events = append(events, row)
		}
		data["Events"] = events
		if data["Interventions"], err = s.caseInterventions(c, p, cs.ID, view.Access.Write); err != nil {
			return err
		}
	}
	p.Data = data
	s.render(c, status, "case_show.html", p)
	return nil
}

func hasTransition(w casefile.Workflow, from, to string) bool {
	for _, t := range w.From(from) {
		if t.To == to {
			return true
		}
	}
	return false
}

// caseTrail is who looked at and changed a case, for holders of audit:read.
func (s *Server) caseTrail(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	recs, err := s.opts.Cases.Trail(c.Request.Context(), currentTenant(c).ID, id, v, 200)
	if err != nil {
		return err
	}
	p := s.page(c, "cases.trail")
	var rows []personTrailRow
	for _, r := range recs {
		row := personTrailRow{When: r.At.In(rome).Format("02/01/2006 15:04:05"), Action: r.Action, Actor: r.Actor, IP: r.IP}
		if key := "audit.action." + r.Action; catalog.Has(p.Locale, key) {
			row.Action = p.T(key)
		}
		if via, ok := r.Details["via"]; ok {
			row.Via = fmt.Sprint(via)
		}
		rows = append(rows, row)
	}
	p.Data = map[string]any{"Trail": rows, "Href": p.Base + "/cases/" + id.String()}
	s.render(c, http.StatusOK, "case_trail.html", p)
	return nil
}
