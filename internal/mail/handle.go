package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/textproto"

	"github.com/hibiken/asynq"

	"github.com/sigess/sigess/internal/jobs"
)

// Handle returns the worker handler for TaskSend jobs:
//
//	w.Handle(mail.TaskSend, mail.Handle(sender))
//
// The job id becomes the message's ID, so a job run twice overwrites its Dir
// file and repeats its Message-ID. A payload that does not decode, or a relay
// refusing the message for good (5xx), is not retried.
func Handle(s Sender) func(ctx context.Context, j jobs.Job) error {
	return func(ctx context.Context, j jobs.Job) error {
		var m Message
		if err := json.Unmarshal(j.Payload, &m); err != nil {
			return fmt.Errorf("mail.Handle(%s): payload: %w (%w)", j.ID, err, asynq.SkipRetry)
		}
		m.ID = j.ID.String()
		if err := s.Send(ctx, m); err != nil {
			var perm *textproto.Error
			if errors.As(err, &perm) && perm.Code >= 500 {
				return fmt.Errorf("mail.Handle(%s): %w (%w)", j.ID, err, asynq.SkipRetry)
			}
			return fmt.Errorf("mail.Handle(%s): %w", j.ID, err)
		}
		return nil
	}
}
