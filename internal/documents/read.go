package documents

import (
	"context"
	"fmt"
	"io"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/derrors"
)

const docSelect = `SELECT d.id, d.person_id, d.case_id, d.kind, d.title, d.filename, d.content_type, d.size, d.sha256,
		d.reserved, d.uploaded_by, coalesce(o.name, ''), d.uploaded_at, d.withdrawn_at, d.storage_key
	FROM documents d LEFT JOIN operators o ON o.id = d.uploaded_by WHERE `

// scanDocs reads documents with their storage keys.
func scanDocs(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]Document, []string, error) {
	rows, err := tx.Query(ctx, docSelect+where+` ORDER BY d.uploaded_at DESC, d.id`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out, keys := []Document{}, []string{}
	for rows.Next() {
		var d Document
		var sum []byte
		var key string
		if err := rows.Scan(&d.ID, &d.PersonID, &d.CaseID, &d.Kind, &d.Title, &d.Filename, &d.ContentType, &d.Size, &sum,
			&d.Reserved, &d.UploadedBy, &d.Uploader, &d.UploadedAt, &d.WithdrawnAt, &key); err != nil {
			return nil, nil, err
		}
		d.SHA256 = hexSum(sum)
		out, keys = append(out, d), append(keys, key)
	}
	return out, keys, rows.Err()
}

func load(ctx context.Context, tx pgx.Tx, id uuid.UUID) (*Document, error) {
	ds, _, err := scanDocs(ctx, tx, `d.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, ErrNotFound
	}
	return &ds[0], nil
}

// ListCase returns the documents of a case the viewer may see, newest first,
// withdrawn ones included, and writes document.listed.
func (s *Service) ListCase(ctx context.Context, tenant, caseID uuid.UUID, v casefile.Viewer) ([]Document, error) {
	ds, err := s.list(ctx, tenant, &caseID, nil, v)
	if err != nil {
		return nil, fmt.Errorf("documents.ListCase(%s, %s): %w", tenant, caseID, err)
	}
	return ds, nil
}

// ListPerson returns the documents filed on a person (not on their cases),
// newest first, and writes document.listed.
func (s *Service) ListPerson(ctx context.Context, tenant, personID uuid.UUID, v casefile.Viewer) ([]Document, error) {
	ds, err := s.list(ctx, tenant, nil, &personID, v)
	if err != nil {
		return nil, fmt.Errorf("documents.ListPerson(%s, %s): %w", tenant, personID, err)
	}
	return ds, nil
}

func (s *Service) list(ctx context.Context, tenant uuid.UUID, caseID, personID *uuid.UUID, v casefile.Viewer) ([]Document, error) {
	var out []Document
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		o, err := s.ownerOf(ctx, tx, tenant, caseID, personID, v)
		if err != nil {
			return err
		}
		if !o.read {
			return fmt.Errorf("%w: non è consentito vedere i documenti di questo caso", errForbidden)
		}
		col := "d.case_id"
		if o.objectType == "person" {
			col = "d.person_id"
		}
		if out, _, err = scanDocs(ctx, tx, col+` = $1 AND (NOT d.reserved OR $2)`, o.id, o.reserved); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "document.listed", ActorID: v.ID, Actor: v.Email, IP: v.IP,
			ObjectType: o.objectType, ObjectID: o.id.String(), Details: map[string]any{"count": len(out)}})
	})
	return out, err
}

// readable loads document id with what it is filed on, refusing (as not
// found) a viewer who may not see it.
func (s *Service) readable(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, v casefile.Viewer) (*Document, string, owner, error) {
	ds, keys, err := scanDocs(ctx, tx, `d.id = $1`, id)
	if err != nil {
		return nil, "", owner{}, err
	}
	if len(ds) == 0 {
		return nil, "", owner{}, ErrNotFound
	}
	d := &ds[0]
	o, err := s.ownerOf(ctx, tx, tenant, d.CaseID, d.PersonID, v)
	switch {
	case err != nil:
		return nil, "", o, err
	case !o.read, d.Reserved && !o.reserved:
		return nil, "", o, ErrNotFound
	}
	return d, keys[0], o, nil
}

// Get returns a document's metadata and writes document.viewed.
func (s *Service) Get(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) (*Document, error) {
	var d *Document
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var o owner
		var err error
		if d, _, o, err = s.readable(ctx, tx, tenant, id, v); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("document.viewed", o, d, v, nil))
	})
	if err != nil {
		return nil, fmt.Errorf("documents.Get(%s, %s): %w", tenant, id, err)
	}
	return d, nil
}

// Open returns a document with its bytes, to be closed by the caller, and
// writes document.downloaded. A withdrawn document is not offered.
func (s *Service) Open(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) (*Document, io.ReadCloser, error) {
	var d *Document
	var rc io.ReadCloser
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		d0, key, o, err := s.readable(ctx, tx, tenant, id, v)
		if err != nil {
			return err
		}
		if d0.WithdrawnAt != nil {
			return ErrWithdrawn
		}
		if err := audit.Write(ctx, tx, tenant, event("document.downloaded", o, d0, v, nil)); err != nil {
			return err
		}
		if rc != nil { // a retried transaction
			rc.Close()
		}
		rc, err = s.store.Open(ctx, key)
		d = d0
		return err
	})
	if err != nil {
		if rc != nil {
			rc.Close()
		}
		return nil, nil, fmt.Errorf("documents.Open(%s, %s): %w", tenant, id, err)
	}
	return d, rc, nil
}

// Withdraw withdraws a document: it stays listed, marked withdrawn, and its
// bytes are no longer offered. Writes document.withdrawn.
func (s *Service) Withdraw(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) (*Document, error) {
	var d *Document
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		d0, _, o, err := s.readable(ctx, tx, tenant, id, v)
		if err != nil {
			return err
		}
		if err := o.mayWrite(d0.Reserved, nil); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE documents SET withdrawn_at = now(), withdrawn_by = $2 WHERE id = $1 AND withdrawn_at IS NULL`, id, v.ID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrWithdrawn
		}
		if d, err = load(ctx, tx, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("document.withdrawn", o, d, v, nil))
	})
	if err != nil {
		return nil, fmt.Errorf("documents.Withdraw(%s, %s): %w", tenant, id, err)
	}
	return d, nil
}

var errForbidden = derrors.ErrForbidden
