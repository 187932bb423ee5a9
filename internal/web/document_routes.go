package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/documents"
	"github.com/sigess/sigess/internal/people"
)

// Documents is what the web layer needs of the documents filed on people and
// cases (documents.Service implements it). Who may see and file them is
// decided there; every upload, read and withdrawal writes the access trail.
type Documents interface {
	Upload(ctx context.Context, tenant uuid.UUID, in documents.Upload, v casefile.Viewer) (*documents.Document, error)
	ListCase(ctx context.Context, tenant, caseID uuid.UUID, v casefile.Viewer) ([]documents.Document, error)
	ListPerson(ctx context.Context, tenant, personID uuid.UUID, v casefile.Viewer) ([]documents.Document, error)
	Get(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) (*documents.Document, error)
	Open(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) (*documents.Document, io.ReadCloser, error)
	Withdraw(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) (*documents.Document, error)
	MaxBytes() int64
}

// uploadOverhead is what a multipart upload may carry beyond the file: the
// other fields and the parts' headers.
const uploadOverhead = 64 << 10

// documentRoutes registers the document pages on the ente's UI group.
func (s *Server) documentRoutes(ui *gin.RouterGroup) {
	g := ui.Group("", s.requireLogin())
	g.GET("/cases/:id/documents", s.require(caseReaders...), s.handle(s.documentCaseList))
	g.POST("/cases/:id/documents", s.require(authz.PermCasesWrite), s.handle(s.documentCaseUpload))
	g.GET("/people/:id/documents", s.require(authz.PermPeopleRead), s.handle(s.documentPersonList))
	g.POST("/people/:id/documents", s.require(authz.PermPeopleWrite), s.handle(s.documentPersonUpload))
	g.GET("/documents/:id/content", s.handle(s.documentDownload))
	g.POST("/documents/:id/withdraw", s.handle(s.documentWithdraw))
}

// isUpload reports whether the request posts a document: its body may be as
// large as a document (plus the form), not only maxFormBytes.
func isUpload(c *gin.Context) bool {
	if c.Request.Method != http.MethodPost {
		return false
	}
	p := c.FullPath()
	return strings.HasSuffix(p, "/cases/:id/documents") || strings.HasSuffix(p, "/people/:id/documents") ||
		strings.HasSuffix(p, "/api/v1/documents")
}

// formLimit is how many bytes the body of this form may have.
func (s *Server) formLimit(c *gin.Context) int64 {
	if s.opts.Documents != nil && isUpload(c) {
		return s.opts.Documents.MaxBytes() + uploadOverhead
	}
	return maxFormBytes
}

// errBodyTooLarge is a request body over what the route accepts.
var errBodyTooLarge = fmt.Errorf("%w: il file supera la dimensione massima consentita", documents.ErrTooLarge)

// documentFields puts the documents' field errors into a form's errors; it
// reports whether there were any.
func documentFields(err error, into map[string]string) bool {
	fs := documents.Fields(err)
	for _, f := range fs {
		into[f.Field] = f.Message
	}
	return len(fs) > 0
}

// documentAPIError turns the documents' refusals into problems with a
// detail for the client; field errors travel in "errors", a file over the
// limit is 413.
func documentAPIError(err error) error {
	if err == nil {
		return nil
	}
	if fs := documents.Fields(err); len(fs) > 0 {
		out := make([]people.FieldError, len(fs))
		for i, f := range fs {
			out[i] = people.FieldError{Field: f.Field, Message: f.Message}
		}
		kind := derrors.ErrInvalid
		if errors.Is(err, documents.ErrTooLarge) {
			kind = documents.ErrTooLarge
		}
		return &problemError{kind: kind, detail: "dati non validi", ext: map[string]any{"errors": out}}
	}
	for _, kind := range []error{derrors.ErrConflict, derrors.ErrForbidden, derrors.ErrInvalid} {
		if errors.Is(err, kind) {
			return &problemError{kind: kind, detail: domainMessage(err, kind)}
		}
	}
	return err
}

// sendDocument writes a document's bytes as an attachment: never shown
// inline, never sniffed by the browser.
func sendDocument(c *gin.Context, d *documents.Document, rc io.ReadCloser) error {
	defer rc.Close()
	h := c.Writer.Header()
	h.Set("Content-Type", d.ContentType)
	h.Set("Content-Disposition", contentDisposition(d.Filename))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Length", fmt.Sprint(d.Size))
	c.Status(http.StatusOK)
	_, err := io.Copy(c.Writer, rc)
	if err != nil {
		_ = c.Error(fmt.Errorf("sendDocument(%s): %w", d.ID, err))
	}
	return nil
}

// contentDisposition is an attachment named filename: an ASCII fallback and
// the UTF-8 name (RFC 6266, RFC 8187).
func contentDisposition(filename string) string {
	var ascii, ext strings.Builder
	for _, r := range filename {
		if r < 0x80 && r >= 0x20 && r != '"' && r != '\\' {
			ascii.WriteRune(r)
		} else {
			ascii.WriteByte('_')
		}
	}
	for _, b := range []byte(filename) {
		if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("!#$&+-.^_`|~", b) >= 0 {
			ext.WriteByte(b)
		} else {
			fmt.Fprintf(&ext, "%%%02X", b)
		}
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii.String(), ext.String())
}

// documentHref is where a document's bytes are downloaded from.
func documentHref(p Page, id uuid.UUID) string {
	return fmt.Sprintf("%s/documents/%s/content", p.Base, id)
}
