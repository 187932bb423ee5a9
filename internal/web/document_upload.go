package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/documents"
)

// documentCaseUpload files a document on a case.
func (s *Server) documentCaseUpload(c *gin.Context) error {
	return s.documentUpload(c, "case")
}

// documentPersonUpload files a document on a person.
func (s *Server) documentPersonUpload(c *gin.Context) error {
	return s.documentUpload(c, "person")
}

// documentUpload stores the posted file: its type is sniffed from the bytes
// by the documents service, never taken from the browser. A refused file is
// shown next to the file field (413 when it is too large) and nothing is
// stored.
func (s *Server) documentUpload(c *gin.Context, kind string) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	o := documentOwner{Kind: kind, ID: id}
	p := s.formPage(c, "documents.title")
	p.Form["title"], p.Form["kind"] = c.PostForm("title"), c.PostForm("kind")
	if c.PostForm("reserved") == "1" {
		p.Form["reserved"] = "1"
	}
	in := documents.Upload{Title: p.Form["title"], Kind: p.Form["kind"], Reserved: p.Form["reserved"] == "1"}
	if o.Kind == "case" {
		in.CaseID = &o.ID
	} else {
		in.PersonID = &o.ID
	}
	fh, err := c.FormFile("file")
	switch {
	case err == nil:
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		in.Body, in.Filename = f, fh.Filename
	case !errors.Is(err, http.ErrMissingFile):
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	if _, err := s.opts.Documents.Upload(c.Request.Context(), currentTenant(c).ID, in, v); err != nil {
		if documentFields(err, p.Errors) {
			status := http.StatusUnprocessableEntity
			if errors.Is(err, documents.ErrTooLarge) {
				status = http.StatusRequestEntityTooLarge
			}
			return s.renderDocuments(c, p, o, status)
		}
		return err
	}
	c.Redirect(http.StatusSeeOther, o.href(p)+"?done=uploaded")
	return nil
}
