package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/identity"
	"github.com/sigess/sigess/internal/session"
)

// authRoutes registers the login, second factor, logout, account and password
// pages on a scope's group (an ente, a region's console, the platform console).
// The password-reset-by-mail and single sign-on pages exist for enti only.
func (s *Server) authRoutes(g *gin.RouterGroup, tenant bool) {
	g.GET("/login", s.handle(s.loginForm))
	g.POST("/login", s.handle(s.loginSubmit))
	g.GET("/login/mfa", s.handle(s.mfaForm))
	g.POST("/login/mfa", s.handle(s.mfaSubmit))
	g.GET("/mfa/setup", s.handle(s.mfaSetupForm))
	g.POST("/mfa/setup", s.handle(s.mfaSetupSubmit))
	g.POST("/logout", s.handle(s.logout))
	g.GET("/password/reset", s.handle(s.resetForm))
	g.POST("/password/reset", s.handle(s.resetSubmit))

	acct := g.Group("/account", s.requireLogin())
	acct.GET("", s.handle(s.account))
	acct.POST("/password", s.handle(s.passwordChange))
	acct.POST("/mfa/codes", s.handle(s.recoveryCodesRegenerate))
	acct.POST("/mfa/disable", s.handle(s.mfaDisable))

	if tenant {
		g.GET("/password/forgot", s.handle(s.forgotForm))
		g.POST("/password/forgot", s.handle(s.forgotSubmit))
		g.GET("/sso/start", s.handle(s.ssoStart))
		g.GET("/sso/callback", s.handle(s.ssoCallback))
	}
}

// formPage is a page with its error and value maps ready for a form.
func (s *Server) formPage(c *gin.Context, title string) Page {
	p := s.page(c, title)
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	if p.Form == nil {
		p.Form = map[string]string{}
	}
	return p
}

func (s *Server) loginForm(c *gin.Context) error {
	if sess := currentSession(c); sess != nil && sess.Stage == session.StageFull {
		c.Redirect(http.StatusSeeOther, safeNext(c, c.Query("next")))
		return nil
	}
	p := s.formPage(c, "auth.login.title")
	p.Form["next"] = c.Query("next")
	if c.Query("reset") == "1" {
		p.Flash = p.T("auth.reset.done")
	}
	s.renderLogin(c, http.StatusOK, p)
	return nil
}

func (s *Server) renderLogin(c *gin.Context, status int, p Page) {
	if t := currentTenant(c); t != nil && t.Settings.SSO.OIDC.Enabled {
		label := t.Settings.SSO.OIDC.Label
		if label == "" {
			label = p.T("auth.sso.button")
		}
		p.Data = map[string]any{"SSOLabel": label}
	}
	s.render(c, status, "login.html", p)
}

func (s *Server) loginSubmit(c *gin.Context) error {
	p := s.formPage(c, "auth.login.title")
	email := strings.TrimSpace(c.PostForm("email"))
	password := c.PostForm("password")
	p.Form["email"], p.Form["next"] = email, c.PostForm("next")
	if email == "" {
		p.Errors["email"] = p.T("auth.err.email_required")
	}
	if password == "" {
		p.Errors["password"] = p.T("auth.err.password_required")
	}
	if len(p.Errors) > 0 {
		s.renderLogin(c, http.StatusUnprocessableEntity, p)
		return nil
	}
	op, err := s.opts.Identity.Login(c.Request.Context(), currentScope(c), email, password, client(c))
	var locked *identity.LockedError
	switch {
	case errors.As(err, &locked):
		p.Errors[""] = p.T("auth.err.locked", locked.Until.In(rome).Format("15:04"))
		s.renderLogin(c, http.StatusForbidden, p)
		return nil
	case errors.Is(err, identity.ErrRateLimited):
		p.Errors[""] = p.T("auth.err.rate_limited")
		s.renderLogin(c, http.StatusTooManyRequests, p)
		return nil
	case errors.Is(err, identity.ErrBadCredentials):
		p.Errors[""] = p.T("auth.err.bad_credentials")
		s.renderLogin(c, http.StatusUnauthorized, p)
		return nil
	case err != nil:
		return err
	}
	return s.startSession(c, op, "password", c.PostForm("next"))
}

// startSession opens a session for op after its first factor (password or
// single sign-on): fully logged in, or waiting for the second factor or for
// MFA enrolment when the operator's roles or the ente require it. A new token
// every time: a session id is never carried across a login.
func (s *Server) startSession(c *gin.Context, op *identity.Operator, method, next string) error {
	ctx := c.Request.Context()
	scope := currentScope(c)
	roles, err := s.opts.Authz.RolesOf(ctx, op.ID, scope)
	if err != nil {
		return err
	}
	sec := security(c)
	stage := session.StageFull
	switch {
	case op.MFAEnabled:
		stage = session.StagePassword
	case identity.MFAMandatory(roles, sec.MFARequiredForAll) || scope.Platform || scope.Region != "":
		stage = session.StageEnroll
	}
	if old := c.GetString(tokenKey); old != "" {
		_ = s.opts.Sessions.Delete(ctx, old)
	}
	p := s.page(c, "")
	sess := &session.Session{
		OperatorID: op.ID, Scope: scope, Stage: stage, Locale: p.Locale,
		IP: c.ClientIP(), UserAgent: c.Request.UserAgent(),
		Idle: minutes(sec.SessionIdleMinutes), Absolute: minutes(sec.SessionAbsoluteHours * 60),
		Values: map[string]string{"name": op.Name, "email": op.Email, "method": method, "next": safeNext(c, next)},
	}
	tok, err := s.opts.Sessions.Create(ctx, sess)
	if err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, tok, 0)
	switch stage {
	case session.StagePassword:
		c.Redirect(http.StatusSeeOther, basePath(c)+"/login/mfa")
	case session.StageEnroll:
		c.Redirect(http.StatusSeeOther, basePath(c)+"/mfa/setup")
	default:
		if err := s.opts.Identity.RecordLogin(ctx, scope, op.ID, method, client(c)); err != nil {
			return err
		}
		c.Redirect(http.StatusSeeOther, sess.Values["next"])
	}
	return nil
}

// pending is the session of a login half done (second factor or enrolment due).
func pending(c *gin.Context, stage session.Stage) *session.Session {
	sess := currentSession(c)
	if sess == nil || sess.Stage != stage {
		return nil
	}
	return sess
}

func (s *Server) mfaForm(c *gin.Context) error {
	if pending(c, session.StagePassword) == nil {
		c.Redirect(http.StatusSeeOther, basePath(c)+"/login")
		return nil
	}
	s.render(c, http.StatusOK, "login_mfa.html", s.formPage(c, "auth.mfa.title"))
	return nil
}

func (s *Server) mfaSubmit(c *gin.Context) error {
	sess := pending(c, session.StagePassword)
	if sess == nil {
		c.Redirect(http.StatusSeeOther, basePath(c)+"/login")
		return nil
	}
	ctx := c.Request.Context()
	p := s.formPage(c, "auth.mfa.title")
	code := strings.TrimSpace(c.PostForm("code"))
	method := "password+totp"
	var err error
	switch {
	case code == "":
		p.Errors["code"] = p.T("auth.err.code_required")
	case isTOTP(code):
		err = s.opts.Identity.VerifyTOTP(ctx, sess.Scope, sess.OperatorID, code, client(c))
	default:
		method = "recovery_code"
		err = s.opts.Identity.UseRecoveryCode(ctx, sess.Scope, sess.OperatorID, code, client(c))
	}
	var locked *identity.LockedError
	switch {
	case errors.As(err, &locked):
		_ = s.opts.Sessions.Delete(ctx, c.GetString(tokenKey))
		p.Errors[""] = p.T("auth.err.locked", locked.Until.In(rome).Format("15:04"))
		s.renderLogin(c, http.StatusForbidden, p)
		return nil
	case errors.Is(err, identity.ErrBadCode):
		p.Errors["code"] = p.T("auth.err.bad_code")
	case err != nil:
		return err
	}
	if len(p.Errors) > 0 {
		s.render(c, http.StatusUnprocessableEntity, "login_mfa.html", p)
		return nil
	}
	return s.completeLogin(c, method)
}

// completeLogin promotes a half-done login to a full session, under a new
// token, and records the login.
func (s *Server) completeLogin(c *gin.Context, method string) error {
	ctx := c.Request.Context()
	tok, sess, err := s.opts.Sessions.Rotate(ctx, c.GetString(tokenKey), func(x *session.Session) {
		x.Stage = session.StageFull
		x.Values["method"] = method
	})
	if err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, tok, 0)
	if err := s.opts.Identity.RecordLogin(ctx, sess.Scope, sess.OperatorID, method, client(c)); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, safeNext(c, sess.Values["next"]))
	return nil
}

// isTOTP tells a six-digit authenticator code from a recovery code.
func isTOTP(code string) bool {
	if len(code) != 6 {
		return false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func (s *Server) logout(c *gin.Context) error {
	ctx := c.Request.Context()
	if sess := currentSession(c); sess != nil {
		if err := s.opts.Sessions.Delete(ctx, c.GetString(tokenKey)); err != nil {
			return err
		}
		if err := s.opts.Identity.Record(ctx, sess.Scope, audit.Event{
			Action: "auth.logout", ActorID: sess.OperatorID, Actor: sess.Values["email"], IP: c.ClientIP(),
		}); err != nil {
			return err
		}
	}
	s.setCookie(c, sessionCookie, "", -1)
	c.Redirect(http.StatusSeeOther, basePath(c)+"/")
	return nil
}
