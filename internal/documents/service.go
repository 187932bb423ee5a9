package documents

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

// DefaultMaxBytes is the size limit of a document unless configured.
const DefaultMaxBytes = 20 << 20

// Service files documents on the people and cases of every ente.
type Service struct {
	db       *db.DB
	store    Storage
	cases    Cases
	maxBytes int64
	now      func() time.Time
}

// NewService returns the documents over d, their bytes in store; cases
// decides who may see and file documents on each case; maxBytes (0 means
// DefaultMaxBytes) is the size limit of one file.
func NewService(d *db.DB, store Storage, cases Cases, maxBytes int64) *Service {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return &Service{db: d, store: store, cases: cases, maxBytes: maxBytes, now: time.Now}
}

// MaxBytes is the size limit of one file.
func (s *Service) MaxBytes() int64 { return s.maxBytes }

// owner is what a document is filed on, and what the viewer may do there.
type owner struct {
	objectType string // "case" or "person"
	id         uuid.UUID
	read       bool // may list and download
	reserved   bool // may see reserved documents
	write      bool // may upload and withdraw
}

// ownerOf decides what v may do with the documents of a case or a person,
// inside tx; a case or person v may not know of is not found.
func (s *Service) ownerOf(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, caseID, personID *uuid.UUID, v casefile.Viewer) (owner, error) {
	if caseID != nil {
		acc, err := casefile.KnownAccess(ctx, s.cases, tx, tenant, *caseID, v)
		if err != nil {
			return owner{}, err
		}
		return owner{objectType: "case", id: *caseID, read: acc.Content, reserved: acc.Reserved && acc.Content, write: acc.Write}, nil
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM people WHERE id = $1`, *personID).Scan(&n); err != nil {
		return owner{}, err
	}
	if n == 0 || !v.Perms[authz.PermPeopleRead] {
		return owner{}, fmt.Errorf("%w: persona non trovata", derrors.ErrNotFound)
	}
	return owner{objectType: "person", id: *personID, read: true,
		reserved: v.Perms[authz.PermReservedRead], write: v.Perms[authz.PermPeopleWrite]}, nil
}

// Upload stores the bytes of in.Body, then, in one transaction, its metadata
// row and document.uploaded. The type is sniffed from the bytes and must be
// one of the allowed; the size is limited (ErrTooLarge); nothing is stored
// for a viewer who may not file documents there.
func (s *Service) Upload(ctx context.Context, tenant uuid.UUID, in Upload, v casefile.Viewer) (*Document, error) {
	d, err := s.upload(ctx, tenant, in, v)
	if err != nil {
		return nil, fmt.Errorf("documents.Upload(%s, %q): %w", tenant, in.Filename, err)
	}
	return d, nil
}

func (s *Service) upload(ctx context.Context, tenant uuid.UUID, in Upload, v casefile.Viewer) (*Document, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	// Ask first, so that nothing is stored for a viewer who may not upload.
	if err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		o, err := s.ownerOf(ctx, tx, tenant, in.CaseID, in.PersonID, v)
		return o.mayWrite(in.Reserved, err)
	}); err != nil {
		return nil, err
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(in.Body, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	head = head[:n]
	if n == 0 {
		return nil, invalid("file", "il file è vuoto")
	}
	ct, ok := Sniff(head)
	if !ok {
		return nil, invalid("file", "tipo di file non ammesso: sono accettati PDF, PNG, JPEG, testo, ODT, ODS, DOCX e XLSX")
	}
	id := uuid.New()
	key := fmt.Sprintf("tenants/%s/%d/%s", tenant, s.now().Year(), id)
	body := &limited{r: io.MultiReader(bytes.NewReader(head), in.Body), left: s.maxBytes}
	size, sum, err := s.store.Put(ctx, key, body)
	if body.over {
		return nil, &ValidationError{Fields: []FieldError{{"file",
			fmt.Sprintf("il file supera il limite di %s", humanSize(s.maxBytes))}}, kind: ErrTooLarge}
	}
	if err != nil {
		return nil, err
	}
	var d *Document
	err = s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		o, err := s.ownerOf(ctx, tx, tenant, in.CaseID, in.PersonID, v)
		if err := o.mayWrite(in.Reserved, err); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO documents (tenant_id, id, person_id, case_id, kind, title, filename,
				content_type, size, sha256, storage_key, reserved, uploaded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			tenant, id, in.PersonID, in.CaseID, in.Kind, in.Title, in.Filename, ct, size, sum, key, in.Reserved, v.ID); err != nil {
			return err
		}
		if d, err = load(ctx, tx, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("document.uploaded", o, d, v, map[string]any{
			"content_type": ct, "size": size, "sha256": d.SHA256}))
	})
	return d, err
}

// mayWrite turns ownerOf's answer into a refusal to upload or withdraw.
func (o owner) mayWrite(reserved bool, err error) error {
	switch {
	case err != nil:
		return err
	case !o.write, reserved && !o.reserved:
		return ErrNoWrite
	}
	return nil
}

// check cleans the upload's fields and checks them.
func (in *Upload) check() error {
	var fe []FieldError
	switch {
	case (in.CaseID == nil) == (in.PersonID == nil):
		fe = append(fe, FieldError{"case_id", "indicare il caso oppure la persona (uno solo dei due)"})
	case in.CaseID != nil && *in.CaseID == uuid.Nil, in.PersonID != nil && *in.PersonID == uuid.Nil:
		fe = append(fe, FieldError{"case_id", "identificativo non valido"})
	}
	in.Filename = cleanFilename(in.Filename)
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	if in.Title == "" {
		in.Title = in.Filename
	}
	if in.Kind == "" {
		in.Kind = "other"
	}
	if !slices.Contains(Kinds, in.Kind) {
		fe = append(fe, FieldError{"kind", "scegliere il tipo di documento"})
	}
	if len([]rune(in.Title)) > 200 {
		fe = append(fe, FieldError{"title", "il titolo è troppo lungo (al massimo 200 caratteri)"})
	}
	if in.Body == nil {
		fe = append(fe, FieldError{"file", "scegliere un file"})
	}
	if len(fe) > 0 {
		return &ValidationError{Fields: fe}
	}
	return nil
}

// cleanFilename keeps the last element of a client's file name, without
// control characters or quotes (it goes back in Content-Disposition).
func cleanFilename(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == "/" {
		name = "documento"
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[len(r)-200:])
	}
	return name
}

// limited reads r, failing once more than left bytes came.
type limited struct {
	r    io.Reader
	left int64
	over bool
}

var errOver = errors.New("documents: over the size limit")

func (l *limited) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		l.over = true
		return 0, errOver
	}
	return n, err
}

func humanSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d byte", n)
}

// event is an audit event about a document: the object is what it is filed
// on, so that "who looked at this case" lists document reads too.
func event(action string, o owner, d *Document, v casefile.Viewer, details map[string]any) audit.Event {
	if details == nil {
		details = map[string]any{}
	}
	details["document_id"] = d.ID.String()
	details["filename"] = d.Filename
	return audit.Event{Action: action, ActorID: v.ID, Actor: v.Email, IP: v.IP,
		ObjectType: o.objectType, ObjectID: o.id.String(), Details: details}
}

func hexSum(b []byte) string { return hex.EncodeToString(b) }
