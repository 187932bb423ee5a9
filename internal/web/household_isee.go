package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/households"
)

// iseeFields are the fields of the ISEE form, in its order.
var iseeFields = []string{"kind", "value", "dsu_protocol", "year", "signed_on", "expires_on"}

// householdISEENew is the form that records an ISEE attestation.
func (s *Server) householdISEENew(c *gin.Context) error {
	p := s.formPage(c, "households.isee.new")
	p.Form["kind"] = households.KindOrdinario
	return s.householdISEEForm(c, http.StatusOK, p)
}

// householdISEECreate records an ISEE; invalid input shows the form again
// with the messages next to the fields and records nothing.
func (s *Server) householdISEECreate(c *gin.Context) error {
	id, err := householdParam(c, "id")
	if err != nil {
		return err
	}
	p := s.formPage(c, "households.isee.new")
	for _, f := range iseeFields {
		p.Form[f] = strings.TrimSpace(c.PostForm(f))
	}
	in := households.ISEEInput{Kind: p.Form["kind"], DSUProtocol: p.Form["dsu_protocol"]}
	if p.Form["value"] == "" {
		p.Errors["value"] = p.T("households.err.value_required")
	} else if in.ValueCents, err = households.ParseEuro(p.Form["value"]); err != nil {
		p.Errors["value"] = p.T("households.err.value")
	}
	if y := p.Form["year"]; y != "" {
		if in.Year, err = strconv.Atoi(y); err != nil {
			p.Errors["year"] = p.T("households.err.year")
		}
	}
	var ok bool
	if in.SignedOn, ok = parseDay(p.Form["signed_on"]); !ok {
		p.Errors["signed_on"] = p.T("households.err.date")
	}
	if in.ExpiresOn, ok = parseDay(p.Form["expires_on"]); !ok {
		p.Errors["expires_on"] = p.T("households.err.date")
	}
	if len(p.Errors) == 0 {
		_, err = s.opts.Households.RecordISEE(c.Request.Context(), currentTenant(c).ID, id, in, householdActor(c))
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
		return s.householdISEEForm(c, http.StatusUnprocessableEntity, p)
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/households/"+id.String()+"?done=isee_recorded")
	return nil
}

// householdISEEForm renders the ISEE form of the household in the path,
// which must exist in the ente; the history is read (and audited) to tell.
func (s *Server) householdISEEForm(c *gin.Context, status int, p Page) error {
	id, err := householdParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.opts.Households.ISEEHistory(c.Request.Context(), currentTenant(c).ID, id, householdActor(c)); err != nil {
		return err
	}
	p.Data = map[string]any{
		"Kind":   newChoiceField(p, "kind", "households.isee.kind", codeChoices(p, households.Kinds, p.Form["kind"])),
		"Back":   p.Base + "/households/" + id.String(),
		"Action": p.Base + "/households/" + id.String() + "/isee",
	}
	s.render(c, status, "household_isee_new.html", p)
	return nil
}
