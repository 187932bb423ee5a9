package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/sso"
	"github.com/sigess/sigess/internal/tenancy"
)

// Single sign-on: the ente's OpenID provider authenticates, the operator account
// with the same e-mail or codice fiscale (tenant setting sso.oidc.match) logs in.
// The state travels in the URL and in a cookie of this browser; nonce and PKCE
// verifier wait in Redis for at most ssoTTL.

const (
	ssoCookie = "sigess_sso"
	ssoTTL    = 10 * time.Minute
)

type ssoPending struct {
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
	Next     string `json:"next"`
}

// ssoConfig returns the ente's provider with its client secret opened (it is
// stored sealed); ok is false when the ente has no single sign-on.
func (s *Server) ssoConfig(t *tenancy.Tenant) (cfg sso.Config, ok bool, err error) {
	o := t.Settings.SSO.OIDC
	if !o.Enabled {
		return sso.Config{}, false, nil
	}
	secret, err := s.opts.Registry.OIDCClientSecret(t)
	if err != nil {
		return sso.Config{}, true, err
	}
	return sso.Config{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: secret}, true, nil
}

func (s *Server) ssoRedirectURL(t *tenancy.Tenant) string {
	return strings.TrimSuffix(s.opts.PublicURL, "/") + "/t/" + t.Slug + "/sso/callback"
}

func ssoKey(state string) string { return "sigess:sso:" + state }

func (s *Server) ssoStart(c *gin.Context) error {
	t := currentTenant(c)
	cfg, ok, err := s.ssoConfig(t)
	if err != nil {
		return err
	}
	if !ok {
		return derrors.ErrNotFound
	}
	ctx := c.Request.Context()
	state, nonce := randomToken(), randomToken()
	authURL, verifier, err := s.opts.SSO.AuthURL(ctx, cfg, s.ssoRedirectURL(t), state, nonce)
	if err != nil {
		slog.WarnContext(ctx, "sso: provider unreachable", "issuer", cfg.Issuer, "err", err)
		return s.ssoFailed(c, "provider")
	}
	b, _ := json.Marshal(ssoPending{Nonce: nonce, Verifier: verifier, Next: c.Query("next")})
	if err := s.opts.Redis.Set(ctx, ssoKey(state), b, ssoTTL).Err(); err != nil {
		return fmt.Errorf("sso: %w", err)
	}
	s.setCookie(c, ssoCookie, state, int(ssoTTL.Seconds()))
	c.Redirect(http.StatusSeeOther, authURL)
	return nil
}

func (s *Server) ssoCallback(c *gin.Context) error {
	t := currentTenant(c)
	cfg, ok, err := s.ssoConfig(t)
	if err != nil {
		return err
	}
	if !ok {
		return derrors.ErrNotFound
	}
	ctx := c.Request.Context()
	state := c.Query("state")
	cookie, _ := c.Cookie(ssoCookie)
	s.setCookie(c, ssoCookie, "", -1)
	if state == "" || cookie != state {
		return s.ssoFailed(c, "state")
	}
	raw, err := s.opts.Redis.GetDel(ctx, ssoKey(state)).Bytes()
	if err != nil {
		return s.ssoFailed(c, "state")
	}
	var pend ssoPending
	if err := json.Unmarshal(raw, &pend); err != nil {
		return s.ssoFailed(c, "state")
	}
	if e := c.Query("error"); e != "" {
		return s.ssoFailed(c, "provider: "+e)
	}
	id, err := s.opts.SSO.Exchange(ctx, cfg, s.ssoRedirectURL(t), c.Query("code"), pend.Verifier, pend.Nonce)
	if err != nil {
		slog.WarnContext(ctx, "sso: token refused", "issuer", cfg.Issuer, "err", err)
		return s.ssoFailed(c, "token")
	}
	email, taxCode := id.Email, ""
	if t.Settings.SSO.OIDC.Match == "tax_code" {
		email, taxCode = "", id.TaxCode
	} else if !id.EmailVerified {
		// An address the provider did not verify could be anyone's: it
		// identifies no operator.
		return s.ssoFailed(c, "email_unverified", id.Email)
	}
	op, err := s.opts.Identity.OperatorForSSO(ctx, t.ID, email, taxCode)
	if errors.Is(err, derrors.ErrNotFound) {
		return s.ssoFailed(c, "no_operator", id.Email, id.TaxCode)
	}
	if err != nil {
		return err
	}
	return s.startSession(c, op, "oidc", pend.Next)
}

// ssoFailed records the failure and shows the login page with what went wrong.
func (s *Server) ssoFailed(c *gin.Context, reason string, who ...string) error {
	actor := strings.Join(who, " ")
	if err := s.opts.Identity.Record(c.Request.Context(), currentScope(c), audit.Event{
		Action: "auth.login_failed", Actor: actor, IP: c.ClientIP(),
		Details: map[string]any{"method": "oidc", "reason": reason},
	}); err != nil {
		return err
	}
	p := s.formPage(c, "auth.login.title")
	switch reason {
	case "no_operator", "email_unverified":
		p.Errors[""] = p.T("auth.sso." + reason)
	default:
		p.Errors[""] = p.T("auth.sso.failed")
	}
	s.renderLogin(c, http.StatusUnauthorized, p)
	return nil
}
