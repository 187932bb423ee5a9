package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/audit"
)

// auditPageSize is how many events one page of the trail shows.
const auditPageSize = 50

// auditPrefixes are the action filters offered, "" meaning all.
var auditPrefixes = []string{"", "auth.", "operator."}

// auditRow is an event as the trail page shows it.
type auditRow struct {
	audit.Record
	When, ActionLabel, Object string
	Details                   []string // "key: value", sorted by key
}

// auditList shows the ente's audit trail newest first, filtered by action
// prefix and actor, paged backwards by sequence number.
func (s *Server) auditList(c *gin.Context) error {
	p := s.formPage(c, "audit.title")
	prefix := c.Query("action")
	valid := false
	for _, a := range auditPrefixes {
		valid = valid || a == prefix
	}
	if !valid {
		prefix = ""
	}
	actorQ := strings.TrimSpace(c.Query("actor"))
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	p.Form["actor"] = actorQ
	recs, err := s.opts.Identity.Audit(c.Request.Context(), currentTenant(c).ID, audit.Filter{
		ActionPrefix: prefix, Actor: actorQ, BeforeSeq: before, Limit: auditPageSize,
	})
	if err != nil {
		return err
	}
	rows := make([]auditRow, 0, len(recs))
	for _, r := range recs {
		row := auditRow{Record: r, When: r.At.In(rome).Format("02/01/2006 15:04:05"), ActionLabel: r.Action}
		if key := "audit.action." + r.Action; catalog.Has(p.Locale, key) {
			row.ActionLabel = p.T(key)
		}
		if r.ObjectType != "" {
			row.Object = r.ObjectType + " " + r.ObjectID
		}
		for k, v := range r.Details {
			row.Details = append(row.Details, fmt.Sprintf("%s: %v", k, v))
		}
		sort.Strings(row.Details)
		rows = append(rows, row)
	}
	older := ""
	if len(recs) == auditPageSize {
		q := url.Values{}
		if prefix != "" {
			q.Set("action", prefix)
		}
		if actorQ != "" {
			q.Set("actor", actorQ)
		}
		q.Set("before", strconv.FormatInt(recs[len(recs)-1].Seq, 10))
		older = basePath(c) + "/audit?" + q.Encode()
	}
	actions := make([]choice, 0, len(auditPrefixes))
	for _, a := range auditPrefixes {
		key := "audit.filter.all"
		if a != "" {
			key = "audit.filter." + strings.TrimSuffix(a, ".")
		}
		actions = append(actions, choice{Value: a, Label: p.T(key)})
	}
	p.Data = map[string]any{
		"Events": rows, "Older": older, "Paged": before > 0,
		"Action": newChoiceField(p, "action", "audit.filter.action", selected(actions, prefix)),
	}
	s.render(c, http.StatusOK, "audit.html", p)
	return nil
}
