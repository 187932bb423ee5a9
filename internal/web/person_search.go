package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/people"
)

// personRow is a person as the lists show them.
type personRow struct {
	ID, Href, Name, Identifier, BirthDate, BirthPlace string
	Provisional                                       bool
}

func newPersonRow(base string, per *people.Person) personRow {
	r := personRow{ID: per.ID.String(), Href: base + "/people/" + per.ID.String(), Name: per.LastName + " " + per.FirstName,
		Identifier: per.TaxCode, BirthDate: per.BirthDate.Time().Format("02/01/2006"), BirthPlace: placeLabel(per.BirthPlace)}
	if r.Identifier == "" {
		r.Identifier, r.Provisional = per.ProvisionalID, true
	}
	return r
}

// parseBirthYear reads the birth year filter: "" is any year.
func parseBirthYear(v string) (int, bool) {
	if v == "" {
		return 0, true
	}
	y, err := strconv.Atoi(v)
	return y, err == nil && y >= 1880 && y <= time.Now().Year()
}

// personSearch finds people by tax code, tax code prefix or name, with typos,
// optionally born in a given year. It works as a plain GET form; with htmx
// the results are refreshed as the operator types.
func (s *Server) personSearch(c *gin.Context) error {
	p := s.formPage(c, "people.title")
	withPersonFlash(c, &p)
	q := strings.TrimSpace(c.Query("q"))
	p.Form["q"], p.Form["birth_year"] = q, strings.TrimSpace(c.Query("birth_year"))
	year, ok := parseBirthYear(p.Form["birth_year"])
	if !ok {
		p.Errors["birth_year"] = p.T("people.err.birth_year")
	}
	var rows []personRow
	searched := q != "" && ok
	if searched {
		hits, err := s.opts.People.Find(c.Request.Context(), currentTenant(c).ID, people.Query{Text: q, BirthYear: year}, personActor(c))
		if err != nil {
			return err
		}
		for _, h := range hits {
			rows = append(rows, newPersonRow(p.Base, &h.Person))
		}
	}
	p.Data = map[string]any{"Results": rows, "Searched": searched, "CanWrite": granted(c)["people:write"]}
	status := http.StatusOK
	if len(p.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.render(c, status, "person_search.html", p)
	return nil
}

// withPersonFlash shows the outcome of the redirect that led here (?done=).
func withPersonFlash(c *gin.Context, p *Page) {
	if d := c.Query("done"); d != "" && catalog.Has(p.Locale, "people.done."+d) {
		p.Flash = p.T("people.done." + d)
	}
}
