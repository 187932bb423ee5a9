package web

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/casefile"
)

// teamForm is the form that adds a member: the operators of the case's unit
// not on the team yet, and the team roles but "responsible" (Assign's).
func teamForm(p Page, ops []casefile.Operator, team []casefile.Member) map[string]any {
	on := map[uuid.UUID]bool{}
	for _, m := range team {
		if m.RemovedAt == nil {
			on[m.OperatorID] = true
		}
	}
	who := []choice{{Value: "", Label: p.T("cases.choose")}}
	for _, o := range ops {
		if !on[o.ID] {
			who = append(who, choice{Value: o.ID.String(), Label: o.Name})
		}
	}
	roles := []choice{{Value: "", Label: p.T("cases.choose")}}
	for _, r := range casefile.TeamRoles {
		if r != "responsible" {
			roles = append(roles, choice{Value: r, Label: p.T("cases.team_role." + r)})
		}
	}
	return map[string]any{
		"Operator": newChoiceField(p, "operator_id", "cases.operator", selected(who, p.Form["operator_id"])),
		"Role":     newChoiceField(p, "role", "cases.team_role", selected(roles, p.Form["role"])),
	}
}

// caseTeamAdd puts the operator of the form on the case's team with the
// form's role.
func (s *Server) caseTeamAdd(c *gin.Context) error {
	form := map[string]string{"operator_id": c.PostForm("operator_id"), "role": c.PostForm("role")}
	return s.caseChange(c, "team_added", form, func(id uuid.UUID, v casefile.Viewer) error {
		operator, err := uuid.Parse(form["operator_id"])
		if err != nil {
			return &casefile.ValidationError{Fields: []casefile.FieldError{{Field: "operator_id", Message: "scegliere l'operatore"}}}
		}
		_, err = s.opts.Cases.AddMember(c.Request.Context(), currentTenant(c).ID, id, operator, form["role"], v)
		return err
	})
}

// caseTeamRemove takes the operator of the form off the case's team; a
// refusal shows on top of the page, the button having no field of its own.
func (s *Server) caseTeamRemove(c *gin.Context) error {
	return s.caseChange(c, "team_removed", nil, func(id uuid.UUID, v casefile.Viewer) error {
		operator, err := uuid.Parse(c.PostForm("operator_id"))
		if err != nil {
			return &casefile.ValidationError{Fields: []casefile.FieldError{{Message: "scegliere l'operatore"}}}
		}
		_, err = s.opts.Cases.RemoveMember(c.Request.Context(), currentTenant(c).ID, id, operator, v)
		if fs := casefile.Fields(err); len(fs) > 0 {
			return &casefile.ValidationError{Fields: []casefile.FieldError{{Message: fs[0].Message}}}
		}
		return err
	})
}

// caseReserved marks the case reserved, or not, as the form's checkbox says.
func (s *Server) caseReserved(c *gin.Context) error {
	reserved := c.PostForm("reserved") == "on"
	return s.caseChange(c, "reserved", nil, func(id uuid.UUID, v casefile.Viewer) error {
		_, err := s.opts.Cases.SetReserved(c.Request.Context(), currentTenant(c).ID, id, reserved, v)
		return err
	})
}
