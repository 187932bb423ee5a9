package web

import (
	"github.com/gin-gonic/gin"
)

// caseloadRoutes registers the caseload page on the ente's UI group: who
// reads the cases of their units sees every operator and unit of them, who
// reads their own cases their own line.
func (s *Server) caseloadRoutes(ui *gin.RouterGroup) {
	ui.GET("/caseload", s.requireLogin(), s.require(caseReaders...), s.handle(s.caseloadShow))
}
