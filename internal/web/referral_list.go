package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/derrors"
)

// referralList shows the referrals the operator's units received
// (?box=incoming, the default) or sent (?box=outgoing); incoming ones still
// waiting carry the form to accept or refuse them.
func (s *Server) referralList(c *gin.Context) error {
	p := s.formPage(c, "access.referrals.title")
	return s.referralPage(c, http.StatusOK, p)
}

// referralAnswer accepts or refuses a referral received, with a reason
// (required to refuse).
func (s *Server) referralAnswer(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p := s.formPage(c, "access.referrals.title")
	accept := c.PostForm("answer") == "accept"
	reason := strings.TrimSpace(c.PostForm("reason"))
	p.Form["answer_id"], p.Form["answer"], p.Form["reason"] = id.String(), c.PostForm("answer"), reason
	switch {
	case c.PostForm("answer") != "accept" && c.PostForm("answer") != "refuse":
		p.Errors["answer"] = p.T("access.err.answer")
	case !accept && len([]rune(reason)) < 3:
		p.Errors["reason"] = p.T("access.err.refuse_reason")
	}
	if len(p.Errors) > 0 {
		return s.referralPage(c, http.StatusUnprocessableEntity, p)
	}
	_, err = s.opts.Accesses.Answer(c.Request.Context(), currentTenant(c).ID, id, accept, reason, accessViewer(c))
	switch {
	case err == nil:
		done := "refused"
		if accept {
			done = "accepted"
		}
		c.Redirect(http.StatusSeeOther, basePath(c)+"/referrals?done=referral_"+done)
		return nil
	case accessErrors(err, p.Errors):
		return s.referralPage(c, http.StatusUnprocessableEntity, p)
	case errors.Is(err, derrors.ErrConflict):
		p.Errors[""] = domainMessage(err, derrors.ErrConflict)
		return s.referralPage(c, http.StatusConflict, p)
	}
	return err
}

// referralPage renders the referral boxes.
func (s *Server) referralPage(c *gin.Context, status int, p Page) error {
	box := c.Query("box")
	if box != "outgoing" {
		box = "incoming"
	}
	items, err := s.opts.Accesses.Referrals(c.Request.Context(), currentTenant(c).ID, box, accessViewer(c))
	if err != nil {
		return err
	}
	if d := c.Query("done"); d != "" && catalog.Has(p.Locale, "access.done."+d) {
		p.Flash = p.T("access.done." + d)
	}
	p.Data = map[string]any{"Box": box, "Items": items, "Answer": box == "incoming" && granted(c)["referrals:write"]}
	s.render(c, status, "referral_list.html", p)
	return nil
}
