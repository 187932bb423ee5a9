package interventions

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
)

// Load is the active interventions of the cases of one unit with one
// responsible operator that a viewer may see.
type Load struct {
	UnitID          uuid.UUID  `json:"unit_id"`
	UnitName        string     `json:"unit_name"`
	ResponsibleID   *uuid.UUID `json:"responsible_id"` // nil: cases without a responsible
	ResponsibleName string     `json:"responsible_name"`
	Active          int        `json:"active"`
}

// ActiveLoad counts the active interventions v may see — the rule of List:
// holders of interventions:deliver see every one, the others those of the
// cases whose content they read (casefile.Readable) — per unit and
// responsible operator of their case. Unlike ActiveCounts, it is meant for
// any operator's caseload; the counts carry no personal data and are not an
// audited read.
func (s *Service) ActiveLoad(ctx context.Context, tenant uuid.UUID, v casefile.Viewer) ([]Load, error) {
	out := []Load{}
	if !v.Perms[authz.PermInterventionsRead] {
		return out, nil
	}
	cond, args := "true", []any{}
	if !v.Perms[authz.PermInterventionsDeliver] {
		cond, args = casefile.Readable(v, 1)
	}
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT c.unit_id, u.name, c.responsible_id, coalesce(o.name, ''), count(*)
			FROM interventions i JOIN cases c ON c.tenant_id = i.tenant_id AND c.id = i.case_id
			JOIN units u ON u.tenant_id = c.tenant_id AND u.id = c.unit_id
			LEFT JOIN operators o ON o.id = c.responsible_id
			WHERE i.state = '`+StateActive+`' AND `+cond+`
			GROUP BY 1, 2, 3, 4 ORDER BY 2, 4`, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Load, error) {
			var l Load
			return l, r.Scan(&l.UnitID, &l.UnitName, &l.ResponsibleID, &l.ResponsibleName, &l.Active)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("interventions.ActiveLoad(%s, %s): %w", tenant, v.ID, err)
	}
	return out, nil
}
