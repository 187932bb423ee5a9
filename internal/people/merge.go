package people

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
)

// MergeHook repoints a package's rows from the dropped person to the kept one,
// in the merge's transaction (tx is in tenant's scope). An error undoes the
// whole merge.
type MergeHook func(ctx context.Context, tx pgx.Tx, tenant, keep, drop uuid.UUID) error

// OnMerge registers h to run at every merge, after the registry's own
// changes. Packages whose tables reference people (households, accesses,
// cases…) register theirs when the application is wired, before it serves.
func (s *Service) OnMerge(h MergeHook) { s.hooks = append(s.hooks, h) }

// Merge records that drop is the same person as keep. drop is kept, with every
// version, marked merged into keep and hidden from search; records merged into
// drop earlier now point at keep too. If keep has no tax code, it takes
// drop's. The registered MergeHooks repoint other tables, and the merge is
// audited as person.merged, all in one transaction.
func (s *Service) Merge(ctx context.Context, tenant, keep, drop uuid.UUID, by Actor) error {
	if keep == drop {
		return fmt.Errorf("people.Merge(%s, %s, %s): %w", tenant, keep, drop,
			invalidf("non si può unificare una scheda con sé stessa"))
	}
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		// Lock in id order, so that two merges of the same pair cannot deadlock.
		first, second := keep, drop
		if second.String() < first.String() {
			first, second = second, first
		}
		locked := map[uuid.UUID]*Person{}
		for _, id := range []uuid.UUID{first, second} {
			p, err := get(ctx, tx, id, true)
			if err != nil {
				return err
			}
			if p.MergedInto != nil {
				return ErrMerged
			}
			locked[id] = p
		}
		kept, dropped := locked[keep], locked[drop]

		// Records merged into drop before, then drop itself.
		rows, err := tx.Query(ctx, `UPDATE people SET merged_into = $1, version = version + 1, updated_at = now()
			WHERE merged_into = $2 OR id = $2 RETURNING `+columns, keep, drop)
		if err != nil {
			return fmt.Errorf("mark merged: %w", err)
		}
		moved, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Person, error) { return scanPerson(r) })
		if err != nil {
			return fmt.Errorf("mark merged: %w", err)
		}
		for _, p := range moved {
			if err := writeVersion(ctx, tx, tenant, p, "merged", by); err != nil {
				return err
			}
		}

		takeTaxCode := kept.TaxCode == "" && dropped.TaxCode != ""
		kept, err = scanPerson(tx.QueryRow(ctx, `UPDATE people
			SET tax_code = CASE WHEN $2 THEN $3 ELSE tax_code END, version = version + 1, updated_at = now()
			WHERE id = $1 RETURNING `+columns, keep, takeTaxCode, dropped.TaxCode))
		if err != nil {
			return fmt.Errorf("update kept: %w", err)
		}
		if err := writeVersion(ctx, tx, tenant, kept, "absorbed", by); err != nil {
			return err
		}
		for _, h := range s.hooks {
			if err := h(ctx, tx, tenant, keep, drop); err != nil {
				return fmt.Errorf("merge hook: %w", err)
			}
		}
		details := map[string]any{
			"kept": keep.String(), "dropped": drop.String(),
			"dropped_name":          dropped.LastName + " " + dropped.FirstName,
			"dropped_tax_code":      dropped.TaxCode,
			"dropped_provisional":   dropped.ProvisionalID,
			"dropped_version":       dropped.Version,
			"tax_code_from_dropped": takeTaxCode,
		}
		if len(moved) > 1 {
			details["also_repointed"] = len(moved) - 1
		}
		return audit.Write(ctx, tx, tenant, event("person.merged", keep, by, details))
	})
	if err != nil {
		return fmt.Errorf("people.Merge(%s, %s, %s): %w", tenant, keep, drop, err)
	}
	return nil
}
