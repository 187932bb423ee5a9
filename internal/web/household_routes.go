package web

import (
	"context"
	"fmt"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/households"
	"github.com/sigess/sigess/internal/people"
)

// Households is what the web layer needs of the ente's households
// (households.Service implements it). Get, List and ISEEHistory write the
// access trail.
type Households interface {
	Create(ctx context.Context, tenant uuid.UUID, in households.NewHousehold, by households.Actor) (*households.Household, error)
	Get(ctx context.Context, tenant, id uuid.UUID, by households.Actor) (*households.Household, error)
	Update(ctx context.Context, tenant, id uuid.UUID, d households.Details, by households.Actor) (*households.Household, error)
	List(ctx context.Context, tenant, person uuid.UUID, by households.Actor) ([]households.Summary, error)
	AddMember(ctx context.Context, tenant, household uuid.UUID, in households.MemberInput, by households.Actor) (*households.Member, error)
	EndMember(ctx context.Context, tenant, household, member uuid.UUID, to people.Date, by households.Actor) (*households.Member, error)
	RecordISEE(ctx context.Context, tenant, household uuid.UUID, in households.ISEEInput, by households.Actor) (*households.ISEE, error)
	ISEEHistory(ctx context.Context, tenant, household uuid.UUID, by households.Actor) ([]households.ISEE, error)
	Candidates(ctx context.Context, tenant uuid.UUID, text string) ([]households.Candidate, error)
}

// householdRoutes registers the household pages on the ente's UI group.
// Households are reached from a person's page (/households?person=…).
func (s *Server) householdRoutes(ui *gin.RouterGroup) {
	g := ui.Group("/households", s.requireLogin())
	read, write := s.require(authz.PermPeopleRead), s.require(authz.PermPeopleWrite)
	g.GET("", read, s.handle(s.householdList))
	g.GET("/new", write, s.handle(s.householdNew))
	g.POST("", write, s.handle(s.householdCreate))
	g.GET("/:id", read, s.handle(s.householdShow))
	g.POST("/:id/members", write, s.handle(s.householdMemberAdd))
	g.POST("/:id/members/:member_id/end", write, s.handle(s.householdMemberEnd))
	g.GET("/:id/isee/new", write, s.handle(s.householdISEENew))
	g.POST("/:id/isee", write, s.handle(s.householdISEECreate))
}

// householdActor is who reads or changes a household: the logged-in
// operator, or the API client of the token.
func householdActor(c *gin.Context) households.Actor {
	if cl := currentAPIClient(c); cl != nil {
		return households.Actor{ID: cl.ID, Email: "api:" + cl.Name, IP: c.ClientIP()}
	}
	a := actor(c)
	return households.Actor{ID: a.ID, Email: a.Email, IP: c.ClientIP()}
}

// householdParam is the UUID in the path parameter name; anything else is
// a household that does not exist.
func householdParam(c *gin.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, fmt.Errorf("%w: %s %q", derrors.ErrNotFound, name, c.Param(name))
	}
	return id, nil
}

// householdErrors puts the domain's field errors of err into errs, under the
// form's field names; it reports whether there were any.
func householdErrors(err error, errs map[string]string) bool {
	fs := households.Fields(err)
	for _, f := range fs {
		if _, done := errs[f.Field]; !done {
			errs[f.Field] = f.Message
		}
	}
	return len(fs) > 0
}

// parseDay reads a date field ("YYYY-MM-DD"); empty is the zero date.
func parseDay(v string) (people.Date, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return people.Date{}, true
	}
	d, err := people.ParseDate(v)
	return d, err == nil
}

// codeChoices are a code list as the options of a select, in the page's
// language, with sel selected.
func codeChoices(p Page, codes []households.Code, sel string) []choice {
	out := make([]choice, 0, len(codes))
	for _, c := range codes {
		out = append(out, choice{Value: c.Code, Label: c.Label(p.Locale), Selected: c.Code == sel})
	}
	return out
}

// codeLabel is the label of code in codes, or code itself.
func codeLabel(p Page, codes []households.Code, code string) string {
	for _, c := range codes {
		if c.Code == code {
			return c.Label(p.Locale)
		}
	}
	return code
}
