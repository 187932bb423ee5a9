package web

import (
	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
)

// caseHome is the cases part of the operator's home page: their open cases
// (responsible or on the team) and, for coordinators (cases:assign), the
// proposals without a responsible in the units they read. Nil for operators
// who read no case.
func (s *Server) caseHome(c *gin.Context) (map[string]any, error) {
	g := granted(c)
	if s.opts.Cases == nil || !anyGranted(g, caseReaders) {
		return nil, nil
	}
	ctx, tenant := c.Request.Context(), currentTenant(c).ID
	v, err := s.caseViewer(c)
	if err != nil {
		return nil, err
	}
	w, err := s.opts.Cases.Workflow(ctx, tenant)
	if err != nil {
		return nil, err
	}
	p := s.page(c, "")
	rows := func(f casefile.Filter) ([]caseRow, error) {
		f.Open, f.Limit = true, 20
		ls, err := s.opts.Cases.List(ctx, tenant, f, v)
		if err != nil {
			return nil, err
		}
		out := make([]caseRow, 0, len(ls))
		for _, l := range ls {
			out = append(out, newCaseRow(p, w, l))
		}
		return out, nil
	}
	data := map[string]any{}
	if data["Mine"], err = rows(casefile.Filter{Mine: true}); err != nil {
		return nil, err
	}
	if g[authz.PermCasesAssign] {
		toAssign, err := rows(casefile.Filter{Unassigned: true})
		if err != nil {
			return nil, err
		}
		data["ToAssign"] = toAssign
		data["CanAssign"] = true
	}
	return data, nil
}
