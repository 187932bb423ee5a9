package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/households"
)

// memberRow is a membership as the household page lists it.
type memberRow struct {
	ID, Name, TaxCode, PersonHref, Relationship, From, To string
	Cohabiting, Current                                   bool
}

// iseeRow is an ISEE record as the household page lists it.
type iseeRow struct {
	Kind, Value, Protocol, SignedOn, ExpiresOn, By string
	Year                                           int
	Valid, Correction                              bool
}

// candidateRow is a person found to add.
type candidateRow struct {
	ID, Name, Identifier, BirthDate, LivesIn string
	Selected                                 bool
}

// householdShow is a household's page: members, ISEE history, and (for
// operators who may change it) the forms to add a member, found with ?q=.
// Showing it is one household.viewed event.
func (s *Server) householdShow(c *gin.Context) error {
	p := s.formPage(c, "households.show.title")
	if d := c.Query("done"); d != "" && catalog.Has(p.Locale, "households.done."+d) {
		p.Flash = p.T("households.done." + d)
	}
	p.Form["q"] = strings.TrimSpace(c.Query("q"))
	p.Form["relationship"], p.Form["cohabiting"] = "child", "1"
	return s.householdPage(c, http.StatusOK, p)
}

// householdPage renders the household page with p's form state: after a
// refused member form it shows the errors next to the fields.
func (s *Server) householdPage(c *gin.Context, status int, p Page) error {
	id, err := householdParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	tenant := currentTenant(c).ID
	h, err := s.opts.Households.Get(ctx, tenant, id, householdActor(c))
	if err != nil {
		return err
	}
	p.Title = h.Name
	var members []memberRow
	for _, m := range h.Members {
		r := memberRow{ID: m.ID.String(), Name: m.Name, TaxCode: m.TaxCode, PersonHref: p.Base + "/people/" + m.PersonID.String(),
			Relationship: codeLabel(p, households.Relationships, m.Relationship), From: m.From.String(),
			Cohabiting: m.Cohabiting, Current: m.To.IsZero()}
		if !m.To.IsZero() {
			r.To = m.To.String()
		}
		members = append(members, r)
	}
	var isee []iseeRow
	today := todayInRome()
	for _, r := range h.ISEE {
		isee = append(isee, iseeRow{Kind: codeLabel(p, households.Kinds, r.Kind), Value: households.FormatEuro(r.ValueCents),
			Protocol: r.DSUProtocol, Year: r.Year, SignedOn: r.SignedOn.String(), ExpiresOn: r.ExpiresOn.String(),
			By: r.CreatedByName, Valid: r.Valid(today), Correction: r.Corrects != nil})
	}
	canWrite := granted(c)[authz.PermPeopleWrite]
	var candidates []candidateRow
	if q := p.Form["q"]; canWrite && q != "" {
		cs, err := s.opts.Households.Candidates(ctx, tenant, q)
		if err != nil {
			return err
		}
		for _, cd := range cs {
			candidates = append(candidates, candidateRow{ID: cd.Person.ID.String(), Name: cd.Person.LastName + " " + cd.Person.FirstName,
				Identifier: cd.Person.TaxCode + cd.Person.ProvisionalID, BirthDate: cd.Person.BirthDate.String(), LivesIn: cd.LivesIn,
				Selected: p.Form["person_id"] == cd.Person.ID.String()})
		}
	}
	base := p.Base + "/households/" + h.ID.String()
	p.Data = map[string]any{
		"Household": h, "Members": members, "ISEE": isee, "CanWrite": canWrite, "Candidates": candidates,
		"Searched": p.Form["q"] != "", "Self": base,
		"Relationship": newChoiceField(p, "relationship", "households.relationship", codeChoices(p, households.Relationships, p.Form["relationship"])),
	}
	s.render(c, status, "household_show.html", p)
	return nil
}
