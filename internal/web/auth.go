package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/identity"
	"github.com/sigess/sigess/internal/session"
	"github.com/sigess/sigess/internal/tenancy"
)

// The auth middleware's context keys. A request is served for one scope — an
// ente, a region's console or the platform console — and a session is worth
// something only in the scope it was opened for.
const (
	scopeKey   = "sigess.scope"   // db.Scope served
	sessionKey = "sigess.session" // *session.Session of this scope, any stage
	tokenKey   = "sigess.token"   // its cookie value
	foreignKey = "sigess.foreign" // a valid session of another scope was presented
	grantedKey = "sigess.granted" // map[string]bool: the operator's permissions here
	userKey    = "sigess.user"    // *User
	csrfKey    = "sigess.csrf"    // the CSRF token forms of this response carry
	navKey     = "sigess.nav"     // []NavItem
	regionKey  = "sigess.region"  // *tenancy.Region of a regional console
)

const (
	sessionCookie = "sigess_session"
	csrfCookie    = "sigess_csrf"
)

// errCSRF is a form posted without the token of the page that showed it.
var errCSRF = fmt.Errorf("%w: il modulo è scaduto o non proviene da questo sito: ricaricare la pagina e riprovare", derrors.ErrForbidden)

func currentScope(c *gin.Context) db.Scope {
	v, _ := c.Get(scopeKey)
	s, _ := v.(db.Scope)
	return s
}

func currentSession(c *gin.Context) *session.Session {
	v, _ := c.Get(sessionKey)
	s, _ := v.(*session.Session)
	return s
}

func granted(c *gin.Context) map[string]bool {
	v, _ := c.Get(grantedKey)
	g, _ := v.(map[string]bool)
	return g
}

// withScope marks the request as served for scope.
func withScope(scope func(c *gin.Context) db.Scope) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(scopeKey, scope(c))
		c.Next()
	}
}

// cookiePath scopes cookies to the ente, region or platform served: /t/roma by
// path, / under roma.<base_domain> (host-only cookies).
func cookiePath(c *gin.Context) string {
	if b := basePath(c); b != "" {
		return b
	}
	return "/"
}

func (s *Server) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: cookiePath(c), MaxAge: maxAge,
		HttpOnly: true, Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

// sessions loads the session named by the cookie. A session of another scope
// (ente A's cookie presented to ente B) is not used; it is remembered so that
// protected pages answer 404 to it.
func (s *Server) sessions() gin.HandlerFunc {
	return func(c *gin.Context) {
		tok, err := c.Cookie(sessionCookie)
		if err == nil && tok != "" {
			sess, err := s.opts.Sessions.Get(c.Request.Context(), tok)
			switch {
			case err == nil && sess.Scope == currentScope(c):
				c.Set(sessionKey, sess)
				c.Set(tokenKey, tok)
			case err == nil:
				c.Set(foreignKey, true)
			case !errors.Is(err, session.ErrNoSession):
				s.writeError(c, err)
				c.Abort()
				return
			}
		}
		c.Next()
	}
}

// maxFormBytes bounds what a form may send (the coat of arms is the largest).
const maxFormBytes = 2 << 20

// csrf protects every form: an unsafe request must echo the token of the
// session (or, before login, of the csrf cookie) in the form field "csrf" or
// the X-CSRF-Token header (htmx).
func (s *Server) csrf() gin.HandlerFunc {
	return func(c *gin.Context) {
		want := ""
		if sess := currentSession(c); sess != nil {
			want = sess.CSRF
		} else if v, err := c.Cookie(csrfCookie); err == nil && len(v) >= 32 {
			want = v
		} else if isSafe(c.Request.Method) {
			want = randomToken()
			s.setCookie(c, csrfCookie, want, 0)
		}
		c.Set(csrfKey, want)
		if isSafe(c.Request.Method) {
			c.Next()
			return
		}
		limit := s.formLimit(c) // documents may be larger than other forms
		if c.Request.ContentLength > limit {
			s.writeError(c, errBodyTooLarge)
			c.Abort()
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		got := c.GetHeader("X-CSRF-Token")
		if got == "" {
			got = c.PostForm("csrf")
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			if c.GetBool(foreignKey) {
				// Another scope's session: as everywhere, nothing is here for it.
				s.writeError(c, derrors.ErrNotFound)
				c.Abort()
				return
			}
			s.writeError(c, errCSRF)
			c.Abort()
			return
		}
		c.Next()
	}
}

func isSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// requireLogin lets through operators fully logged in to this scope and loads
// their permissions and navigation. A session of another scope gets 404, as if
// the page did not exist; no session goes to the login page.
func (s *Server) requireLogin() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.GetBool(foreignKey) {
			s.writeError(c, derrors.ErrNotFound)
			c.Abort()
			return
		}
		sess := currentSession(c)
		if sess == nil || sess.Stage != session.StageFull {
			s.toLogin(c, sess)
			c.Abort()
			return
		}
		ctx := c.Request.Context()
		g, err := s.opts.Authz.Granted(ctx, sess.OperatorID, currentScope(c))
		if err != nil {
			s.writeError(c, err)
			c.Abort()
			return
		}
		if len(g) == 0 {
			// The membership was removed or disabled since login.
			_ = s.opts.Sessions.Delete(ctx, c.GetString(tokenKey))
			s.toLogin(c, nil)
			c.Abort()
			return
		}
		c.Set(grantedKey, g)
		c.Set(userKey, &User{ID: sess.OperatorID, Name: sess.Values["name"], Email: sess.Values["email"]})
		c.Set(navKey, s.nav(c, g))
		c.Next()
	}
}

// toLogin sends the browser to the step of the login it has to do next; an
// API client gets 401.
func (s *Server) toLogin(c *gin.Context, sess *session.Session) {
	if wantsJSON(c) {
		s.writeError(c, fmt.Errorf("%w: autenticazione richiesta", errUnauthenticated))
		return
	}
	base := basePath(c)
	switch {
	case sess != nil && sess.Stage == session.StagePassword:
		c.Redirect(http.StatusSeeOther, base+"/login/mfa")
	case sess != nil && sess.Stage == session.StageEnroll:
		c.Redirect(http.StatusSeeOther, base+"/mfa/setup")
	default:
		c.Redirect(http.StatusSeeOther, base+"/login?next="+url.QueryEscape(requestPath(c)))
	}
}

// requestPath is the path as the browser sees it (without /t/slug under a
// tenant host).
func requestPath(c *gin.Context) string {
	p := c.Request.URL.Path
	if t := currentTenant(c); t != nil && basePath(c) == "" {
		p = strings.TrimPrefix(p, "/t/"+t.Slug)
	}
	if c.Request.URL.RawQuery != "" {
		p += "?" + c.Request.URL.RawQuery
	}
	return p
}

// safeNext admits only a path inside the scope served, so that ?next= cannot
// send the browser elsewhere after login.
func safeNext(c *gin.Context, next string) string {
	base := basePath(c)
	if next == "" || !strings.HasPrefix(next, base+"/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return base + "/"
	}
	return next
}

// require lets through operators holding at least one of perms; others get 403.
func (s *Server) require(perms ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		g := granted(c)
		for _, p := range perms {
			if g[p] {
				c.Next()
				return
			}
		}
		s.writeError(c, derrors.ErrForbidden)
		c.Abort()
	}
}

// client is who is asking, for rate limits and the audit trail.
func client(c *gin.Context) identity.Client {
	return identity.Client{IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
}

// actor is the logged-in operator doing an admin action.
func actor(c *gin.Context) identity.Actor {
	sess := currentSession(c)
	if sess == nil {
		return identity.Actor{Client: client(c)}
	}
	return identity.Actor{ID: sess.OperatorID, Email: sess.Values["email"], Client: client(c)}
}

// security is the login and session policy of the scope served: the ente's
// settings, or the defaults for the consoles (where MFA is always mandatory).
func security(c *gin.Context) tenancy.Security {
	if t := currentTenant(c); t != nil {
		return t.Settings.Security
	}
	return tenancy.DefaultSettings().Security
}

func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

// record writes an admin action of the logged-in operator to the audit trail of
// the scope served. It runs after the change committed, in a transaction of
// its own: the domain packages that made the change do not write the trail.
func (s *Server) record(c *gin.Context, action, objectType, objectID string, details map[string]any) error {
	sess := currentSession(c)
	e := audit.Event{Action: action, ObjectType: objectType, ObjectID: objectID, IP: c.ClientIP(), Details: details}
	if sess != nil {
		e.ActorID, e.Actor = sess.OperatorID, sess.Values["email"]
	}
	return s.opts.Identity.Record(c.Request.Context(), currentScope(c), e)
}
