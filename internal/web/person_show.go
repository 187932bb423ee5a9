package web

import (
	"fmt"
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/people"
)

// personVersionRow is one version as the record page lists them.
type personVersionRow struct {
	Version          int
	Action, When     string
	Name, Identifier string
}

// personTrailRow is one audit event of the person as the record page lists them.
type personTrailRow struct {
	When, Action, Actor, IP, Via string
}

// personShow is a person's record, with its versions and, for operators who
// may read the audit trail, who looked at it. Showing it is one
// person.viewed event.
func (s *Server) personShow(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	tenant := currentTenant(c).ID
	per, versions, err := s.opts.People.View(ctx, tenant, id, personActor(c), "page")
	if err != nil {
		return err
	}
	p := s.page(c, "people.record")
	withPersonFlash(c, &p)
	g := granted(c)
	vrows := make([]personVersionRow, 0, len(versions))
	for i := len(versions) - 1; i >= 0; i-- {
		v := versions[i]
		label := "people.version." + v.Action
		vrows = append(vrows, personVersionRow{Version: v.Version, Action: p.T(label),
			When: v.ChangedAt.In(rome).Format("02/01/2006 15:04"), Name: v.Data.LastName + " " + v.Data.FirstName,
			Identifier: v.Data.TaxCode + v.Data.ProvisionalID})
	}
	var trail []personTrailRow
	if g[authz.PermAuditRead] {
		recs, err := s.opts.People.Trail(ctx, tenant, id, 100)
		if err != nil {
			return err
		}
		for _, r := range recs {
			row := personTrailRow{When: r.At.In(rome).Format("02/01/2006 15:04:05"), Action: r.Action, Actor: r.Actor, IP: r.IP}
			if key := "audit.action." + r.Action; catalog.Has(p.Locale, key) {
				row.Action = p.T(key)
			}
			if via, ok := r.Details["via"]; ok {
				row.Via = fmt.Sprint(via)
			}
			trail = append(trail, row)
		}
	}
	mismatches := make([]string, 0, len(per.Mismatches))
	for _, m := range per.Mismatches {
		mismatches = append(mismatches, p.Sentence(m.Message))
	}
	sort.Strings(mismatches)
	p.Data = map[string]any{
		"Person": per, "Row": newPersonRow(p.Base, per), "Versions": vrows, "Trail": trail,
		"ShowTrail": g[authz.PermAuditRead], "CanWrite": g[authz.PermPeopleWrite] && per.MergedInto == nil,
		"Mismatches": mismatches, "MergedInto": mergedHref(p.Base, per),
		"Residence": comuneLabel(per.Residence), "Domicile": comuneLabel(per.Domicile),
	}
	s.render(c, http.StatusOK, "person_show.html", p)
	return nil
}

// mergedHref links to the record a merged one was merged into, or "".
func mergedHref(base string, per *people.Person) string {
	if per.MergedInto == nil {
		return ""
	}
	return base + "/people/" + per.MergedInto.String()
}
