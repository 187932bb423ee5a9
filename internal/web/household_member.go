package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/households"
	"github.com/sigess/sigess/internal/people"
)

// householdMemberAdd adds the person chosen among the search results; a
// refusal shows the household page again with the message next to the field.
func (s *Server) householdMemberAdd(c *gin.Context) error {
	id, err := householdParam(c, "id")
	if err != nil {
		return err
	}
	p := s.formPage(c, "households.show.title")
	for _, f := range []string{"q", "person_id", "relationship", "cohabiting", "from"} {
		p.Form[f] = strings.TrimSpace(c.PostForm(f))
	}
	in := households.MemberInput{Relationship: p.Form["relationship"], Cohabiting: p.Form["cohabiting"] == "1"}
	if in.PersonID, err = uuid.Parse(p.Form["person_id"]); err != nil {
		p.Errors["person_id"] = p.T("households.err.person")
	}
	var ok bool
	if in.From, ok = parseDay(p.Form["from"]); !ok {
		p.Errors["from"] = p.T("households.err.date")
	}
	if len(p.Errors) == 0 {
		_, err = s.opts.Households.AddMember(c.Request.Context(), currentTenant(c).ID, id, in, householdActor(c))
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
		return s.householdPage(c, http.StatusUnprocessableEntity, p)
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/households/"+id.String()+"?done=member_added")
	return nil
}

// householdMemberEnd ends a membership on the date given (today if none).
func (s *Server) householdMemberEnd(c *gin.Context) error {
	id, err := householdParam(c, "id")
	if err != nil {
		return err
	}
	member, err := householdParam(c, "member_id")
	if err != nil {
		return err
	}
	p := s.formPage(c, "households.show.title")
	to, ok := parseDay(c.PostForm("to"))
	if !ok {
		p.Errors[""] = p.T("households.err.date")
	} else {
		_, err = s.opts.Households.EndMember(c.Request.Context(), currentTenant(c).ID, id, member, to, householdActor(c))
		switch {
		case errors.Is(err, derrors.ErrInvalid):
			p.Errors[""] = userMessage(err)
		case err != nil:
			return err
		}
	}
	if len(p.Errors) > 0 {
		return s.householdPage(c, http.StatusUnprocessableEntity, p)
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/households/"+id.String()+"?done=member_ended")
	return nil
}

// todayInRome is today's date where the services work.
func todayInRome() people.Date { return people.DateOf(time.Now().In(rome)) }
