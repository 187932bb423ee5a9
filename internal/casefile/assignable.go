package casefile

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Operator is an operator who may be given a case.
type Operator struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

// Assignable returns the operators who may be responsible for a case of unit:
// the active members of the ente assigned to it, by name.
func (s *Service) Assignable(ctx context.Context, tenant, unit uuid.UUID) ([]Operator, error) {
	var out []Operator
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT o.id, o.name FROM operator_units ou
			JOIN memberships m ON m.tenant_id = ou.tenant_id AND m.operator_id = ou.operator_id AND m.status = 'active'
			JOIN operators o ON o.id = ou.operator_id
			WHERE ou.tenant_id = $1 AND ou.unit_id = $2 ORDER BY o.name`, tenant, unit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Operator, error) {
			var o Operator
			return o, r.Scan(&o.ID, &o.Name)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("casefile.Assignable(%s, %s): %w", tenant, unit, err)
	}
	return out, nil
}
