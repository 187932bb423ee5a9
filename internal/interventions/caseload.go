package interventions

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Count is a number of active interventions of one operator or unit.
type Count struct {
	ID     uuid.UUID `json:"id"` // uuid.Nil: cases without a responsible
	Name   string    `json:"name"`
	Active int       `json:"active"`
}

// Caseload is the ente's active interventions counted by the responsible
// operator of their case and by the case's unit, for the caseload page.
type Caseload struct {
	ByOperator []Count `json:"by_operator"`
	ByUnit     []Count `json:"by_unit"`
}

// ActiveCounts counts the ente's active interventions per responsible
// operator and per unit of their cases, most first. The counts carry no
// personal data: the caller decides who may see them (coordinators, the
// administrative office) and writes no audit event for them.
func (s *Service) ActiveCounts(ctx context.Context, tenant uuid.UUID) (*Caseload, error) {
	out := &Caseload{}
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		if out.ByOperator, err = counts(ctx, tx, `SELECT coalesce(c.responsible_id, '00000000-0000-0000-0000-000000000000'::uuid),
				coalesce(o.name, ''), count(*)
			FROM interventions i JOIN cases c ON c.tenant_id = i.tenant_id AND c.id = i.case_id
			LEFT JOIN operators o ON o.id = c.responsible_id
			WHERE i.state = 'active' GROUP BY 1, 2 ORDER BY 3 DESC, 2`); err != nil {
			return err
		}
		out.ByUnit, err = counts(ctx, tx, `SELECT c.unit_id, u.name, count(*)
			FROM interventions i JOIN cases c ON c.tenant_id = i.tenant_id AND c.id = i.case_id
			JOIN units u ON u.tenant_id = c.tenant_id AND u.id = c.unit_id
			WHERE i.state = 'active' GROUP BY 1, 2 ORDER BY 3 DESC, 2`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("interventions.ActiveCounts(%s): %w", tenant, err)
	}
	return out, nil
}

func counts(ctx context.Context, tx pgx.Tx, q string) ([]Count, error) {
	rows, err := tx.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Count, error) {
		var c Count
		err := r.Scan(&c.ID, &c.Name, &c.Active)
		return c, err
	})
}
