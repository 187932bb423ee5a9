package web

import (
	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
)

// regionRoutes registers a region's console: its enti, their provisioning
// from the ISTAT list and the assignment of their first administrators.
func (s *Server) regionRoutes(g *gin.RouterGroup) {
	r := g.Group("", s.requireLogin())
	r.GET("/", s.require(authz.PermEntiRead), s.handle(s.consoleEnti))
	r.GET("/enti/:ente", s.require(authz.PermEntiRead), s.handle(s.consoleEnte))
	r.POST("/enti/:ente/admins", s.require(authz.PermTenantAdminsAssign), s.handle(s.consoleTenantAdminAssign))
	r.POST("/enti/:ente/status", s.require(authz.PermEntiProvision), s.handle(s.consoleEnteStatus))
	r.GET("/provision", s.require(authz.PermEntiProvision), s.handle(s.consoleProvisionForm))
	r.POST("/provision/comune", s.require(authz.PermEntiProvision), s.handle(s.consoleProvisionComune))
	r.POST("/provision/province", s.require(authz.PermEntiProvision), s.handle(s.consoleProvisionProvince))
	r.GET("/provision/:job", s.require(authz.PermEntiProvision), s.handle(s.consoleProvisionProgress))
	r.GET("/provision/:job/status", s.require(authz.PermEntiProvision), s.handle(s.consoleProvisionStatus))
}

// platformRoutes registers the platform console: regions and their
// administrators.
func (s *Server) platformRoutes(g *gin.RouterGroup) {
	a := g.Group("", s.requireLogin())
	a.GET("/", s.require(authz.PermRegionsManage), s.handle(s.platformRegions))
	a.POST("/regions", s.require(authz.PermRegionsManage), s.handle(s.platformRegionCreate))
	a.GET("/regions/:code", s.require(authz.PermRegionAdminsManage), s.handle(s.platformRegion))
	a.POST("/regions/:code/admins", s.require(authz.PermRegionAdminsManage), s.handle(s.platformRegionAdminCreate))
}
