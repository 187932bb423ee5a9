package web

import "github.com/gin-gonic/gin"

// tenantAdminRoutes registers the ente admin's pages.
func (s *Server) tenantAdminRoutes(g *gin.RouterGroup) {}
