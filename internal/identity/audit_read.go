package identity

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
)

// Audit returns the events of tenant's audit trail that match f, newest
// first, for the ente's auditors: identity writes most of them.
func (s *Service) Audit(ctx context.Context, tenant uuid.UUID, f audit.Filter) ([]audit.Record, error) {
	var rs []audit.Record
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		rs, err = audit.List(ctx, tx, tenant, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("identity.Audit(%s): %w", tenant, err)
	}
	return rs, nil
}
