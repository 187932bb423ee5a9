package web

import (
	"context"
	"encoding/json"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/tenancy"
)

// Jobs enqueues background work that belongs to no ente (the consoles' work:
// provisioning a province). An ente's jobs go through its outbox instead.
type Jobs interface {
	EnqueueConsole(ctx context.Context, taskType string, payload json.RawMessage) (string, error)
}

func tenantScope(c *gin.Context) db.Scope   { return db.Scope{Tenant: currentTenant(c).ID} }
func regionScope(c *gin.Context) db.Scope   { return db.Scope{Region: currentRegion(c).Code} }
func platformScope(c *gin.Context) db.Scope { return db.Scope{Platform: true} }

// resolveRegion finds the region of /r/:region, by slug or ISTAT code.
func (s *Server) resolveRegion() gin.HandlerFunc {
	return func(c *gin.Context) {
		r, err := s.opts.Registry.Region(c.Request.Context(), c.Param("region"))
		if err != nil {
			s.writeError(c, err)
			c.Abort()
			return
		}
		c.Set(regionKey, r)
		c.Next()
	}
}

// currentRegion returns the region of a regional console, or nil.
func currentRegion(c *gin.Context) *tenancy.Region {
	v, _ := c.Get(regionKey)
	r, _ := v.(*tenancy.Region)
	return r
}
