package web

import (
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/session"
)

// builtinLabels and permissionLabels are the Italian and English names of the
// built-in roles and of the permissions, for display.
var (
	builtinLabels    = map[string][2]string{}
	permissionLabels = map[string][2]string{}
)

func init() {
	for _, r := range authz.Builtin() {
		builtinLabels[r.Name] = [2]string{r.LabelIT, r.LabelEN}
	}
	for _, p := range authz.Permissions() {
		permissionLabels[p.Name] = [2]string{p.LabelIT, p.LabelEN}
	}
}

func labelIn(labels map[string][2]string, p Page, name string) string {
	l, ok := labels[name]
	switch {
	case !ok:
		return name
	case p.Locale == "en":
		return l[1]
	}
	return l[0]
}

// roleLabel names a role for the page's language (a custom role by its name).
func roleLabel(p Page, role string) string { return labelIn(builtinLabels, p, role) }

// permissionLabel names a permission for the page's language.
func permissionLabel(p Page, perm string) string { return labelIn(permissionLabels, p, perm) }

// tenantHome is the operator's desk when logged in, the ente's public page
// otherwise.
func (s *Server) tenantHome(c *gin.Context) error {
	if sess := currentSession(c); sess != nil && sess.Stage == session.StageFull && !c.GetBool(foreignKey) {
		s.requireLogin()(c)
		if c.IsAborted() {
			return nil
		}
		return s.operatorHome(c)
	}
	return s.publicHome(c)
}

// operatorHome shows who the operator is here: roles, units, and what the
// roles allow.
func (s *Server) operatorHome(c *gin.Context) error {
	ctx := c.Request.Context()
	t, sess := currentTenant(c), currentSession(c)
	m, err := s.opts.Identity.Member(ctx, t.ID, sess.OperatorID)
	if err != nil {
		return err
	}
	units, err := s.opts.Registry.Units(ctx, t.ID)
	if err != nil {
		return err
	}
	var mine []string
	for _, u := range units {
		for _, id := range m.Units {
			if u.ID == id {
				mine = append(mine, u.Name)
			}
		}
	}
	p := s.page(c, "home.title")
	var perms []string
	for perm := range granted(c) {
		perms = append(perms, permissionLabel(p, perm))
	}
	sort.Strings(perms)
	p.Data = map[string]any{"Member": m, "Units": mine, "Permissions": perms}
	if p.Data["Awaiting"], err = s.accessAwaiting(c); err != nil {
		return err
	}
	if p.Data["Cases"], err = s.caseHome(c); err != nil {
		return err
	}
	if p.Data["PlanDue"], err = s.planDueHome(c); err != nil {
		return err
	}
	if p.Data["Today"], err = s.agendaToday(c); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "operator_home.html", p)
	return nil
}
