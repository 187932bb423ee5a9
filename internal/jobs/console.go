package jobs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
)

// Console enqueues the consoles' jobs (a region provisioning a province) straight
// to asynq. They belong to no ente, so they have no outbox; the console asks
// for them in a request that writes nothing else, and an enqueue that fails is
// an error shown to the admin, who can ask again.
type Console struct {
	Client *asynq.Client
}

// EnqueueConsole enqueues a job of taskType and returns its id. Its handler
// receives a Job with no Tenant.
func (c Console) EnqueueConsole(ctx context.Context, taskType string, payload json.RawMessage) (string, error) {
	id := uuid.New()
	body, err := json.Marshal(envelope{ID: id, Payload: payload})
	if err != nil {
		return "", fmt.Errorf("jobs.EnqueueConsole(%s): %w", taskType, err)
	}
	_, err = c.Client.EnqueueContext(ctx, asynq.NewTask(taskType, body), asynq.TaskID(id.String()),
		asynq.Queue(defaultQueue), asynq.Retention(taskRetention), asynq.MaxRetry(taskMaxRetry))
	if err != nil {
		return "", fmt.Errorf("jobs.EnqueueConsole(%s): %w", taskType, err)
	}
	return id.String(), nil
}
