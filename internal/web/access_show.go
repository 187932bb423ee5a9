package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/access"
	"github.com/sigess/sigess/internal/derrors"
)

// accessShow shows an access with its referrals and, to the operators of
// its unit while it waits, the form to accept or reject it.
func (s *Server) accessShow(c *gin.Context) error {
	p := s.formPage(c, "access.show.title")
	return s.accessShowPage(c, http.StatusOK, p)
}

// accessState accepts or rejects an access (a reason is required to reject).
func (s *Server) accessState(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p := s.formPage(c, "access.show.title")
	state, reason := c.PostForm("state"), strings.TrimSpace(c.PostForm("reason"))
	p.Form["state"], p.Form["reason"] = state, reason
	_, err = s.opts.Accesses.SetState(c.Request.Context(), currentTenant(c).ID, id, state, reason, accessViewer(c))
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, basePath(c)+"/accesses/"+id.String()+"?done="+state)
		return nil
	case accessErrors(err, p.Errors):
		return s.accessShowPage(c, http.StatusUnprocessableEntity, p)
	case errors.Is(err, derrors.ErrConflict):
		p.Errors[""] = domainMessage(err, derrors.ErrConflict)
		return s.accessShowPage(c, http.StatusConflict, p)
	}
	return err
}

// accessShowPage renders access :id for the viewer.
func (s *Server) accessShowPage(c *gin.Context, status int, p Page) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	a, err := s.opts.Accesses.Get(c.Request.Context(), currentTenant(c).ID, id, accessViewer(c))
	if err != nil {
		return err
	}
	units, err := s.opts.Registry.Units(c.Request.Context(), currentTenant(c).ID)
	if err != nil {
		return err
	}
	if d := c.Query("done"); d != "" && catalog.Has(p.Locale, "access.done."+d) {
		p.Flash = p.T("access.done." + d)
	}
	open := a.State == access.Created || a.State == access.Seen
	p.Data = map[string]any{"Access": a, "Summary": s.accessSummary(p, a.Input(), a.PersonName, units, c),
		"CanDecide": open && granted(c)["accesses:write"]}
	s.render(c, status, "access_show.html", p)
	return nil
}
