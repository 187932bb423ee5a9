package app

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/db"
)

// Assignments merges the role assignments of several sources — operators
// (identity) and API clients (apiclient) — so that one authorization decides
// for people and machines alike. The sources' ids must not collide; both use
// random UUIDs.
type Assignments []authz.Assignments

// RoleAssignments returns every source's assignments in scope.
func (as Assignments) RoleAssignments(ctx context.Context, scope db.Scope) (map[uuid.UUID][]string, error) {
	out := map[uuid.UUID][]string{}
	for _, a := range as {
		m, err := a.RoleAssignments(ctx, scope)
		if err != nil {
			return nil, fmt.Errorf("app.Assignments: %w", err)
		}
		for id, roles := range m {
			out[id] = append(out[id], roles...)
		}
	}
	return out, nil
}
