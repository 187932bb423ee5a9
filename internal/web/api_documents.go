package web

import (
	"errors"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/documents"
	"github.com/sigess/sigess/internal/people"
)

// documentAPIRoutes registers the documents resource on the ente's API group
// (after the bearer middleware): internal/web/openapi/documents.yaml
// describes it. Who may file and read is the documents service's decision.
func (s *Server) documentAPIRoutes(api *gin.RouterGroup) {
	api.POST("/documents", s.handle(s.apiDocumentUpload))
	api.GET("/documents/:id", s.handle(s.apiDocumentGet))
	api.GET("/documents/:id/content", s.handle(s.apiDocumentContent))
	api.POST("/documents/:id/withdraw", s.handle(s.apiDocumentWithdraw))
}

// apiDocumentUpload is POST /documents, multipart: case_id or person_id,
// title, kind, reserved, file.
func (s *Server) apiDocumentUpload(c *gin.Context) error {
	if mt, _, err := mime.ParseMediaType(c.ContentType()); err != nil || mt != "multipart/form-data" {
		return invalidFields("il corpo della richiesta deve essere multipart/form-data")
	}
	limit := s.formLimit(c)
	if c.Request.ContentLength > limit {
		return documentAPIError(errBodyTooLarge)
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	if err := c.Request.ParseMultipartForm(32 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return documentAPIError(errBodyTooLarge)
		}
		return invalidFields("il corpo multipart non è valido")
	}
	var fields []people.FieldError
	in := documents.Upload{Title: c.PostForm("title"), Kind: c.PostForm("kind")}
	for name, dst := range map[string]**uuid.UUID{"case_id": &in.CaseID, "person_id": &in.PersonID} {
		if v := c.PostForm(name); v != "" {
			id, err := uuid.Parse(v)
			if err != nil {
				fields = append(fields, people.FieldError{Field: name, Message: "identificativo non valido"})
				continue
			}
			*dst = &id
		}
	}
	if v := c.PostForm("reserved"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fields = append(fields, people.FieldError{Field: "reserved", Message: "indicare true o false"})
		}
		in.Reserved = b
	}
	if len(fields) > 0 {
		return invalidFields("dati non validi", fields...)
	}
	if fh, err := c.FormFile("file"); err == nil {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		in.Body, in.Filename = f, fh.Filename
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	d, err := s.opts.Documents.Upload(c.Request.Context(), currentTenant(c).ID, in, v)
	if err != nil {
		return documentAPIError(err)
	}
	c.Header("Location", basePath(c)+"/api/v1/documents/"+d.ID.String())
	c.JSON(http.StatusCreated, d)
	return nil
}

// apiDocumentGet is GET /documents/{id}: the metadata.
func (s *Server) apiDocumentGet(c *gin.Context) error {
	return apiByID(s, c, s.opts.Documents.Get, documentAPIError)
}

// apiDocumentContent is GET /documents/{id}/content: the bytes, as an
// attachment.
func (s *Server) apiDocumentContent(c *gin.Context) error {
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
		return documentAPIError(err)
	}
	return sendDocument(c, d, rc)
}

// apiDocumentWithdraw is POST /documents/{id}/withdraw.
func (s *Server) apiDocumentWithdraw(c *gin.Context) error {
	return apiByID(s, c, s.opts.Documents.Withdraw, documentAPIError)
}
