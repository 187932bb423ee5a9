package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/derrors"
)

// caseChange runs change on the case of the path as the operator, then
// redirects to its page with ?done=done. A refused change shows the page
// again: 422 with the message next to the field, 409 with it on top; nothing
// is written.
func (s *Server) caseChange(c *gin.Context, done string, form map[string]string,
	change func(id uuid.UUID, v casefile.Viewer) error) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	p := s.page(c, "cases.record")
	p.Errors = map[string]string{}
	err = change(id, v)
	if err == nil {
		c.Redirect(http.StatusSeeOther, p.Base+"/cases/"+id.String()+"?done="+done)
		return nil
	}
	status := http.StatusUnprocessableEntity
	p.Form = form
	switch {
	case fieldErrors(err, p.Errors):
	case errors.Is(err, derrors.ErrConflict):
		status = http.StatusConflict
		p.Errors[""] = domainMessage(err, derrors.ErrConflict)
	default:
		return err
	}
	ctx := c.Request.Context()
	tenant := currentTenant(c).ID
	view, gerr := s.opts.Cases.Get(ctx, tenant, id, v, "page")
	if gerr != nil {
		return gerr
	}
	w, gerr := s.opts.Cases.Workflow(ctx, tenant)
	if gerr != nil {
		return gerr
	}
	p.Title = p.T("cases.record") + " " + view.Case.Number
	return s.renderCase(c, p, view, w, status)
}

// caseTransition moves the case to the state of the form, with its reason.
func (s *Server) caseTransition(c *gin.Context) error {
	form := map[string]string{"to": c.PostForm("to"), "reason": strings.TrimSpace(c.PostForm("reason"))}
	return s.caseChange(c, "moved", form, func(id uuid.UUID, v casefile.Viewer) error {
		_, err := s.opts.Cases.Transition(c.Request.Context(), currentTenant(c).ID, id, form["to"], form["reason"], v)
		return err
	})
}

// caseTake is the responsible taking the case in charge.
func (s *Server) caseTake(c *gin.Context) error {
	return s.caseChange(c, "taken", nil, func(id uuid.UUID, v casefile.Viewer) error {
		_, err := s.opts.Cases.TakeInCharge(c.Request.Context(), currentTenant(c).ID, id, v)
		return err
	})
}

// caseAssign gives the case to the responsible of the form (coordinators).
func (s *Server) caseAssign(c *gin.Context) error {
	form := map[string]string{"responsible_id": c.PostForm("responsible_id")}
	return s.caseChange(c, "assigned", form, func(id uuid.UUID, v casefile.Viewer) error {
		responsible, err := uuid.Parse(form["responsible_id"])
		if err != nil {
			return &casefile.ValidationError{Fields: []casefile.FieldError{{Field: "responsible_id", Message: "scegliere l'operatore"}}}
		}
		_, err = s.opts.Cases.Assign(c.Request.Context(), currentTenant(c).ID, id, responsible, v)
		return err
	})
}
