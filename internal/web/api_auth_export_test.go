package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// APIPermissionHandler serves GET /t/:slug/api/v1/test as the API would a
// route that requires perm — the bearer middleware, then require — answering
// 204 to whoever passes. It lets the tests check that a client's roles decide
// on API routes before the API has a route that requires a permission; it is
// a handler of its own, so the running server is left untouched.
func (s *Server) APIPermissionHandler(perm string) http.Handler {
	e := gin.New()
	e.GET("/t/:slug/api/v1/test", s.resolveTenant(), withScope(tenantScope), s.bearer(), s.require(perm),
		func(c *gin.Context) { c.Status(http.StatusNoContent) })
	return e
}
