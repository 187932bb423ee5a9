package diary

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/db"
)

// Service is the case diaries of every ente.
type Service struct {
	db    *db.DB
	cases Cases
	now   func() time.Time
}

// NewService returns the diaries over d; cases decides who may read and write
// each case's diary.
func NewService(d *db.DB, cases Cases) *Service {
	return &Service{db: d, cases: cases, now: time.Now}
}

// Limits of an entry's fields.
const (
	maxText   = 20000
	maxReason = 500
)

// readable asks the case file what v may do with caseID and refuses a viewer
// who may not read its diary: a case they may not know of is not found.
func (s *Service) readable(ctx context.Context, tx pgx.Tx, tenant, caseID uuid.UUID, v casefile.Viewer) (casefile.Access, error) {
	acc, err := casefile.KnownAccess(ctx, s.cases, tx, tenant, caseID, v)
	if err == nil && !acc.Diary {
		return acc, ErrNoDiary
	}
	return acc, err
}

// writable is readable, and the viewer may write in the diary.
func (s *Service) writable(ctx context.Context, tx pgx.Tx, tenant, caseID uuid.UUID, v casefile.Viewer) (casefile.Access, error) {
	acc, err := s.readable(ctx, tx, tenant, caseID, v)
	if err != nil {
		return acc, err
	}
	if !acc.Write || !v.Perms[authz.PermDiaryWrite] {
		return acc, ErrNoWrite
	}
	return acc, nil
}

// List returns the case's entries the viewer may read, newest first (by when
// they happened), each with its latest revision, and writes diary.listed.
// Reserved entries are left out for a viewer without reserved access.
func (s *Service) List(ctx context.Context, tenant, caseID uuid.UUID, v casefile.Viewer) ([]Entry, error) {
	var out []Entry
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		acc, err := s.readable(ctx, tx, tenant, caseID, v)
		if err != nil {
			return err
		}
		if out, err = entries(ctx, tx, `e.case_id = $1 AND (NOT e.reserved OR $2)`, caseID, acc.Reserved); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("diary.listed", caseID, v, map[string]any{"count": len(out)}))
	})
	if err != nil {
		return nil, fmt.Errorf("diary.List(%s, case %s): %w", tenant, caseID, err)
	}
	return out, nil
}

// Entry returns one entry with its revisions, oldest first, and writes
// diary.entry_viewed.
func (s *Service) Entry(ctx context.Context, tenant, caseID, id uuid.UUID, v casefile.Viewer) (*Entry, []Revision, error) {
	var e *Entry
	var revs []Revision
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		acc, err := s.readable(ctx, tx, tenant, caseID, v)
		if err != nil {
			return err
		}
		if e, err = entry(ctx, tx, caseID, id, acc); err != nil {
			return err
		}
		if revs, err = revisions(ctx, tx, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("diary.entry_viewed", caseID, v, map[string]any{"entry_id": id.String()}))
	})
	if err != nil {
		return nil, nil, fmt.Errorf("diary.Entry(%s, case %s, %s): %w", tenant, caseID, id, err)
	}
	return e, revs, nil
}

// Add writes a new entry in the case's diary, with its first revision, and
// diary.entry_added, all or nothing.
func (s *Service) Add(ctx context.Context, tenant, caseID uuid.UUID, in NewEntry, v casefile.Viewer) (*Entry, error) {
	if err := in.check(s.now()); err != nil {
		return nil, fmt.Errorf("diary.Add(%s, case %s): %w", tenant, caseID, err)
	}
	var e *Entry
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		acc, err := s.writable(ctx, tx, tenant, caseID, v)
		if err != nil {
			return err
		}
		if in.Reserved && !acc.Reserved {
			return ErrNoReserved
		}
		var id uuid.UUID
		if err := tx.QueryRow(ctx, `INSERT INTO diary_entries (tenant_id, case_id, kind, occurred_at, reserved, author_id)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, tenant, caseID, in.Kind, in.OccurredAt, in.Reserved, v.ID).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO diary_revisions (tenant_id, entry_id, revision, text, author_id)
			VALUES ($1, $2, 1, $3, $4)`, tenant, id, in.Text, v.ID); err != nil {
			return err
		}
		if e, err = entry(ctx, tx, caseID, id, acc); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("diary.entry_added", caseID, v, map[string]any{
			"entry_id": id.String(), "kind": in.Kind, "reserved": in.Reserved}))
	})
	if err != nil {
		return nil, fmt.Errorf("diary.Add(%s, case %s): %w", tenant, caseID, err)
	}
	return e, nil
}

// Correct adds a revision to an entry: the new text and why it changed. The
// earlier revisions stay as they were written (the table cannot be updated).
func (s *Service) Correct(ctx context.Context, tenant, caseID, id uuid.UUID, in Correction, v casefile.Viewer) (*Entry, error) {
	if err := in.check(); err != nil {
		return nil, fmt.Errorf("diary.Correct(%s, case %s, %s): %w", tenant, caseID, id, err)
	}
	var e *Entry
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		acc, err := s.writable(ctx, tx, tenant, caseID, v)
		if err != nil {
			return err
		}
		// Corrections of one entry take turns: the next number is read after
		// the lock (the runtime role may not SELECT … FOR UPDATE an entry).
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 7))`, id.String()); err != nil {
			return err
		}
		if e, err = entry(ctx, tx, caseID, id, acc); err != nil {
			return err
		}
		if e.Text == in.Text {
			return &ValidationError{Fields: []FieldError{{Field: "text", Message: "il testo corretto è uguale a quello attuale"}}}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO diary_revisions (tenant_id, entry_id, revision, text, reason, author_id)
			VALUES ($1, $2, $3, $4, $5, $6)`, tenant, id, e.Revision+1, in.Text, in.Reason, v.ID); err != nil {
			return err
		}
		if e, err = entry(ctx, tx, caseID, id, acc); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("diary.entry_corrected", caseID, v, map[string]any{
			"entry_id": id.String(), "revision": e.Revision}))
	})
	if err != nil {
		return nil, fmt.Errorf("diary.Correct(%s, case %s, %s): %w", tenant, caseID, id, err)
	}
	return e, nil
}

// check trims the entry and checks it; a zero OccurredAt becomes now.
func (in *NewEntry) check(now time.Time) error {
	var fe []FieldError
	in.Text = strings.TrimSpace(in.Text)
	if !slices.Contains(Kinds, in.Kind) {
		fe = append(fe, FieldError{Field: "kind", Message: "scegliere il tipo di voce"})
	}
	switch {
	case in.OccurredAt.IsZero():
		in.OccurredAt = now
	case in.OccurredAt.After(now.Add(5 * time.Minute)):
		fe = append(fe, FieldError{Field: "occurred_at", Message: "la data non può essere nel futuro"})
	case in.OccurredAt.Year() < 1900:
		fe = append(fe, FieldError{Field: "occurred_at", Message: "data non valida"})
	}
	fe = append(fe, checkText("text", in.Text, maxText, "scrivere il testo della voce")...)
	if len(fe) > 0 {
		return &ValidationError{Fields: fe}
	}
	return nil
}

// check trims the correction and checks it.
func (in *Correction) check() error {
	in.Text = strings.TrimSpace(in.Text)
	in.Reason = strings.TrimSpace(in.Reason)
	fe := checkText("text", in.Text, maxText, "scrivere il testo corretto")
	fe = append(fe, checkText("reason", in.Reason, maxReason, "indicare il motivo della correzione")...)
	if len(fe) > 0 {
		return &ValidationError{Fields: fe}
	}
	return nil
}

func checkText(field, v string, max int, empty string) []FieldError {
	switch n := len([]rune(v)); {
	case n == 0:
		return []FieldError{{Field: field, Message: empty}}
	case n > max:
		return []FieldError{{Field: field, Message: fmt.Sprintf("il testo è troppo lungo (al massimo %d caratteri)", max)}}
	}
	return nil
}

// event is an audit event about a case's diary: the object is the case, so
// that "who looked at this case" lists diary reads too.
func event(action string, caseID uuid.UUID, v casefile.Viewer, details map[string]any) audit.Event {
	return audit.Event{Action: action, ActorID: v.ID, Actor: v.Email, IP: v.IP,
		ObjectType: "case", ObjectID: caseID.String(), Details: details}
}
