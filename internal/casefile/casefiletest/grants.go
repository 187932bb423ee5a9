// Package casefiletest stands in for the case file's access decisions in the
// tests of the packages that hang off a case (diary, documents, assessments,
// plans), so that each can grant a viewer exactly what it wants to test.
package casefiletest

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/derrors"
)

// Grants answers AccessTo from a table of grants: by case when the case's id
// is a key, otherwise by viewer. It first checks in the transaction (under
// row-level security) that the case exists, so a case of another ente is not
// found, as casefile answers.
type Grants map[uuid.UUID]casefile.Access

// AccessTo is casefile.(*Service).AccessTo's answer from the table.
func (g Grants) AccessTo(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, v casefile.Viewer) (casefile.Access, error) {
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM cases WHERE id = $1`, id).Scan(&n); err != nil {
		return casefile.Access{}, err
	}
	a, ok := g[id]
	if !ok {
		a = g[v.ID]
	}
	if n == 0 || !a.Exists {
		return casefile.Access{}, fmt.Errorf("casefiletest: %w", derrors.ErrNotFound)
	}
	return a, nil
}
