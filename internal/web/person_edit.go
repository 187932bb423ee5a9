package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/people"
)

// personEdit shows the form to change a person's record, carrying the version
// it shows so that a change made meanwhile by someone else is not overwritten.
func (s *Server) personEdit(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	per, _, err := s.opts.People.View(c.Request.Context(), currentTenant(c).ID, id, personActor(c), "edit")
	if err != nil {
		return err
	}
	if per.MergedInto != nil {
		c.Redirect(http.StatusSeeOther, mergedHref(basePath(c), per))
		return nil
	}
	p := s.formPage(c, "people.edit")
	p.Form = personFormValues(per)
	p.Form["version"] = strconv.Itoa(per.Version)
	if len(per.Mismatches) > 0 {
		p.Form["accept_mismatch"] = "1"
	}
	p.Data = map[string]any{"ID": per.ID.String(), "Confirm": len(per.Mismatches) > 0}
	return s.personFormPage(c, http.StatusOK, p, "edit", nil)
}

// personUpdate saves the edited record.
func (s *Server) personUpdate(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p := s.formPage(c, "people.edit")
	in, form := personForm(c, p)
	p.Form = form
	p.Form["version"] = c.PostForm("version")
	p.Data = map[string]any{"ID": id.String()}
	if in.Version, err = strconv.Atoi(c.PostForm("version")); err != nil {
		p.Errors[""] = p.T("people.err.version")
	}
	if len(p.Errors) > 0 {
		for _, f := range people.Fields(people.Check(in)) {
			if _, ok := p.Errors[f.Field]; !ok {
				p.Errors[f.Field] = f.Message
			}
		}
		return s.personFormPage(c, http.StatusUnprocessableEntity, p, "edit", nil)
	}
	_, err = s.opts.People.Update(c.Request.Context(), currentTenant(c).ID, id, in, personActor(c))
	if ok, err := personErrors(err, &p); !ok {
		return err
	}
	if len(p.Errors) > 0 {
		status := http.StatusUnprocessableEntity
		if _, conflict := p.Errors[""]; conflict {
			status = http.StatusConflict
		}
		return s.personFormPage(c, status, p, "edit", nil)
	}
	c.Redirect(http.StatusSeeOther, p.Base+"/people/"+id.String()+"?done=saved")
	return nil
}
