package diary

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/casefile"
)

// entrySelect reads entries with their latest revision and author's name.
const entrySelect = `SELECT e.id, e.case_id, e.kind, e.occurred_at, e.reserved, e.author_id,
		coalesce(oa.name, ''), e.created_at, r.revision, r.text, r.created_at
	FROM diary_entries e
	JOIN LATERAL (SELECT revision, text, created_at FROM diary_revisions
		WHERE tenant_id = e.tenant_id AND entry_id = e.id ORDER BY revision DESC LIMIT 1) r ON true
	LEFT JOIN operators oa ON oa.id = e.author_id
	WHERE `

// entries reads the entries matching where, newest first.
func entries(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]Entry, error) {
	rows, err := tx.Query(ctx, entrySelect+where+` ORDER BY e.occurred_at DESC, e.created_at DESC`, args...)
	if err != nil {
		return nil, err
	}
	out := []Entry{}
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.ID, &e.CaseID, &e.Kind, &e.OccurredAt, &e.Reserved, &e.AuthorID,
			&e.AuthorName, &e.CreatedAt, &e.Revision, &e.Text, &e.UpdatedAt); err != nil {
			return nil, err
		}
		e.Corrected = e.Revision > 1
		out = append(out, e)
	}
	return out, rows.Err()
}

// entry reads one entry of caseID; a reserved one is not found without
// reserved access.
func entry(ctx context.Context, tx pgx.Tx, caseID, id uuid.UUID, acc casefile.Access) (*Entry, error) {
	es, err := entries(ctx, tx, `e.case_id = $1 AND e.id = $2 AND (NOT e.reserved OR $3)`, caseID, id, acc.Reserved)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, ErrNotFound
	}
	return &es[0], nil
}

// revisions reads an entry's revisions, oldest first.
func revisions(ctx context.Context, tx pgx.Tx, id uuid.UUID) ([]Revision, error) {
	rows, err := tx.Query(ctx, `SELECT r.revision, r.text, r.reason, r.author_id, coalesce(o.name, ''), r.created_at
		FROM diary_revisions r LEFT JOIN operators o ON o.id = r.author_id
		WHERE r.entry_id = $1 ORDER BY r.revision`, id)
	if err != nil {
		return nil, err
	}
	out := []Revision{}
	for rows.Next() {
		var r Revision
		if err := rows.Scan(&r.Revision, &r.Text, &r.Reason, &r.AuthorID, &r.AuthorName, &r.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
