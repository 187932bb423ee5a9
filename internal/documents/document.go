// Package documents keeps the documents filed on a person or a case: their
// bytes in a Storage (a directory, or an S3-compatible bucket), their
// metadata — type sniffed from the bytes, size, SHA-256 — in PostgreSQL, and
// every upload, read and withdrawal in the access trail. A document is never
// deleted: it is withdrawn and stays listed as such.
//
// The bytes are stored before the metadata row is written, and under a new
// key: if the transaction then fails, an orphan file is left, which is
// harmless (no row points at it); the other order could leave a row whose
// bytes are missing, which is not.
package documents

import (
	"context"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/casefile"
)

// Document is a document's metadata.
type Document struct {
	ID          uuid.UUID  `json:"id"`
	PersonID    *uuid.UUID `json:"person_id,omitempty"`
	CaseID      *uuid.UUID `json:"case_id,omitempty"`
	Kind        string     `json:"kind"`
	Title       string     `json:"title"`
	Filename    string     `json:"filename"`
	ContentType string     `json:"content_type"`
	Size        int64      `json:"size"`
	SHA256      string     `json:"sha256"` // hex
	Reserved    bool       `json:"reserved"`
	UploadedBy  uuid.UUID  `json:"uploaded_by"`
	Uploader    string     `json:"uploader"` // the uploader's name
	UploadedAt  time.Time  `json:"uploaded_at"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
}

// Upload is a document to file on exactly one of a person or a case.
type Upload struct {
	PersonID *uuid.UUID
	CaseID   *uuid.UUID
	Kind     string // one of Kinds; "" is "other"
	Title    string // "" is the file name
	Filename string // as the client named it; only shown and offered back
	Reserved bool
	Body     io.Reader
}

// Kinds are the kinds of document.
var Kinds = []string{"identity", "report", "certificate", "court_order", "isee", "consent", "correspondence", "other"}

// Cases tells what a viewer may do with a case (casefile.Service implements
// it), inside the caller's transaction.
type Cases interface {
	AccessTo(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, v casefile.Viewer) (casefile.Access, error)
}
