package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/households"
)

// householdRow is a person's membership as the list shows it.
type householdRow struct {
	Href, Name, Relationship, From, To string
	Cohabiting, Current                bool
}

// householdList lists the households of ?person=, current first, with the
// way to create one from that person.
func (s *Server) householdList(c *gin.Context) error {
	person, err := uuid.Parse(c.Query("person"))
	if err != nil {
		return derrors.ErrNotFound
	}
	sums, err := s.opts.Households.List(c.Request.Context(), currentTenant(c).ID, person, householdActor(c))
	if err != nil {
		return err
	}
	p := s.page(c, "households.list.title")
	rows := make([]householdRow, 0, len(sums))
	for _, sm := range sums {
		rows = append(rows, newHouseholdRow(p, sm.ID, sm.Name, sm.Member))
	}
	p.Data = map[string]any{"Rows": rows, "Person": person,
		"CanWrite": granted(c)[authz.PermPeopleWrite], "PersonHref": p.Base + "/people/" + person.String()}
	s.render(c, http.StatusOK, "household_list.html", p)
	return nil
}

func newHouseholdRow(p Page, id uuid.UUID, name string, m households.Member) householdRow {
	r := householdRow{Href: p.Base + "/households/" + id.String(), Name: name,
		Relationship: codeLabel(p, households.Relationships, m.Relationship), From: m.From.String(),
		Cohabiting: m.Cohabiting, Current: m.To.IsZero()}
	if !m.To.IsZero() {
		r.To = m.To.String()
	}
	return r
}
