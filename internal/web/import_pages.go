package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/onboarding"
)

// importRow is one import as the list shows it.
type importRow struct {
	Href, When, What, File, State string
}

// importList is the upload form, the template files and the ente's imports.
func (s *Server) importList(c *gin.Context) error {
	p := s.formPage(c, "import.title")
	p.Form["kind"] = onboarding.KindPeople
	return s.renderImports(c, p, http.StatusOK)
}

// importStart stores the uploaded file and queues its import; the page of its
// progress follows.
func (s *Server) importStart(c *gin.Context) error {
	p := s.formPage(c, "import.title")
	p.Form["kind"] = c.PostForm("kind")
	var content []byte
	var name string
	fh, err := c.FormFile("file")
	switch {
	case err != nil:
		p.Errors["file"] = p.T("import.err.file")
	case fh.Size > onboarding.MaxUpload:
		p.Errors["file"] = p.T("import.err.size", onboarding.MaxUpload>>20)
	default:
		f, err := fh.Open()
		if err != nil {
			return err
		}
		content, err = io.ReadAll(io.LimitReader(f, onboarding.MaxUpload+1))
		f.Close()
		if err != nil {
			return err
		}
		name = fh.Filename
	}
	if len(p.Errors) > 0 {
		return s.renderImports(c, p, http.StatusUnprocessableEntity)
	}
	a := actor(c)
	r, err := s.opts.Imports.Start(c.Request.Context(), currentTenant(c).ID, p.Form["kind"], name, content,
		onboarding.Actor{ID: a.ID, Email: a.Email, IP: c.ClientIP()})
	if err != nil {
		if fieldErrors(err, p.Errors) {
			if msg, ok := p.Errors["kind"]; ok && msg != "" {
				p.Errors["kind"] = p.T("import.err.kind")
			}
			if _, ok := p.Errors["file"]; ok {
				p.Errors["file"] = p.T("import.err.file")
			}
			return s.renderImports(c, p, http.StatusUnprocessableEntity)
		}
		return err
	}
	c.Redirect(http.StatusSeeOther, p.Base+"/admin/import/"+r.ID.String())
	return nil
}

// renderImports draws the import page; p.Form and p.Errors carry a refused
// upload.
func (s *Server) renderImports(c *gin.Context, p Page, status int) error {
	runs, err := s.opts.Imports.List(c.Request.Context(), currentTenant(c).ID)
	if err != nil {
		return err
	}
	rows := make([]importRow, 0, len(runs))
	for _, r := range runs {
		rows = append(rows, importRow{Href: p.Base + "/admin/import/" + r.ID.String(),
			When: r.CreatedAt.In(rome).Format("02/01/2006 15:04"), What: p.T("import.kind." + r.Kind),
			File: r.Filename, State: p.T("import.state." + r.State)})
	}
	var kinds []choice
	var templates []importRow
	for _, k := range onboarding.Kinds {
		kinds = append(kinds, choice{Value: k, Label: p.T("import.kind." + k)})
		templates = append(templates, importRow{Href: p.Base + "/admin/import-templates/" + k, What: p.T("import.kind." + k), File: k + ".csv"})
	}
	p.Errors = p.sentences(p.Errors)
	p.Data = map[string]any{
		"Runs": rows, "Templates": templates, "Action": p.Base + "/admin/import",
		"Kind": newChoiceField(p, "kind", "import.kind", selected(kinds, p.Form["kind"])),
	}
	s.render(c, status, "import_list.html", p)
	return nil
}

// importOf is the import of the path.
func (s *Server) importOf(c *gin.Context) (*onboarding.Run, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	return s.opts.Imports.Get(c.Request.Context(), currentTenant(c).ID, id)
}

// importShow is an import's page: its progress, polled by htmx through
// importStatus until it has finished, then its outcome and its errors.
func (s *Server) importShow(c *gin.Context) error {
	r, err := s.importOf(c)
	if err != nil {
		return err
	}
	p := s.page(c, "import.run")
	p.Data = importData(p, r)
	s.render(c, http.StatusOK, "import_show.html", p)
	return nil
}

// importStatus is the fragment htmx swaps in.
func (s *Server) importStatus(c *gin.Context) error {
	r, err := s.importOf(c)
	if err != nil {
		return err
	}
	p := s.page(c, "import.run")
	p.Data = importData(p, r)
	s.render(c, http.StatusOK, "import-status", p)
	return nil
}

func importData(p Page, r *onboarding.Run) map[string]any {
	base := p.Base + "/admin/import/" + r.ID.String()
	d := map[string]any{
		"Run": r, "Status": base + "/status", "Back": p.Base + "/admin/import", "Finished": r.Finished(),
		"What": p.T("import.kind." + r.Kind), "State": p.T("import.state." + r.State),
		"More": r.ErrorCount > len(r.Errors),
	}
	if r.Phase != "" {
		d["Phase"] = p.T("import.phase." + r.Phase)
	}
	return d
}

// importTemplate sends the template file of a kind.
func (s *Server) importTemplate(c *gin.Context) error {
	kind := c.Param("kind")
	body, err := onboarding.Template(kind)
	if errors.Is(err, derrors.ErrNotFound) {
		return err
	}
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", `attachment; filename="`+kind+`.csv"`)
	c.Header("Content-Length", strconv.Itoa(len(body)))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", body)
	return nil
}
