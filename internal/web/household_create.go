package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/households"
)

// householdNew is the form that creates a household from a person
// (?person=), who joins it as head of household by default.
func (s *Server) householdNew(c *gin.Context) error {
	p := s.formPage(c, "households.new.title")
	p.Form = map[string]string{"person_id": c.Query("person"), "relationship": households.Head, "cohabiting": "1"}
	return s.householdNewForm(c, http.StatusOK, p)
}

// householdCreate creates the household with its first member and goes to
// its page.
func (s *Server) householdCreate(c *gin.Context) error {
	p := s.formPage(c, "households.new.title")
	for _, f := range []string{"person_id", "name", "address", "relationship", "cohabiting", "from"} {
		p.Form[f] = strings.TrimSpace(c.PostForm(f))
	}
	person, err := uuid.Parse(p.Form["person_id"])
	if err != nil {
		return derrors.ErrNotFound // the form always carries the person it came from
	}
	m := households.MemberInput{PersonID: person, Relationship: p.Form["relationship"], Cohabiting: p.Form["cohabiting"] == "1"}
	var ok bool
	if m.From, ok = parseDay(p.Form["from"]); !ok {
		p.Errors["from"] = p.T("households.err.date")
	}
	var h *households.Household
	if len(p.Errors) == 0 {
		h, err = s.opts.Households.Create(c.Request.Context(), currentTenant(c).ID,
			households.NewHousehold{Name: p.Form["name"], Address: p.Form["address"], Members: []households.MemberInput{m}}, householdActor(c))
		switch {
		case errors.Is(err, derrors.ErrInvalid):
			if !householdErrors(err, p.Errors) {
				p.Errors[""] = userMessage(err)
			}
		case err != nil:
			return err
		}
	}
	if len(p.Errors) > 0 {
		return s.householdNewForm(c, http.StatusUnprocessableEntity, p)
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/households/"+h.ID.String()+"?done=created")
	return nil
}

func (s *Server) householdNewForm(c *gin.Context, status int, p Page) error {
	if _, err := uuid.Parse(p.Form["person_id"]); err != nil {
		return derrors.ErrNotFound
	}
	p.Data = map[string]any{
		"Relationship": newChoiceField(p, "relationship", "households.relationship", codeChoices(p, households.Relationships, p.Form["relationship"])),
		"PersonHref":   p.Base + "/households?person=" + p.Form["person_id"],
	}
	s.render(c, status, "household_new.html", p)
	return nil
}
