package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
)

// Worker runs job handlers on tasks relayed from the outbox.
type Worker struct {
	srv *asynq.Server
	mux *asynq.ServeMux
	m   *Metrics
}

// NewWorker returns a worker that takes tasks from the default queue of the
// Redis at redisOpt and runs up to concurrency of them at once (one per CPU if
// concurrency < 1). m may be nil.
func NewWorker(redisOpt asynq.RedisConnOpt, concurrency int, m *Metrics) *Worker {
	if m == nil {
		m = NewMetrics(nil)
	}
	w := &Worker{mux: asynq.NewServeMux(), m: m}
	w.srv = asynq.NewServer(redisOpt, asynq.Config{
		Concurrency: concurrency,
		Queues:      map[string]int{defaultQueue: 1},
		Logger:      asynqLogger{},
		LogLevel:    asynq.WarnLevel,
	})
	w.mux.Use(w.observe)
	return w
}

// Handle registers fn for jobs of taskType. fn may run more than once for one
// job (retries after an error, Redis losing a task), so it must be idempotent;
// an error makes asynq retry it later, up to 10 times. Handle panics if
// taskType already has a handler.
func (w *Worker) Handle(taskType string, fn func(ctx context.Context, j Job) error) {
	w.mux.HandleFunc(taskType, func(ctx context.Context, t *asynq.Task) error {
		j, err := decodeJob(t)
		if err != nil {
			// A malformed task stays malformed: archive it at once.
			return fmt.Errorf("%w (%w)", err, asynq.SkipRetry)
		}
		return fn(ctx, j)
	})
}

// Run processes jobs until ctx is done, then stops taking tasks and waits for
// running handlers (asynq's shutdown timeout, 8 s) before returning.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.srv.Start(w.mux); err != nil {
		return fmt.Errorf("jobs.Worker.Run: %w", err)
	}
	<-ctx.Done()
	w.srv.Shutdown()
	return nil
}

func decodeJob(t *asynq.Task) (Job, error) {
	var e envelope
	if err := json.Unmarshal(t.Payload(), &e); err != nil {
		return Job{}, fmt.Errorf("jobs: %s task: bad envelope: %w", t.Type(), err)
	}
	if e.ID == uuid.Nil {
		return Job{}, fmt.Errorf("jobs: %s task: envelope without id", t.Type())
	}
	return Job{ID: e.ID, Tenant: e.Tenant, Type: t.Type(), Payload: e.Payload}, nil
}

// observe counts every job by type and result and logs failures with the job
// and its tenant. A panicking handler counts as an error.
func (w *Worker) observe(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("jobs: %s handler panicked: %v\n%s", t.Type(), p, debug.Stack())
			}
			if err == nil {
				w.m.JobsProcessed.WithLabelValues(t.Type(), "ok").Inc()
				return
			}
			w.m.JobsProcessed.WithLabelValues(t.Type(), "error").Inc()
			w.logFailure(ctx, t, err)
		}()
		return next.ProcessTask(ctx, t)
	})
}

func (w *Worker) logFailure(ctx context.Context, t *asynq.Task, err error) {
	var e envelope
	_ = json.Unmarshal(t.Payload(), &e) // best effort: the ids only label the log line
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	attrs := []any{"type", t.Type(), "job", e.ID, "tenant", e.Tenant, "retried", retried, "max_retry", maxRetry, "err", err}
	if retried >= maxRetry || errors.Is(err, asynq.SkipRetry) {
		slog.ErrorContext(ctx, "job failed for good; asynq archived it", attrs...)
		return
	}
	slog.WarnContext(ctx, "job failed; asynq will retry it", attrs...)
}

// asynqLogger sends asynq's own log lines to the default slog logger.
type asynqLogger struct{}

func (asynqLogger) log(level slog.Level, args []any) {
	slog.Default().Log(context.Background(), level, fmt.Sprint(args...), "component", "asynq")
}

func (l asynqLogger) Debug(args ...any) { l.log(slog.LevelDebug, args) }
func (l asynqLogger) Info(args ...any)  { l.log(slog.LevelInfo, args) }
func (l asynqLogger) Warn(args ...any)  { l.log(slog.LevelWarn, args) }
func (l asynqLogger) Error(args ...any) { l.log(slog.LevelError, args) }

// Fatal logs and exits, as asynq's Logger contract requires.
func (l asynqLogger) Fatal(args ...any) {
	l.log(slog.LevelError, args)
	os.Exit(1)
}
