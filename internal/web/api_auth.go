package web

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/apiclient"
)

// APIClients is what the web layer needs of the enti's API clients
// (apiclient.Service implements it).
type APIClients interface {
	IssueToken(ctx context.Context, tenant uuid.UUID, clientID, secret, ip string) (*apiclient.Token, error)
	Authenticate(ctx context.Context, tenant uuid.UUID, token string) (*apiclient.Client, error)
	List(ctx context.Context, tenant uuid.UUID) ([]apiclient.Client, error)
	Create(ctx context.Context, tenant uuid.UUID, in apiclient.NewClient, by apiclient.Actor) (*apiclient.Credentials, error)
	Revoke(ctx context.Context, tenant, id uuid.UUID, by apiclient.Actor) error
}

// apiClientKey holds the *apiclient.Client a bearer token stands for.
const apiClientKey = "sigess.api_client"

// maxTokenRequestBytes bounds a token request: a few short parameters.
const maxTokenRequestBytes = 8 << 10

// apiRoutes registers the token endpoint on the ente's API group, then puts
// the bearer middleware on the group: the routes registered before (the
// public /ente) stay public, every one after needs a token.
func (s *Server) apiRoutes(api *gin.RouterGroup) {
	api.POST("/oauth/token", s.handle(s.oauthToken))
	api.Use(s.bearer())
	api.GET("/whoami", s.handle(s.whoami))
}

// oauthError is an error response of the token endpoint (RFC 6749 §5.2): it
// speaks OAuth2, not problem+json, since that is what client libraries read.
func oauthError(c *gin.Context, status int, code, description string) error {
	c.JSON(status, gin.H{"error": code, "error_description": description})
	return nil
}

// oauthToken is the client credentials grant (RFC 6749 §4.4): the client
// authenticates with HTTP Basic (client_secret_basic) or in the body
// (client_secret_post), and gets a bearer token for this ente.
func (s *Server) oauthToken(c *gin.Context) error {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxTokenRequestBytes)
	if mt, _, err := mime.ParseMediaType(c.ContentType()); err != nil || mt != "application/x-www-form-urlencoded" {
		return oauthError(c, http.StatusBadRequest, "invalid_request", "the request must be application/x-www-form-urlencoded")
	}
	if err := c.Request.ParseForm(); err != nil {
		return oauthError(c, http.StatusBadRequest, "invalid_request", "the request body cannot be read")
	}
	form := c.Request.PostForm
	for _, k := range []string{"grant_type", "client_id", "client_secret", "scope"} {
		if len(form[k]) > 1 {
			return oauthError(c, http.StatusBadRequest, "invalid_request", k+" is repeated")
		}
	}
	switch grant := form.Get("grant_type"); grant {
	case "client_credentials":
	case "":
		return oauthError(c, http.StatusBadRequest, "invalid_request", "grant_type is missing")
	default:
		return oauthError(c, http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported")
	}
	id, secret, basic := c.Request.BasicAuth()
	if basic {
		if form.Has("client_secret") {
			return oauthError(c, http.StatusBadRequest, "invalid_request", "use one client authentication method only")
		}
		// RFC 6749 §2.3.1: Basic credentials are form-encoded first.
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return s.invalidClient(c, basic)
		}
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	if id == "" || secret == "" {
		return s.invalidClient(c, basic)
	}
	if s.opts.APIClients == nil {
		return s.invalidClient(c, basic)
	}
	tok, err := s.opts.APIClients.IssueToken(c.Request.Context(), currentTenant(c).ID, id, secret, c.ClientIP())
	switch {
	case errors.Is(err, apiclient.ErrRateLimited):
		c.Header("Retry-After", "600")
		return oauthError(c, http.StatusTooManyRequests, "invalid_request", "too many token requests from this address; retry later")
	case errors.Is(err, apiclient.ErrInvalidClient):
		return s.invalidClient(c, basic)
	case err != nil:
		return err
	}
	c.JSON(http.StatusOK, gin.H{
		"access_token": tok.AccessToken, "token_type": "Bearer", "expires_in": int(tok.ExpiresIn.Seconds()),
	})
	return nil
}

// invalidClient refuses the client's credentials without saying which was
// wrong (RFC 6749 §5.2): 401, with the Basic challenge when it used Basic.
func (s *Server) invalidClient(c *gin.Context, basic bool) error {
	if basic {
		c.Header("WWW-Authenticate", `Basic realm="sigess"`)
	}
	return oauthError(c, http.StatusUnauthorized, "invalid_client", "client authentication failed")
}

// bearer admits API requests with an access token of this ente (RFC 6750):
// the client is the request's subject and its permissions are loaded as
// requireLogin loads an operator's, so that require works on API routes too.
// No or a bad token is 401 with a Bearer challenge; another ente's token,
// 404, as anything of another ente.
func (s *Server) bearer() gin.HandlerFunc {
	return func(c *gin.Context) {
		token, ok := bearerToken(c.GetHeader("Authorization"))
		if !ok || s.opts.APIClients == nil {
			s.unauthenticated(c, "")
			return
		}
		ctx := c.Request.Context()
		cl, err := s.opts.APIClients.Authenticate(ctx, currentTenant(c).ID, token)
		if errors.Is(err, apiclient.ErrInvalidToken) {
			s.unauthenticated(c, "invalid_token")
			return
		}
		if err != nil {
			s.writeError(c, err)
			c.Abort()
			return
		}
		g, err := s.opts.Authz.Granted(ctx, cl.ID, currentScope(c))
		if err != nil {
			s.writeError(c, err)
			c.Abort()
			return
		}
		c.Set(grantedKey, g)
		c.Set(apiClientKey, cl)
		c.Next()
	}
}

// bearerToken is the token of an "Authorization: Bearer …" header.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	return token, ok && strings.EqualFold(scheme, "Bearer") && token != ""
}

// unauthenticated answers 401 problem+json with the Bearer challenge;
// errCode is RFC 6750's error ("invalid_token"), "" when no token was sent.
func (s *Server) unauthenticated(c *gin.Context, errCode string) {
	challenge := `Bearer realm="sigess"`
	if errCode != "" {
		challenge += fmt.Sprintf(`, error=%q`, errCode)
	}
	c.Header("WWW-Authenticate", challenge)
	s.writeError(c, fmt.Errorf("%w: access token mancante, non valido o scaduto", errUnauthenticated))
	c.Abort()
}

// currentAPIClient is the client of an API request, or nil.
func currentAPIClient(c *gin.Context) *apiclient.Client {
	v, _ := c.Get(apiClientKey)
	cl, _ := v.(*apiclient.Client)
	return cl
}

// whoami tells an integrator which client its token stands for and what it
// may do here.
func (s *Server) whoami(c *gin.Context) error {
	cl := currentAPIClient(c)
	perms := make([]string, 0, len(granted(c)))
	for p := range granted(c) {
		perms = append(perms, p)
	}
	slices.Sort(perms)
	c.JSON(http.StatusOK, gin.H{"client_id": cl.ID, "name": cl.Name, "roles": cl.Roles, "permissions": perms})
	return nil
}
