package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/identity"
)

func (s *Server) passwordChange(c *gin.Context) error {
	p := s.formPage(c, "auth.account.title")
	sess := currentSession(c)
	old, next, again := c.PostForm("current_password"), c.PostForm("new_password"), c.PostForm("new_password_again")
	if old == "" {
		p.Errors["current_password"] = p.T("auth.err.password_required")
	}
	if next != again {
		p.Errors["new_password_again"] = p.T("auth.err.passwords_differ")
	}
	if len(p.Errors) == 0 {
		err := s.opts.Identity.ChangePassword(c.Request.Context(), sess.Scope, sess.OperatorID, old, next, client(c))
		switch {
		case errors.Is(err, identity.ErrBadCredentials):
			p.Errors["current_password"] = p.T("auth.err.current_password")
		case errors.Is(err, derrors.ErrInvalid):
			p.Errors[fieldOf(err, "new_password")] = userMessage(err)
		case err != nil:
			return err
		}
	}
	if len(p.Errors) > 0 {
		if err := s.accountData(c, &p); err != nil {
			return err
		}
		s.render(c, http.StatusUnprocessableEntity, "account.html", p)
		return nil
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/account?done=password")
	return nil
}

func (s *Server) forgotForm(c *gin.Context) error {
	s.render(c, http.StatusOK, "password_forgot.html", s.formPage(c, "auth.forgot.title"))
	return nil
}

// forgotSubmit mails a reset link if the e-mail belongs to an operator of the
// ente, and says the same thing either way.
func (s *Server) forgotSubmit(c *gin.Context) error {
	p := s.formPage(c, "auth.forgot.title")
	email := strings.TrimSpace(c.PostForm("email"))
	p.Form["email"] = email
	if email == "" {
		p.Errors["email"] = p.T("auth.err.email_required")
		s.render(c, http.StatusUnprocessableEntity, "password_forgot.html", p)
		return nil
	}
	t := currentTenant(c)
	link := strings.TrimSuffix(s.opts.PublicURL, "/") + "/t/" + t.Slug + "/password/reset"
	err := s.opts.Identity.RequestReset(c.Request.Context(), t.ID, email, link, client(c))
	if errors.Is(err, identity.ErrRateLimited) {
		p.Errors[""] = p.T("auth.err.rate_limited")
		s.render(c, http.StatusTooManyRequests, "password_forgot.html", p)
		return nil
	}
	if err != nil {
		return err
	}
	p.Flash = p.T("auth.forgot.sent")
	p.Form = map[string]string{}
	s.render(c, http.StatusOK, "password_forgot.html", p)
	return nil
}

func (s *Server) resetForm(c *gin.Context) error {
	p := s.formPage(c, "auth.reset.title")
	p.Form["token"] = c.Query("token")
	s.render(c, http.StatusOK, "password_reset.html", p)
	return nil
}

// resetSubmit sets a new password from a one-time link and ends every session
// the operator had.
func (s *Server) resetSubmit(c *gin.Context) error {
	p := s.formPage(c, "auth.reset.title")
	token, next, again := c.PostForm("token"), c.PostForm("new_password"), c.PostForm("new_password_again")
	p.Form["token"] = token
	if next != again {
		p.Errors["new_password_again"] = p.T("auth.err.passwords_differ")
	}
	if len(p.Errors) == 0 {
		op, err := s.opts.Identity.ResetPassword(c.Request.Context(), currentScope(c), token, next, client(c))
		switch {
		case errors.Is(err, derrors.ErrNotFound), errors.Is(err, identity.ErrBadCredentials):
			p.Errors[""] = p.T("auth.reset.invalid_link")
		case errors.Is(err, derrors.ErrInvalid):
			p.Errors[fieldOf(err, "new_password")] = userMessage(err)
		case err != nil:
			return err
		default:
			if err := s.opts.Sessions.DeleteAll(c.Request.Context(), op.ID); err != nil {
				return err
			}
			c.Redirect(http.StatusSeeOther, basePath(c)+"/login?reset=1")
			return nil
		}
	}
	s.render(c, http.StatusUnprocessableEntity, "password_reset.html", p)
	return nil
}
