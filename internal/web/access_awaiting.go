package web

import (
	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/access"
	"github.com/sigess/sigess/internal/authz"
)

// accessAwaiting is the intake waiting for the logged-in operator, for the
// home page: their units' accesses not yet accepted or rejected, and the
// referrals sent to their units or to the ente still unanswered. Nil for
// operators who do not handle accesses.
func (s *Server) accessAwaiting(c *gin.Context) ([]access.Summary, error) {
	if s.opts.Accesses == nil || !granted(c)[authz.PermAccessesRead] {
		return nil, nil
	}
	ctx, t := c.Request.Context(), currentTenant(c)
	m, err := s.opts.Identity.Member(ctx, t.ID, actor(c).ID)
	if err != nil {
		return nil, err
	}
	return s.opts.Accesses.AwaitingFor(ctx, t.ID, m.ID, m.Units)
}
