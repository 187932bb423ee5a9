package web

import (
	"context"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/people"
)

// People is what the web layer needs of the person registry
// (people.Service implements it). Reads go through View and Find, which
// write the access trail.
type People interface {
	Create(ctx context.Context, tenant uuid.UUID, in people.Input, by people.Actor, force bool) (*people.Person, []people.Candidate, error)
	Update(ctx context.Context, tenant, id uuid.UUID, in people.Input, by people.Actor) (*people.Person, error)
	View(ctx context.Context, tenant, id uuid.UUID, by people.Actor, via string) (*people.Person, []people.Version, error)
	Find(ctx context.Context, tenant uuid.UUID, q people.Query, by people.Actor) ([]people.Hit, error)
	Merge(ctx context.Context, tenant, keep, drop uuid.UUID, by people.Actor) error
	Trail(ctx context.Context, tenant, id uuid.UUID, limit int) ([]audit.Record, error)
}

// personRoutes registers the person pages on the ente's UI group.
func (s *Server) personRoutes(ui *gin.RouterGroup) {
	g := ui.Group("/people", s.requireLogin())
	read, write := s.require(authz.PermPeopleRead), s.require(authz.PermPeopleWrite)
	g.GET("", read, s.handle(s.personSearch))
	g.GET("/new", write, s.handle(s.personNew))
	g.POST("", write, s.handle(s.personCreate))
	g.GET("/:id", read, s.handle(s.personShow))
	g.GET("/:id/edit", write, s.handle(s.personEdit))
	g.POST("/:id", write, s.handle(s.personUpdate))
	g.GET("/:id/merge", write, s.handle(s.personMergeForm))
	g.POST("/:id/merge", write, s.handle(s.personMerge))
}

// personActor is who reads or changes a person, as the audit trail records
// them: the logged-in operator, or the API client of the token.
func personActor(c *gin.Context) people.Actor {
	if cl := currentAPIClient(c); cl != nil {
		return people.Actor{ID: cl.ID, Email: "api:" + cl.Name, IP: c.ClientIP()}
	}
	a := actor(c)
	return people.Actor{ID: a.ID, Email: a.Email, IP: c.ClientIP()}
}

// personFields are the form fields of a person, in the order of the form.
var personFields = []string{"tax_code", "last_name", "first_name", "sex", "birth_date", "birth_place",
	"citizenship", "second_citizenship", "residence", "domicile", "phone", "email"}

// personForm reads a person form into the domain's input, and the values to
// refill it with. A birth date that is not a date, or a birth place named by
// a comune unknown, is an error next to its field.
func personForm(c *gin.Context, p Page) (people.Input, map[string]string) {
	form := map[string]string{}
	for _, f := range personFields {
		form[f] = strings.TrimSpace(c.PostForm(f))
	}
	in := people.Input{
		TaxCode: form["tax_code"], FirstName: form["first_name"], LastName: form["last_name"], Sex: form["sex"],
		BirthPlace: birthPlaceCode(form["birth_place"]), Citizenship: form["citizenship"],
		SecondCitizenship: form["second_citizenship"], Residence: form["residence"], Domicile: form["domicile"],
		Phone: form["phone"], Email: form["email"], AcceptMismatch: c.PostForm("accept_mismatch") == "1",
	}
	if form["birth_date"] != "" {
		d, err := people.ParseDate(form["birth_date"])
		if err != nil {
			p.Errors["birth_date"] = p.T("people.err.birth_date")
		}
		in.BirthDate = d
	}
	return in, form
}

// birthPlaceCode turns what was typed as birth place into a Belfiore code:
// a code as it is, or the name of a comune ("Roma", "Roma (RM)") as the
// datalist offers it. An unknown name is left for the registry to refuse.
func birthPlaceCode(v string) string {
	if len(v) == 4 {
		return strings.ToUpper(v)
	}
	name, _, _ := strings.Cut(v, " (")
	if code, ok := comuneByName()[strings.ToUpper(strings.TrimSpace(name))]; ok {
		return code
	}
	return v
}

// personFormValues fills a form with a person's record.
func personFormValues(per *people.Person) map[string]string {
	return map[string]string{
		"tax_code": per.TaxCode, "first_name": per.FirstName, "last_name": per.LastName, "sex": per.Sex,
		"birth_date": per.BirthDate.String(), "birth_place": per.BirthPlace, "citizenship": per.Citizenship,
		"second_citizenship": per.SecondCitizenship, "residence": per.Residence, "domicile": per.Domicile,
		"phone": per.Phone, "email": per.Email,
	}
}
