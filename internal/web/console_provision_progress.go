package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/tenancy"
)

// provisionProgress is the progress of the job named by :job, if it is a job
// of the console's region.
func (s *Server) provisionProgress(c *gin.Context) (string, *tenancy.ProvisionProgress, error) {
	id, err := uuid.Parse(c.Param("job"))
	if err != nil {
		return "", nil, derrors.ErrNotFound
	}
	pr, err := tenancy.ProvisionTracker{RDB: s.opts.Redis}.Get(c.Request.Context(), id.String())
	if err != nil {
		return "", nil, err
	}
	if pr.Region != currentRegion(c).Code {
		return "", nil, derrors.ErrNotFound
	}
	return id.String(), pr, nil
}

// consoleProvisionProgress is the page that follows a provisioning job; it
// polls consoleProvisionStatus until the job ends.
func (s *Server) consoleProvisionProgress(c *gin.Context) error {
	id, pr, err := s.provisionProgress(c)
	if err != nil {
		return err
	}
	p := s.page(c, "console.progress.title")
	p.Data = map[string]any{"ID": id, "Progress": pr}
	s.render(c, http.StatusOK, "console_progress.html", p)
	return nil
}

// consoleProvisionStatus is the progress fragment htmx swaps in.
func (s *Server) consoleProvisionStatus(c *gin.Context) error {
	id, pr, err := s.provisionProgress(c)
	if err != nil {
		return err
	}
	p := s.page(c, "console.progress.title")
	p.Data = map[string]any{"ID": id, "Progress": pr}
	s.render(c, http.StatusOK, "console-progress-status", p)
	return nil
}
