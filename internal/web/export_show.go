package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/exports"
)

// exportOf is the export of the path, if it is the operator's.
func (s *Server) exportOf(c *gin.Context) (*exports.Export, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return nil, err
	}
	return s.opts.Exports.Get(c.Request.Context(), currentTenant(c).ID, id, v)
}

// exportShow is an export's page: its progress, polled by htmx through
// exportStatus until the job has finished, then the download.
func (s *Server) exportShow(c *gin.Context) error {
	e, err := s.exportOf(c)
	if err != nil {
		return err
	}
	p := s.page(c, "exports.export")
	p.Data = exportData(p, e)
	s.render(c, http.StatusOK, "export_show.html", p)
	return nil
}

// exportStatus is the progress fragment htmx swaps in.
func (s *Server) exportStatus(c *gin.Context) error {
	e, err := s.exportOf(c)
	if err != nil {
		return err
	}
	p := s.page(c, "exports.export")
	p.Data = exportData(p, e)
	s.render(c, http.StatusOK, "export-status", p)
	return nil
}

// exportData is what the page and its fragment show of e.
func exportData(p Page, e *exports.Export) map[string]any {
	total := 0
	if e.RowsTotal != nil {
		total = *e.RowsTotal
	}
	base := p.Base + "/exports/" + e.ID.String()
	d := map[string]any{
		"Export": e, "Status": base + "/status", "Download": base + "/download", "Back": p.Base + "/exports",
		"What": p.T("exports.kind." + e.Kind), "Format": p.T("exports.format." + e.Format),
		"State": p.T("exports.state." + e.State), "Done": e.RowsDone, "Total": total, "Finished": e.Finished(),
	}
	if e.ExpiresAt != nil {
		d["Expires"] = e.ExpiresAt.In(rome).Format("02/01/2006 15:04")
	}
	return d
}

// exportDownload sends the file of a finished export to its operator.
func (s *Server) exportDownload(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	e, body, err := s.opts.Exports.Download(c.Request.Context(), currentTenant(c).ID, id, v)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", `attachment; filename="`+e.Filename+`"`)
	c.Header("Content-Length", strconv.Itoa(len(body)))
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, e.ContentType(), body)
	return nil
}
