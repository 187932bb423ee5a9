package app

import (
	"context"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
)

// workflowRoles tells a workflow template the role names of an ente (built-in
// and custom), to check the roles of its transitions.
func workflowRoles(enf *authz.Enforcer) func(ctx context.Context, tenant uuid.UUID) ([]string, error) {
	return func(ctx context.Context, tenant uuid.UUID) ([]string, error) {
		roles, err := enf.Roles(ctx, tenant)
		if err != nil {
			return nil, err
		}
		names := make([]string, len(roles))
		for i, r := range roles {
			names[i] = r.Name
		}
		return names, nil
	}
}
