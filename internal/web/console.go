package web

import "github.com/gin-gonic/gin"

// regionRoutes registers a region's console.
func (s *Server) regionRoutes(g *gin.RouterGroup) {}

// platformRoutes registers the platform console.
func (s *Server) platformRoutes(g *gin.RouterGroup) {}
