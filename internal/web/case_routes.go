package web

import (
	"context"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
)

// Cases is what the web layer needs of the case files (casefile.Service
// implements it). Who sees what is decided there, from the Viewer.
type Cases interface {
	Open(ctx context.Context, tenant uuid.UUID, in casefile.OpenInput, v casefile.Viewer) (*casefile.Case, error)
	Get(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer, via string) (*casefile.View, error)
	List(ctx context.Context, tenant uuid.UUID, f casefile.Filter, v casefile.Viewer) ([]casefile.Listed, error)
	Assign(ctx context.Context, tenant, id, responsible uuid.UUID, v casefile.Viewer) (*casefile.Case, error)
	TakeInCharge(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) (*casefile.Case, error)
	Transition(ctx context.Context, tenant, id uuid.UUID, to, reason string, v casefile.Viewer) (*casefile.Case, error)
	AddMember(ctx context.Context, tenant, id, operator uuid.UUID, role string, v casefile.Viewer) (*casefile.Case, error)
	RemoveMember(ctx context.Context, tenant, id, operator uuid.UUID, v casefile.Viewer) (*casefile.Case, error)
	SetReserved(ctx context.Context, tenant, id uuid.UUID, reserved bool, v casefile.Viewer) (*casefile.Case, error)
	Trail(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer, limit int) ([]audit.Record, error)
	Workflow(ctx context.Context, tenant uuid.UUID) (casefile.Workflow, error)
	SaveWorkflow(ctx context.Context, tenant uuid.UUID, w casefile.Workflow, validRole func(string) bool, v casefile.Viewer) error
	Assignable(ctx context.Context, tenant, unit uuid.UUID) ([]casefile.Operator, error)
	AccessTo(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, v casefile.Viewer) (casefile.Access, error)
	Caseload(ctx context.Context, tenant uuid.UUID, v casefile.Viewer) (*casefile.Caseload, error)
}

// caseReaders are the permissions that let an operator list cases.
var caseReaders = []string{authz.PermCasesReadOwn, authz.PermCasesReadUnit, authz.PermCasesReadAll}

// caseRoutes registers the case pages on the ente's UI group.
func (s *Server) caseRoutes(ui *gin.RouterGroup) {
	g := ui.Group("/cases", s.requireLogin())
	read := s.require(caseReaders...)
	write := s.require(authz.PermCasesWrite)
	g.GET("", read, s.handle(s.caseList))
	g.GET("/new", write, s.handle(s.caseNew))
	g.POST("", write, s.handle(s.caseCreate))
	g.GET("/:id", s.require(authz.PermCasesExists, authz.PermCasesReadOwn, authz.PermCasesReadUnit, authz.PermCasesReadAll), s.handle(s.caseShow))
	g.POST("/:id/transitions", write, s.handle(s.caseTransition))
	g.POST("/:id/assignment", s.require(authz.PermCasesAssign), s.handle(s.caseAssign))
	g.POST("/:id/take", write, s.handle(s.caseTake))
	g.POST("/:id/team", write, s.handle(s.caseTeamAdd))
	g.POST("/:id/team/remove", write, s.handle(s.caseTeamRemove))
	g.POST("/:id/reserved", write, s.handle(s.caseReserved))
	g.GET("/:id/trail", s.require(authz.PermAuditRead), s.handle(s.caseTrail))
	s.workflowRoutes(ui)
}

// caseViewer is who reads or changes cases in this request, with their
// permissions and roles here: the logged-in operator, or the API client.
func (s *Server) caseViewer(c *gin.Context) (casefile.Viewer, error) {
	v := casefile.Viewer{IP: c.ClientIP(), Perms: granted(c)}
	if cl := currentAPIClient(c); cl != nil {
		v.ID, v.Email, v.Roles = cl.ID, "api:"+cl.Name, cl.Roles
		return v, nil
	}
	a := actor(c)
	v.ID, v.Email = a.ID, a.Email
	roles, err := s.opts.Authz.RolesOf(c.Request.Context(), a.ID, currentScope(c))
	if err != nil {
		return v, err
	}
	v.Roles = roles
	return v, nil
}

// stateLabel names state in the page's language by the ente's workflow.
func stateLabel(p Page, w casefile.Workflow, state string) string {
	st, ok := w.State(state)
	switch {
	case !ok:
		return state
	case p.Locale == "en":
		return st.LabelEN
	}
	return st.LabelIT
}
