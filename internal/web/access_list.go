package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/access"
)

// accessStates are the states the list filters by.
var accessStates = []string{access.Created, access.Seen, access.Accepted, access.Rejected, access.Draft}

// accessList lists the accesses the operator sees: all of their units', or
// only their own (?mine=1), in one state (?state=) or all but drafts.
func (s *Server) accessList(c *gin.Context) error {
	p := s.formPage(c, "access.list.title")
	f := access.Filter{Mine: c.Query("mine") == "1", State: c.Query("state")}
	items, err := s.opts.Accesses.List(c.Request.Context(), currentTenant(c).ID, f, accessViewer(c))
	if err != nil {
		if !accessErrors(err, p.Errors) {
			return err
		}
		f.State = ""
		if items, err = s.opts.Accesses.List(c.Request.Context(), currentTenant(c).ID, f, accessViewer(c)); err != nil {
			return err
		}
	}
	p.Form["state"] = f.State
	states := append([]choice{{Value: "", Label: p.T("access.state.any")}}, accessCodes(p, "state", accessStates, f.State)...)
	p.Data = map[string]any{"Items": items, "Mine": f.Mine, "State": newChoiceField(p, "state", "access.state", states),
		"CanWrite": granted(c)["accesses:write"]}
	if c.Query("done") != "" && catalog.Has(p.Locale, "access.done."+c.Query("done")) {
		p.Flash = p.T("access.done." + c.Query("done"))
	}
	s.render(c, http.StatusOK, "access_list.html", p)
	return nil
}
