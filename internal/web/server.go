// Package web is SIGeSS's HTTP face: the gin router, the middleware every
// request passes through (request id, recovery, security headers, logging,
// metrics, tenant resolution), the error pages and problem+json, and the
// operational endpoints.
package web

import (
	"context"
	"embed"
	"html/template"
	"net"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/identity"
	"github.com/sigess/sigess/internal/pdnd"
	"github.com/sigess/sigess/internal/session"
	"github.com/sigess/sigess/internal/sso"
	"github.com/sigess/sigess/internal/tenancy"
)

//go:embed templates/*.html
var templateFS embed.FS

// Tenants is what the web layer needs of the tenant registry.
type Tenants interface {
	Resolve(ctx context.Context, slug string) (*tenancy.Tenant, error)
}

// Check is a readiness probe of one dependency.
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

// Options wires a Server.
type Options struct {
	BaseDomain    string
	PublicURL     string // scheme://host[:port], for links sent by e-mail and OIDC redirects
	SecureCookies bool
	// TrustedProxies are the addresses (CIDR) of the reverse proxies whose
	// X-Forwarded-For is believed; none by default, so that a client cannot
	// choose the address its login attempts are counted under.
	TrustedProxies []string
	Tenants        Tenants
	Registry       *tenancy.Service
	Identity       *identity.Service
	APIClients     APIClients // the enti's machine clients; nil: the API answers 401
	People         People     // the person registry
	Households     Households // the households and their ISEE
	Cases          Cases      // the case files
	Accesses       Accesses   // intake: accesses and referrals
	Diary          Diary      // the case diaries
	Documents      Documents  // the documents filed on people and cases
	Agenda         Agenda     // the operators' agendas
	Exports        Exports    // the reporting exports, run as jobs
	Imports        Imports    // the onboarding import of legacy data, run as jobs
	Assessments    Assessments
	Plans          Plans
	Catalog        Catalog   // the enti's catalogues of services
	Templates      Templates // the regional templates and their adoption
	Sessions       *session.Store
	Authz          *authz.Enforcer
	SSO            *sso.Client
	Redis          *redis.Client
	Jobs           Jobs
	Checks         []Check
	Registerer     prometheus.Registerer // where HTTP metrics are registered
	Gatherer       prometheus.Gatherer   // what /metrics serves
	Version        string

	// Interventions are the interventions and their deliveries.
	Interventions Interventions

	// WorkflowTemplates is the ente's copies of a regional workflow template.
	WorkflowTemplates WorkflowTemplates

	// SIUSS is the SIUSS flows INPS polls (WaaS) and the flows API lists.
	SIUSS SIUSSFlows
	// PDND verifies the WaaS vouchers; nil: a default verifier.
	PDND *pdnd.Verifier
}

// Server is the HTTP application.
type Server struct {
	opts    Options
	engine  *gin.Engine
	pages   *template.Template
	metrics *httpMetrics
}

// New builds the router; a template that does not parse fails here, at start.
func New(opts Options) (*Server, error) {
	pages, err := template.New("").Funcs(templateFuncs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{opts: opts, engine: gin.New(), pages: pages, metrics: newHTTPMetrics(opts.Registerer)}
	s.engine.HandleMethodNotAllowed = true
	if err := s.engine.SetTrustedProxies(opts.TrustedProxies); err != nil {
		return nil, err
	}
	s.engine.Use(requestID(), s.recovery(), securityHeaders(), s.observe())
	s.engine.NoRoute(s.handle(func(c *gin.Context) error { return errNoRoute }))
	s.engine.NoMethod(s.handle(func(c *gin.Context) error { return errNoMethod }))

	s.engine.GET("/healthz", s.healthz)
	s.engine.GET("/readyz", s.readyz)
	s.engine.GET("/metrics", gin.WrapH(promhttp.HandlerFor(opts.Gatherer, promhttp.HandlerOpts{})))
	s.engine.GET("/", s.handle(s.platformHome))
	s.staticRoutes()

	// An ente: its pages (session and CSRF) and its API (no cookies).
	t := s.engine.Group("/t/:slug", s.resolveTenant(), withScope(tenantScope))
	api := t.Group("/api/v1")
	api.GET("/ente", s.handle(s.tenantInfo))
	api.GET("/openapi.json", s.handle(s.openAPIDocument))
	s.apiRoutes(api) // the OAuth2 token endpoint; every API route registered after it needs a bearer token
	s.personAPIRoutes(api)
	s.householdAPIRoutes(api)
	s.diaryAPIRoutes(api)
	s.assessmentAPIRoutes(api)
	s.planAPIRoutes(api)
	s.catalogAPIRoutes(api)
	s.documentAPIRoutes(api)
	s.interventionAPIRoutes(api)
	s.appointmentAPIRoutes(api)
	s.caseAPIRoutes(api)
	s.accessAPIRoutes(api)
	s.siussAPIRoutes(api)
	s.waasRoutes(t) // before the ui group: no session, no CSRF
	ui := t.Group("", s.sessions(), s.csrf())
	ui.GET("/", s.handle(s.tenantHome))
	s.authRoutes(ui, true)
	s.tenantAdminRoutes(ui)
	s.personRoutes(ui)
	s.householdRoutes(ui)
	s.caseRoutes(ui)
	s.accessRoutes(ui)
	s.diaryRoutes(ui)
	s.assessmentRoutes(ui)
	s.planRoutes(ui)
	s.catalogRoutes(ui)
	s.documentRoutes(ui)
	s.interventionRoutes(ui)
	s.caseloadRoutes(ui)
	s.agendaRoutes(ui)
	s.exportRoutes(ui)
	s.importRoutes(ui)
	s.siussPageRoutes(ui)

	// A region's console and the platform console.
	r := s.engine.Group("/r/:region", s.resolveRegion(), withScope(regionScope), s.sessions(), s.csrf())
	s.authRoutes(r, false)
	s.regionRoutes(r)
	s.templateRoutes(r)
	a := s.engine.Group("/admin", withScope(platformScope), s.sessions(), s.csrf())
	s.authRoutes(a, false)
	s.platformRoutes(a)
	return s, nil
}

// Routes lists every registered route (method and path pattern), so that tests
// can walk them all.
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

// Handler returns the server as an http.Handler that also serves tenants by
// host name: {slug}.{base_domain}/path is served as /t/{slug}/path.
func (s *Server) Handler() http.Handler {
	suffix := "." + s.opts.BaseDomain
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.ToLower(host)
		// Under a tenant's host every path is that tenant's: /t/other/ is not
		// reachable through it.
		if slug, ok := strings.CutSuffix(host, suffix); ok && slug != "" && !strings.Contains(slug, ".") && !isOps(r.URL.Path) {
			r2 := r.Clone(withServedByHost(r.Context()))
			r2.URL.Path = "/t/" + slug + r.URL.Path
			r2.URL.RawPath = ""
			s.engine.ServeHTTP(w, r2)
			return
		}
		s.engine.ServeHTTP(w, r)
	})
}

// isOps reports whether path is the same under every host: operational
// endpoints and the static assets.
func isOps(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics" || strings.HasPrefix(path, "/static/")
}
