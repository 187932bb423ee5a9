package casefile

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// WorkflowTx reads the ente's case workflow in tx: for the onboarding import
// (internal/onboarding), which checks the states of legacy cases against it
// in its own transaction.
func WorkflowTx(ctx context.Context, tx pgx.Tx, tenant uuid.UUID) (Workflow, error) {
	return loadWorkflow(ctx, tx, tenant)
}
