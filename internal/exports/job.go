package exports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/sigess/sigess/internal/jobs"
)

// Handle is the worker's handler of TaskRun. An export that no longer exists
// (or a payload that cannot be read) is not retried.
func Handle(s *Service) func(ctx context.Context, j jobs.Job) error {
	return func(ctx context.Context, j jobs.Job) error {
		var p RunPayload
		if err := json.Unmarshal(j.Payload, &p); err != nil {
			return fmt.Errorf("exports.Handle(%s): %w (%w)", j.ID, err, asynq.SkipRetry)
		}
		err := s.Run(ctx, j.Tenant, p.ExportID)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("exports.Handle(%s): %w (%w)", j.ID, err, asynq.SkipRetry)
		}
		return err
	}
}
