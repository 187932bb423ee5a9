package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// logoAsset serves the ente's uploaded coat of arms to anyone: it shows on
// every page of the ente, the login page included. An SVG gets a policy that
// keeps any script in it from running, even when opened on its own.
func (s *Server) logoAsset(c *gin.Context) error {
	a, err := s.opts.Registry.Asset(c.Request.Context(), currentTenant(c).ID, "logo")
	if err != nil {
		return err
	}
	etag := `"` + a.Digest + `"`
	h := c.Writer.Header()
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("ETag", etag)
	h.Set("X-Content-Type-Options", "nosniff")
	if a.ContentType == "image/svg+xml" {
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	}
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return nil
	}
	c.Data(http.StatusOK, a.ContentType, a.Data)
	return nil
}
