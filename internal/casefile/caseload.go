package casefile

import (
	"context"
	"fmt"
	"regexp"
	"strconv"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Load is the open cases of one unit with one responsible operator that a
// viewer may read: the cells the caseload page adds up per operator and per
// unit.
type Load struct {
	UnitID          uuid.UUID      `json:"unit_id"`
	UnitName        string         `json:"unit_name"`
	ResponsibleID   *uuid.UUID     `json:"responsible_id"` // nil: cases waiting to be assigned
	ResponsibleName string         `json:"responsible_name"`
	ByState         map[string]int `json:"by_state"` // open cases per state
	Open            int            `json:"open"`
	Taken           int            `json:"taken"` // open cases already taken in charge
}

// Colleague is an active operator of one of the viewer's units: the caseload
// shows them even when no case is theirs yet.
type Colleague struct {
	UnitID   uuid.UUID `json:"unit_id"`
	UnitName string    `json:"unit_name"`
	ID       uuid.UUID `json:"id"`
	Name     string    `json:"name"`
}

// Caseload is what the caseload page needs of the case files.
type Caseload struct {
	Loads []Load `json:"loads"`
	// Colleagues are the active operators of the viewer's units, for
	// viewers who read the cases of their unit (or all); empty otherwise.
	Colleagues []Colleague `json:"colleagues"`
}

// Caseload counts the open cases of tenant whose content v may read — the
// rule List and AccessTo apply — per unit, responsible operator and state.
// The counts carry no personal data; they are not an audited read.
func (s *Service) Caseload(ctx context.Context, tenant uuid.UUID, v Viewer) (*Caseload, error) {
	out := &Caseload{Loads: []Load{}, Colleagues: []Colleague{}}
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		args := append([]any{tenant}, visibilityArgs(v)...)
		rows, err := tx.Query(ctx, `SELECT c.unit_id, u.name, c.responsible_id, coalesce(o.name, ''), c.state,
				count(*), count(*) FILTER (WHERE c.taken_at IS NOT NULL)
			FROM cases c JOIN units u ON u.tenant_id = c.tenant_id AND u.id = c.unit_id
			LEFT JOIN operators o ON o.id = c.responsible_id
			WHERE c.tenant_id = $1 AND c.closed_at IS NULL AND `+contentSQL+`
			GROUP BY 1, 2, 3, 4, 5 ORDER BY 2, 4, 5`, args...)
		if err != nil {
			return fmt.Errorf("cases: %w", err)
		}
		type key struct {
			unit uuid.UUID
			resp uuid.UUID
		}
		at := map[key]int{}
		for rows.Next() {
			var l Load
			var state string
			var n, taken int
			if err := rows.Scan(&l.UnitID, &l.UnitName, &l.ResponsibleID, &l.ResponsibleName, &state, &n, &taken); err != nil {
				rows.Close()
				return err
			}
			k := key{unit: l.UnitID}
			if l.ResponsibleID != nil {
				k.resp = *l.ResponsibleID
			}
			i, ok := at[k]
			if !ok {
				l.ByState = map[string]int{}
				out.Loads = append(out.Loads, l)
				i = len(out.Loads) - 1
				at[k] = i
			}
			out.Loads[i].ByState[state] += n
			out.Loads[i].Open += n
			out.Loads[i].Taken += taken
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("cases: %w", err)
		}
		if !v.Perms["cases:read_unit"] && !v.Perms["cases:read_all"] {
			return nil
		}
		rows, err = tx.Query(ctx, `SELECT ou.unit_id, u.name, o.id, o.name FROM operator_units ou
			JOIN units u ON u.tenant_id = ou.tenant_id AND u.id = ou.unit_id
			JOIN memberships m ON m.tenant_id = ou.tenant_id AND m.operator_id = ou.operator_id AND m.status = 'active'
			JOIN operators o ON o.id = ou.operator_id
			WHERE ou.tenant_id = $1 AND ou.unit_id IN (SELECT unit_id FROM operator_units WHERE tenant_id = $1 AND operator_id = $2)
			ORDER BY u.name, o.name`, tenant, v.ID)
		if err != nil {
			return fmt.Errorf("colleagues: %w", err)
		}
		out.Colleagues, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Colleague, error) {
			var c Colleague
			return c, r.Scan(&c.UnitID, &c.UnitName, &c.ID, &c.Name)
		})
		if err != nil {
			return fmt.Errorf("colleagues: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("casefile.Caseload(%s): %w", tenant, err)
	}
	return out, nil
}

// placeholder matches the viewer's parameters ($2..$6) in contentSQL.
var placeholder = regexp.MustCompile(`\$([2-6])\b`)

// Readable is the condition, over the cases table aliased c, that holds for
// the cases whose content v may read — the rule of List and AccessTo — with
// its arguments, numbered from $first: how other packages count what
// belongs to the cases v reads (active interventions per unit, for the
// caseload) in one query instead of asking AccessTo case by case.
func Readable(v Viewer, first int) (string, []any) {
	cond := placeholder.ReplaceAllStringFunc(contentSQL, func(m string) string {
		n, _ := strconv.Atoi(m[1:])
		return "$" + strconv.Itoa(n-2+first)
	})
	return cond, visibilityArgs(v)
}
