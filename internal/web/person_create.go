package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
)

func (s *Server) personNew(c *gin.Context) error {
	p := s.formPage(c, "people.new")
	p.Form["citizenship"] = "380"
	p.Form["next"] = c.Query("next")
	return s.personFormPage(c, http.StatusOK, p, "create", nil)
}

// personCreate registers a person. Invalid fields are shown next to them;
// disagreements with the tax code are shown too, with a box to confirm them;
// probable duplicates are listed with a button to register the person anyway.
func (s *Server) personCreate(c *gin.Context) error {
	p := s.formPage(c, "people.new")
	in, form := personForm(c, p)
	p.Form = form
	p.Form["next"] = c.PostForm("next")
	force := c.PostForm("force") == "1"
	if len(p.Errors) > 0 {
		for _, f := range people.Fields(people.Check(in)) {
			if _, ok := p.Errors[f.Field]; !ok {
				p.Errors[f.Field] = f.Message
			}
		}
		return s.personFormPage(c, http.StatusUnprocessableEntity, p, "create", nil)
	}
	per, candidates, err := s.opts.People.Create(c.Request.Context(), currentTenant(c).ID, in, personActor(c), force)
	if ok, err := personErrors(err, &p); !ok {
		return err
	}
	if len(p.Errors) > 0 {
		return s.personFormPage(c, http.StatusUnprocessableEntity, p, "create", nil)
	}
	if len(candidates) > 0 {
		if in.AcceptMismatch {
			p.Form["accept_mismatch"] = "1"
		}
		return s.personFormPage(c, http.StatusConflict, p, "create", candidates)
	}
	if next := p.Form["next"]; next != "" && safeNext(c, next) == next && !strings.Contains(next, "?") {
		// Registered from a step of the intake wizard: back to it, with the
		// new person found.
		id := per.TaxCode
		if id == "" {
			id = per.ProvisionalID
		}
		c.Redirect(http.StatusSeeOther, next+"?q="+url.QueryEscape(id))
		return nil
	}
	c.Redirect(http.StatusSeeOther, p.Base+"/people/"+per.ID.String()+"?done=created")
	return nil
}

// personErrors puts the registry's refusal of a person form on the page:
// field errors next to their fields (with the box to confirm disagreements
// with the tax code when they are all there is), a conflict at the top. It
// reports false, with the error, for anything else.
func personErrors(err error, p *Page) (bool, error) {
	if p.Data == nil {
		p.Data = map[string]any{}
	}
	var ve *people.ValidationError
	switch {
	case err == nil:
	case errors.As(err, &ve):
		for _, f := range ve.Fields {
			p.Errors[f.Field] = f.Message
		}
		if ve.Confirmable {
			p.Data["Confirm"] = true
		}
	case errors.Is(err, people.ErrTaxCodeTaken):
		p.Errors["tax_code"] = domainMessage(err, derrors.ErrConflict)
	case errors.Is(err, derrors.ErrConflict), errors.Is(err, derrors.ErrInvalid):
		p.Errors[""] = domainMessage(err, derrors.ErrConflict, derrors.ErrInvalid)
	default:
		return false, err
	}
	return true, nil
}

// personFormPage renders the form to create (action "create") or edit a
// person, with the probable duplicates if any.
func (s *Server) personFormPage(c *gin.Context, status int, p Page, action string, candidates []people.Candidate) error {
	if p.Data == nil {
		p.Data = map[string]any{}
	}
	var rows []personRow
	for _, cd := range candidates {
		rows = append(rows, newPersonRow(p.Base, &cd.Person))
	}
	p.Errors = p.sentences(p.Errors) // as render shows them, for the radios too
	sex := p.Form["sex"]
	p.Data["Sex"] = newChoiceField(p, "sex", "people.sex", selected([]choice{
		{Value: "F", Label: p.T("people.sex.f")}, {Value: "M", Label: p.T("people.sex.m")},
	}, sex))
	p.Data["Candidates"] = rows
	p.Data["Action"] = action
	if _, ok := p.Data["Confirm"]; !ok {
		p.Data["Confirm"] = false
	}
	s.render(c, status, "person_form.html", p)
	return nil
}
