package web

import (
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/plans"
)

// caseloadCell is one number of the caseload and the list it counts, when
// there is one.
type caseloadCell struct {
	N    int
	Href string
}

// caseloadRow is one operator's or one unit's line of the caseload.
type caseloadRow struct {
	ID                      uuid.UUID
	Name                    string
	States                  []caseloadCell // in the order of caseloadPage.States
	Open, Taken, Active     caseloadCell
	ReviewsOverdue, Reviews caseloadCell
	unassigned              bool
}

// caseloadPage is what the caseload template shows.
type caseloadPage struct {
	States    []string // labels of the open states, the columns
	Operators []caseloadRow
	Units     []caseloadRow // nil for who reads their own cases only
	Unit      bool          // the viewer reads the cases of their units (or all)
	DueDays   int
}

// caseloadShow is the caseload: per operator and per unit, the open cases by
// state, those taken in charge, the active interventions and the PAI reviews
// overdue or due within planDueDays, counting only what the viewer may read.
func (s *Server) caseloadShow(c *gin.Context) error {
	ctx, tenant := c.Request.Context(), currentTenant(c).ID
	p := s.page(c, "caseload.title")
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	w, err := s.opts.Cases.Workflow(ctx, tenant)
	if err != nil {
		return err
	}
	load, err := s.opts.Cases.Caseload(ctx, tenant, v)
	if err != nil {
		return err
	}
	var active []caseloadActive
	if s.opts.Interventions != nil && v.Perms[authz.PermInterventionsRead] {
		ls, err := s.opts.Interventions.ActiveLoad(ctx, tenant, v)
		if err != nil {
			return err
		}
		for _, l := range ls {
			active = append(active, caseloadActive{unit: l.UnitID, unitName: l.UnitName, resp: l.ResponsibleID, respName: l.ResponsibleName, n: l.Active})
		}
	}
	var due []plans.Due
	if s.opts.Plans != nil {
		if due, err = s.opts.Plans.DueReviews(ctx, tenant, v, time.Now().In(rome).AddDate(0, 0, planDueDays)); err != nil {
			return err
		}
	}
	units, err := s.opts.Registry.Units(ctx, tenant)
	if err != nil {
		return err
	}
	unitNames := map[uuid.UUID]string{}
	for _, u := range units {
		unitNames[u.ID] = u.Name
	}
	wide := v.Perms[authz.PermCasesReadUnit] || v.Perms[authz.PermCasesReadAll]
	p.Data = map[string]any{"Load": buildCaseload(p, w, v, wide, load, active, due, unitNames)}
	s.render(c, http.StatusOK, "caseload_show.html", p)
	return nil
}

// caseloadActive is a count of active interventions of one unit and
// responsible.
type caseloadActive struct {
	unit               uuid.UUID
	resp               *uuid.UUID
	unitName, respName string
	n                  int
}

// buildCaseload adds the counts up per operator and per unit. Who reads
// their own cases only sees their own line: the cases they are responsible
// for.
func buildCaseload(p Page, w casefile.Workflow, v casefile.Viewer, wide bool, load *casefile.Caseload, active []caseloadActive,
	due []plans.Due, unitNames map[uuid.UUID]string) caseloadPage {
	var open []string
	out := caseloadPage{Unit: wide, DueDays: planDueDays}
	for _, st := range w.States {
		if !st.Terminal {
			open = append(open, st.Name)
			out.States = append(out.States, stateLabel(p, w, st.Name))
		}
	}
	ops, opIndex := []*caseloadRow{}, map[uuid.UUID]*caseloadRow{}
	uns, unIndex := []*caseloadRow{}, map[uuid.UUID]*caseloadRow{}
	operator := func(id *uuid.UUID, name string) *caseloadRow {
		key := uuid.Nil
		if id != nil {
			key = *id
		}
		if !wide && key != v.ID {
			return nil
		}
		if r := opIndex[key]; r != nil {
			if r.Name == "" {
				r.Name = name
			}
			return r
		}
		r := &caseloadRow{ID: key, Name: name, unassigned: id == nil, States: make([]caseloadCell, len(open))}
		if r.unassigned {
			r.Name = p.T("caseload.unassigned")
		}
		opIndex[key] = r
		ops = append(ops, r)
		return r
	}
	unit := func(id uuid.UUID) *caseloadRow {
		if !wide {
			return nil
		}
		if r := unIndex[id]; r != nil {
			return r
		}
		r := &caseloadRow{ID: id, Name: unitNames[id], States: make([]caseloadCell, len(open))}
		unIndex[id] = r
		uns = append(uns, r)
		return r
	}
	if !wide {
		operator(&v.ID, "")
	}
	for _, col := range load.Colleagues {
		operator(&col.ID, col.Name)
		unit(col.UnitID)
	}
	for _, l := range load.Loads {
		for _, r := range []*caseloadRow{operator(l.ResponsibleID, l.ResponsibleName), unit(l.UnitID)} {
			if r == nil {
				continue
			}
			for i, st := range open {
				r.States[i].N += l.ByState[st]
			}
			r.Open.N += l.Open
			r.Taken.N += l.Taken
		}
	}
	for _, a := range active {
		for _, r := range []*caseloadRow{operator(a.resp, a.respName), unit(a.unit)} {
			if r != nil {
				r.Active.N += a.n
			}
		}
	}
	for _, d := range due {
		for _, r := range []*caseloadRow{operator(d.ResponsibleID, ""), unit(d.UnitID)} {
			switch {
			case r == nil:
			case d.Overdue:
				r.ReviewsOverdue.N++
			default:
				r.Reviews.N++
			}
		}
	}
	// The links: the cases and the active interventions lists by
	// responsible or unit.
	for _, r := range ops {
		if r.Name == "" {
			r.Name = p.T("caseload.operator_unknown")
		}
		q := url.Values{"responsible": {r.ID.String()}}
		active := p.Base + "/interventions?" + url.Values{"state": {"active"}, "responsible": {r.ID.String()}}.Encode()
		if r.unassigned {
			q, active = url.Values{"unassigned": {"1"}}, ""
		}
		r.link(p, open, q, active)
	}
	for _, r := range uns {
		r.link(p, open, url.Values{"unit": {r.ID.String()}}, p.Base+"/interventions?"+url.Values{"state": {"active"}, "unit": {r.ID.String()}}.Encode())
	}
	byName := func(rs []*caseloadRow) []caseloadRow {
		sort.SliceStable(rs, func(i, j int) bool {
			if rs[i].unassigned != rs[j].unassigned {
				return rs[j].unassigned
			}
			return rs[i].Name < rs[j].Name
		})
		out := make([]caseloadRow, 0, len(rs))
		for _, r := range rs {
			out = append(out, *r)
		}
		return out
	}
	out.Operators = byName(ops)
	if wide {
		out.Units = byName(uns)
	}
	return out
}

// link points the row's case counts at the cases list filtered by q, and its
// active interventions at interventions (when there is such a list).
func (r *caseloadRow) link(p Page, states []string, q url.Values, interventions string) {
	href := func(extra string, value string) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set(extra, value)
		return p.Base + "/cases?" + v.Encode()
	}
	for i, st := range states {
		if r.States[i].N > 0 {
			r.States[i].Href = href("state", st)
		}
	}
	if r.Open.N > 0 {
		r.Open.Href = href("open", "1")
	}
	if r.Active.N > 0 {
		r.Active.Href = interventions
	}
}
