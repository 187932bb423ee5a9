package web

import (
	"bytes"
	"encoding/base64"
	"errors"
	"html/template"
	"image/png"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/pquerna/otp"

	"github.com/sigess/sigess/internal/identity"
	"github.com/sigess/sigess/internal/session"
)

// mfaSetupForm shows a new authenticator secret as a QR code and as text. It
// serves both a login waiting for mandatory enrolment and a logged-in operator
// turning MFA on from the account page.
func (s *Server) mfaSetupForm(c *gin.Context) error {
	sess := currentSession(c)
	if sess == nil || (sess.Stage != session.StageEnroll && sess.Stage != session.StageFull) {
		c.Redirect(http.StatusSeeOther, basePath(c)+"/login")
		return nil
	}
	p := s.formPage(c, "auth.enroll.title")
	if err := s.enrolment(c, &p, sess); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "mfa_setup.html", p)
	return nil
}

// enrolment starts an enrolment and puts its secret and QR code on the page.
func (s *Server) enrolment(c *gin.Context, p *Page, sess *session.Session) error {
	issuer := "SIGeSS"
	if t := currentTenant(c); t != nil {
		issuer = "SIGeSS " + t.DisplayName()
	}
	secret, uri, err := s.opts.Identity.StartEnrollment(c.Request.Context(), sess.OperatorID, issuer, sess.Values["email"])
	if err != nil {
		return err
	}
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	p.Data = map[string]any{
		"Secret":    secret,
		"SecretGrp": groupsOf4(secret),
		"QR":        template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())),
		"Enroll":    sess.Stage == session.StageEnroll,
	}
	return nil
}

func groupsOf4(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Server) mfaSetupSubmit(c *gin.Context) error {
	sess := currentSession(c)
	if sess == nil || (sess.Stage != session.StageEnroll && sess.Stage != session.StageFull) {
		c.Redirect(http.StatusSeeOther, basePath(c)+"/login")
		return nil
	}
	ctx := c.Request.Context()
	p := s.formPage(c, "auth.enroll.title")
	code := strings.TrimSpace(c.PostForm("code"))
	codes, err := s.opts.Identity.ConfirmEnrollment(ctx, sess.Scope, sess.OperatorID, code, client(c))
	if errors.Is(err, identity.ErrBadCode) || code == "" {
		// A new secret is shown: the pending one may have expired.
		p.Errors["code"] = p.T("auth.err.bad_code")
		if err := s.enrolment(c, &p, sess); err != nil {
			return err
		}
		s.render(c, http.StatusUnprocessableEntity, "mfa_setup.html", p)
		return nil
	}
	if err != nil {
		return err
	}
	p = s.formPage(c, "auth.codes.title")
	next := basePath(c) + "/account"
	if sess.Stage == session.StageEnroll {
		// The enrolment was the last step of a login.
		tok, full, err := s.opts.Sessions.Rotate(ctx, c.GetString(tokenKey), func(x *session.Session) { x.Stage = session.StageFull })
		if err != nil {
			return err
		}
		s.setCookie(c, sessionCookie, tok, 0)
		if err := s.opts.Identity.RecordLogin(ctx, full.Scope, full.OperatorID, "password+totp", client(c)); err != nil {
			return err
		}
		next = safeNext(c, full.Values["next"])
		p.CSRF = full.CSRF
	}
	p.Data = map[string]any{"Codes": codes, "Next": next}
	s.render(c, http.StatusOK, "mfa_codes.html", p)
	return nil
}

// account is the operator's own page: password and second factor.
func (s *Server) account(c *gin.Context) error {
	p := s.formPage(c, "auth.account.title")
	if err := s.accountData(c, &p); err != nil {
		return err
	}
	switch c.Query("done") {
	case "password":
		p.Flash = p.T("auth.password.changed")
	case "mfa_off":
		p.Flash = p.T("auth.mfa.disabled")
	}
	s.render(c, http.StatusOK, "account.html", p)
	return nil
}

func (s *Server) accountData(c *gin.Context, p *Page) error {
	ctx := c.Request.Context()
	sess := currentSession(c)
	op, err := s.opts.Identity.Get(ctx, sess.Scope, sess.OperatorID)
	if err != nil {
		return err
	}
	roles, err := s.opts.Authz.RolesOf(ctx, op.ID, sess.Scope)
	if err != nil {
		return err
	}
	p.Data = map[string]any{
		"Operator":     op,
		"Roles":        roles,
		"MFAMandatory": identity.MFAMandatory(roles, security(c).MFARequiredForAll) || sess.Scope.Platform || sess.Scope.Region != "",
	}
	return nil
}

func (s *Server) recoveryCodesRegenerate(c *gin.Context) error {
	sess := currentSession(c)
	codes, err := s.opts.Identity.RegenerateRecoveryCodes(c.Request.Context(), sess.Scope, sess.OperatorID, client(c))
	if err != nil {
		return err
	}
	p := s.formPage(c, "auth.codes.title")
	p.Data = map[string]any{"Codes": codes, "Next": basePath(c) + "/account"}
	s.render(c, http.StatusOK, "mfa_codes.html", p)
	return nil
}

func (s *Server) mfaDisable(c *gin.Context) error {
	p := s.formPage(c, "auth.account.title")
	if err := s.accountData(c, &p); err != nil {
		return err
	}
	if p.Data["MFAMandatory"].(bool) {
		p.Errors[""] = p.T("auth.mfa.mandatory")
		s.render(c, http.StatusUnprocessableEntity, "account.html", p)
		return nil
	}
	sess := currentSession(c)
	if err := s.opts.Identity.DisableMFA(c.Request.Context(), sess.Scope, sess.OperatorID, client(c)); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/account?done=mfa_off")
	return nil
}
