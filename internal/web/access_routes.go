package web

import (
	"context"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/access"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/tenancy"
)

// Accesses is what the web layer needs of intake (access.Service implements
// it). Who sees which access or referral is decided there, from the Viewer;
// every read and change writes the ente's audit trail.
type Accesses interface {
	SaveStep(ctx context.Context, tenant, id uuid.UUID, step string, in access.Input, v access.Viewer) (*access.Access, error)
	Draft(ctx context.Context, tenant, id uuid.UUID, v access.Viewer) (*access.Access, error)
	Confirm(ctx context.Context, tenant, id uuid.UUID, v access.Viewer) (*access.Access, error)
	Create(ctx context.Context, tenant uuid.UUID, in access.Input, v access.Viewer) (*access.Access, error)
	Get(ctx context.Context, tenant, id uuid.UUID, v access.Viewer) (*access.Access, error)
	List(ctx context.Context, tenant uuid.UUID, f access.Filter, v access.Viewer) ([]access.Summary, error)
	SetState(ctx context.Context, tenant, id uuid.UUID, state, reason string, v access.Viewer) (*access.Access, error)
	Send(ctx context.Context, tenant uuid.UUID, in access.NewReferral, v access.Viewer) (*access.Referral, error)
	Answer(ctx context.Context, tenant, id uuid.UUID, accept bool, reason string, v access.Viewer) (*access.Referral, error)
	Referrals(ctx context.Context, tenant uuid.UUID, box string, v access.Viewer) ([]access.Referral, error)
	Referral(ctx context.Context, tenant, id uuid.UUID, v access.Viewer) (*access.Referral, error)
	AwaitingFor(ctx context.Context, tenant, operator uuid.UUID, units []uuid.UUID) ([]access.Summary, error)
}

// accessRoutes registers the intake pages on the ente's UI group: the
// accesses, the wizard that records one, and the referrals.
func (s *Server) accessRoutes(ui *gin.RouterGroup) {
	read, write := s.require(authz.PermAccessesRead), s.require(authz.PermAccessesWrite)
	g := ui.Group("/accesses", s.requireLogin())
	g.GET("", read, s.handle(s.accessList))
	g.GET("/new", write, s.handle(s.accessNew))
	g.POST("/new", write, s.handle(s.accessStart))
	g.GET("/drafts/:id/:step", write, s.handle(s.accessStep))
	g.POST("/drafts/:id/:step", write, s.handle(s.accessStepSave))
	g.GET("/:id", read, s.handle(s.accessShow))
	g.POST("/:id/state", write, s.handle(s.accessState))
	r := ui.Group("/referrals", s.requireLogin())
	r.GET("", s.require(authz.PermAccessesRead, authz.PermReferralsWrite), s.handle(s.referralList))
	r.POST("/:id/answer", s.require(authz.PermReferralsWrite), s.handle(s.referralAnswer))
}

// accessViewer is who reads or changes accesses in this request: the
// logged-in operator, or the API client of the token (which acts for the
// whole ente).
func accessViewer(c *gin.Context) access.Viewer {
	v := access.Viewer{IP: c.ClientIP(), Perms: granted(c)}
	if cl := currentAPIClient(c); cl != nil {
		v.ID, v.Email, v.Client = cl.ID, "api:"+cl.Name, true
		return v
	}
	a := actor(c)
	v.ID, v.Email = a.ID, a.Email
	return v
}

// accessErrors puts the field errors of err next to their fields; it
// reports whether there were any.
func accessErrors(err error, errs map[string]string) bool {
	fs := access.Fields(err)
	for _, f := range fs {
		if _, done := errs[f.Field]; !done {
			errs[f.Field] = f.Message
		}
	}
	return len(fs) > 0
}

// accessCodes are the values of a coded field as choices in the page's
// language (messages access.<field>.<code>), with sel selected.
func accessCodes(p Page, field string, codes []string, sel ...string) []choice {
	out := make([]choice, 0, len(codes))
	for _, code := range codes {
		out = append(out, choice{Value: code, Label: p.T("access." + field + "." + code), Selected: slices.Contains(sel, code)})
	}
	return out
}

// unitChoices are the ente's units of the given kinds (all if none) as
// choices, with sel selected, after an empty "choose" option.
func unitChoices(p Page, units []tenancy.Unit, sel string, kinds ...string) []choice {
	out := []choice{{Value: "", Label: p.T("access.choose")}}
	for _, u := range units {
		if len(kinds) == 0 || slices.Contains(kinds, u.Kind) {
			out = append(out, choice{Value: u.ID.String(), Label: u.Name, Selected: u.ID.String() == sel})
		}
	}
	return out
}
