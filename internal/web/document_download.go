package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

// documentDownload sends a document's bytes as an attachment; the download
// is one document.downloaded event.
func (s *Server) documentDownload(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	d, rc, err := s.opts.Documents.Open(c.Request.Context(), currentTenant(c).ID, id, v)
	if err != nil {
		return err
	}
	return sendDocument(c, d, rc)
}

// documentWithdraw withdraws a document: it stays listed, marked withdrawn,
// and is no longer offered for download.
func (s *Server) documentWithdraw(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	d, err := s.opts.Documents.Withdraw(c.Request.Context(), currentTenant(c).ID, id, v)
	if err != nil {
		return err
	}
	o := documentOwner{Kind: "person"}
	if d.CaseID != nil {
		o = documentOwner{Kind: "case", ID: *d.CaseID}
	} else if d.PersonID != nil {
		o.ID = *d.PersonID
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s?done=withdrawn", o.href(s.page(c, "documents.title"))))
	return nil
}
