package households

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sigess/sigess/internal/derrors"
)

// mergePeople is the registry's merge hook: the memberships of the person
// merged away become the kept person's, in the merge's transaction. If both
// lived in a household over the same dates the merge is refused: the
// operator ends one of the two memberships first.
func (s *Service) mergePeople(ctx context.Context, tx pgx.Tx, tenant, keep, drop uuid.UUID) error {
	_, err := tx.Exec(ctx, `UPDATE household_members SET person_id = $2 WHERE tenant_id = $1 AND person_id = $3`, tenant, keep, drop)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23P01" {
		return fmt.Errorf("%w: le due persone risultano nello stesso periodo in nuclei familiari diversi o due volte nello stesso: chiudere prima una delle appartenenze", derrors.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("households: merge %s into %s: %w", drop, keep, err)
	}
	return nil
}
