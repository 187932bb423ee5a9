// Package jobs runs background work durably: jobs are written to the outbox in
// the transaction that causes them, relayed to asynq, and handled by the worker.
//
// A Redis outage therefore delays work but loses none. The outbox row id is the
// asynq task id, so a row relayed twice (a relay that died between enqueueing
// and committing) is refused by asynq rather than run twice; handlers must still
// be idempotent, because Redis itself may lose a task it had accepted.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// defaultQueue is the asynq queue of jobs written by Enqueue; it is the only
// queue the Worker serves.
const defaultQueue = "default"

// Job is what a handler receives: the outbox row id (also the asynq task id),
// the tenant the job works for, its type and its JSON payload.
type Job struct {
	ID      uuid.UUID
	Tenant  uuid.UUID
	Type    string
	Payload json.RawMessage
}

// envelope is the asynq task payload: the outbox row's own payload wrapped with
// the ids a handler needs to scope its work.
type envelope struct {
	Tenant  uuid.UUID       `json:"tenant_id"`
	ID      uuid.UUID       `json:"id"`
	Payload json.RawMessage `json:"payload"`
}

// Enqueue writes a job of taskType for tenant to the outbox inside tx, so that
// it is relayed if and only if tx commits. tx must be scoped to tenant
// (db.InTenant); row-level security refuses a row for any other tenant.
// payload is marshalled with encoding/json. Enqueue returns the job's id.
func Enqueue(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, taskType string, payload any) (uuid.UUID, error) {
	if tenant == uuid.Nil {
		return uuid.Nil, errors.New("jobs.Enqueue: no tenant")
	}
	if taskType == "" {
		return uuid.Nil, errors.New("jobs.Enqueue: no task type")
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return uuid.Nil, fmt.Errorf("jobs.Enqueue(%s, %s): payload: %w", tenant, taskType, err)
	}
	id := uuid.New()
	_, err = tx.Exec(ctx, `INSERT INTO outbox (tenant_id, id, task_type, payload, queue) VALUES ($1, $2, $3, $4, $5)`,
		tenant, id, taskType, body, defaultQueue)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42501" {
			return uuid.Nil, fmt.Errorf("jobs.Enqueue(%s, %s): transaction is not scoped to this tenant: %w", tenant, taskType, err)
		}
		return uuid.Nil, fmt.Errorf("jobs.Enqueue(%s, %s): %w", tenant, taskType, err)
	}
	return id, nil
}
