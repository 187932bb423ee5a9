package web

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// healthz says the process is alive.
func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok", "version": s.opts.Version})
}

// readyz says whether the process can serve: every dependency answers.
func (s *Server) readyz(c *gin.Context) {
	status, body := Ready(c.Request.Context(), s.opts.Checks)
	c.JSON(status, body)
}

// Ready runs the checks, each with its own short timeout, and reports each one.
func Ready(ctx context.Context, checks []Check) (int, map[string]string) {
	status, body := http.StatusOK, map[string]string{}
	for _, ch := range checks {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := ch.Ping(cctx)
		cancel()
		if err != nil {
			status, body[ch.Name] = http.StatusServiceUnavailable, "unavailable: "+err.Error()
			continue
		}
		body[ch.Name] = "ok"
	}
	return status, body
}
