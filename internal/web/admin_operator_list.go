package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/identity"
)

// operatorRow is a member as the operators' list shows it.
type operatorRow struct {
	identity.Member
	RoleLabels []string
	UnitNames  []string
	Active     bool // account and membership both active
}

func (s *Server) operatorList(c *gin.Context) error {
	ctx := c.Request.Context()
	t := currentTenant(c)
	p := s.page(c, "admin.operators.title")
	withFlash(c, &p)
	members, err := s.opts.Identity.Members(ctx, t.ID)
	if err != nil {
		return err
	}
	roles, units, err := s.operatorChoices(ctx, p, t.ID)
	if err != nil {
		return err
	}
	rows := make([]operatorRow, 0, len(members))
	for _, m := range members {
		r := operatorRow{Member: m, Active: m.Status == "active" && m.MembershipStatus == "active"}
		for _, name := range m.Roles {
			r.RoleLabels = append(r.RoleLabels, labelOf(roles, name))
		}
		for _, u := range m.Units {
			r.UnitNames = append(r.UnitNames, labelOf(units, u.String()))
		}
		rows = append(rows, r)
	}
	p.Data = map[string]any{"Operators": rows}
	s.render(c, http.StatusOK, "admin_operators.html", p)
	return nil
}

// operatorChoices are the roles an ente may assign (built-in, then its own)
// and its units, as checkbox choices.
func (s *Server) operatorChoices(ctx context.Context, p Page, tenant uuid.UUID) (roles, units []choice, err error) {
	rs, err := s.opts.Authz.Roles(ctx, tenant)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rs {
		roles = append(roles, choice{Value: r.Name, Label: roleName(p, r), Hint: r.Description})
	}
	us, err := s.opts.Registry.Units(ctx, tenant)
	if err != nil {
		return nil, nil, err
	}
	for _, u := range unitRows(us) {
		units = append(units, choice{Value: u.ID.String(), Label: u.Name})
	}
	return roles, units, nil
}

// roleName is a role's name in the page's language.
func roleName(p Page, r authz.Role) string {
	if p.Locale == "en" && r.LabelEN != "" {
		return r.LabelEN
	}
	if r.LabelIT != "" {
		return r.LabelIT
	}
	return r.Name
}

// labelOf is the label of value among choices, or value itself.
func labelOf(choices []choice, value string) string {
	for _, c := range choices {
		if c.Value == value {
			return c.Label
		}
	}
	return value
}
