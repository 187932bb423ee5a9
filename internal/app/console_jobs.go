package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/jobs"
	"github.com/sigess/sigess/internal/tenancy"
)

// handleConsoleJobs registers the handlers of the consoles' jobs.
func (a *App) handleConsoleJobs(w *jobs.Worker) {
	w.Handle(tenancy.TaskProvision, ProvisionHandler(a.Tenants, a.Redis))
}

// ProvisionHandler is the handler of a region's provisioning job
// (tenancy.TaskProvision): it provisions the comuni of the request, which
// must all be of the request's region, and leaves its progress in Redis for
// the console. A request that is invalid stays invalid: it is not retried.
func ProvisionHandler(svc *tenancy.Service, rdb *redis.Client) func(ctx context.Context, j jobs.Job) error {
	return func(ctx context.Context, j jobs.Job) error {
		var req tenancy.ProvisionRequest
		if err := json.Unmarshal(j.Payload, &req); err != nil {
			return fmt.Errorf("app.ProvisionHandler(%s): %w (%w)", j.ID, err, asynq.SkipRetry)
		}
		_, err := svc.RunProvision(ctx, tenancy.ProvisionTracker{RDB: rdb}, j.ID.String(), req)
		if errors.Is(err, derrors.ErrInvalid) {
			return fmt.Errorf("app.ProvisionHandler(%s): %w (%w)", j.ID, err, asynq.SkipRetry)
		}
		if err != nil {
			return fmt.Errorf("app.ProvisionHandler(%s): %w", j.ID, err)
		}
		return nil
	}
}
