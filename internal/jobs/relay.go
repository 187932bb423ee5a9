package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
)

const (
	// relayBatch is how many rows one RelayOnce moves, so that one transaction
	// holds its row locks briefly.
	relayBatch = 100
	// taskRetention keeps a finished task's id in Redis for a day, during which
	// asynq refuses a second task with the same id: a row relayed twice runs once.
	taskRetention = 24 * time.Hour
	// taskMaxRetry is how often asynq retries a failing handler before archiving
	// the task.
	taskMaxRetry = 10
	// sentKept is how long sent rows stay in the outbox, to answer "was it sent?".
	sentKept = 7 * 24 * time.Hour
	// purgeEvery is how often Run deletes sent rows older than sentKept.
	purgeEvery = time.Hour
	// lastErrorMax bounds outbox.last_error.
	lastErrorMax = 1000
)

// Relay moves outbox rows to asynq. Several relays may run at once, in one
// process or many: each takes the rows the others have not locked.
type Relay struct {
	db     *db.DB
	client *asynq.Client
	m      *Metrics
}

// NewRelay returns a relay that reads the outbox through d and enqueues with
// client. m may be nil.
func NewRelay(d *db.DB, client *asynq.Client, m *Metrics) *Relay {
	if m == nil {
		m = NewMetrics(nil)
	}
	return &Relay{db: d, client: client, m: m}
}

type outboxRow struct {
	tenant   uuid.UUID
	id       uuid.UUID
	taskType string
	payload  []byte
	queue    string
}

// RelayOnce enqueues up to 100 pending rows, oldest first, and marks them sent,
// all in one transaction. A row is marked sent only once asynq holds its task
// (or already held it, when an earlier relay enqueued it but did not commit).
// On any other enqueue error, such as Redis being down, the row's attempts and
// last_error are updated, the rows marked so far are committed and the error is
// returned with their number: the row stays pending for the next round.
func (r *Relay) RelayOnce(ctx context.Context) (sent int, err error) {
	var enqueueErr error
	err = r.db.Transact(ctx, db.Scope{OutboxRelay: true}, func(tx pgx.Tx) error {
		sent, enqueueErr = 0, nil // Transact may run this again
		rows, err := tx.Query(ctx, `SELECT tenant_id, id, task_type, payload, queue FROM outbox
			WHERE sent_at IS NULL ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`, relayBatch)
		if err != nil {
			return err
		}
		pending, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (o outboxRow, err error) {
			err = row.Scan(&o.tenant, &o.id, &o.taskType, &o.payload, &o.queue)
			return o, err
		})
		if err != nil {
			return err
		}
		var tenants, ids []uuid.UUID
		for _, o := range pending {
			if err := r.enqueue(ctx, o); err != nil {
				enqueueErr = fmt.Errorf("jobs.Relay.RelayOnce: enqueue %s %s: %w", o.taskType, o.id, err)
				msg := err.Error()
				if len(msg) > lastErrorMax {
					msg = strings.ToValidUTF8(msg[:lastErrorMax], "")
				}
				if _, err := tx.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $3
					WHERE tenant_id = $1 AND id = $2`, o.tenant, o.id, msg); err != nil {
					return err
				}
				break
			}
			tenants = append(tenants, o.tenant)
			ids = append(ids, o.id)
		}
		if len(ids) == 0 {
			return nil
		}
		tag, err := tx.Exec(ctx, `UPDATE outbox SET sent_at = now()
			FROM unnest($1::uuid[], $2::uuid[]) AS s (tenant_id, id)
			WHERE outbox.tenant_id = s.tenant_id AND outbox.id = s.id`, tenants, ids)
		if err != nil {
			return err
		}
		sent = int(tag.RowsAffected())
		return nil
	})
	if err != nil {
		// Tasks enqueued in this round stay pending in the outbox; the next
		// round finds them already in asynq and only marks them.
		r.m.OutboxRelayErrors.Inc()
		return 0, fmt.Errorf("jobs.Relay.RelayOnce: %w", err)
	}
	r.m.OutboxRelayed.Add(float64(sent))
	if enqueueErr != nil {
		r.m.OutboxRelayErrors.Inc()
		return sent, enqueueErr
	}
	return sent, nil
}

// enqueue hands one row to asynq; a task id conflict means an earlier relay
// enqueued it already, which is success.
func (r *Relay) enqueue(ctx context.Context, o outboxRow) error {
	body, err := json.Marshal(envelope{Tenant: o.tenant, ID: o.id, Payload: o.payload})
	if err != nil {
		return err
	}
	task := asynq.NewTask(o.taskType, body)
	_, err = r.client.EnqueueContext(ctx, task, asynq.TaskID(o.id.String()), asynq.Queue(o.queue),
		asynq.Retention(taskRetention), asynq.MaxRetry(taskMaxRetry))
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		relayLog().InfoContext(ctx, "outbox row was already enqueued; marking it sent",
			"job", o.id, "tenant", o.tenant, "type", o.taskType)
		return nil
	}
	return err
}

// Pending returns the number of outbox rows not yet sent, across tenants.
func (r *Relay) Pending(ctx context.Context) (int, error) {
	var n int
	err := r.db.Transact(ctx, db.Scope{OutboxRelay: true}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("jobs.Relay.Pending: %w", err)
	}
	return n, nil
}

// purgeSent deletes rows sent more than sentKept ago.
func (r *Relay) purgeSent(ctx context.Context) (int64, error) {
	var n int64
	err := r.db.Transact(ctx, db.Scope{OutboxRelay: true}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => $1)`,
			sentKept.Seconds())
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("jobs.Relay.purgeSent: %w", err)
	}
	return n, nil
}

// Run relays every interval until ctx is done, at once again after a full
// batch. While relaying fails (Redis or PostgreSQL down) it logs the first
// failure and the recovery, not every round. Once an hour it deletes rows sent
// more than 7 days ago.
func (r *Relay) Run(ctx context.Context, interval time.Duration) {
	log := relayLog()
	var (
		failingSince time.Time
		failures     int
		lastPurge    time.Time
	)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		sent, err := r.RelayOnce(ctx)
		// The gauge matters most while relaying fails: it shows work piling up.
		if pending, perr := r.Pending(ctx); perr == nil {
			r.m.OutboxPending.Set(float64(pending))
		} else if err == nil {
			err = perr
		}
		if ctx.Err() != nil {
			return
		}
		switch {
		case err != nil && failingSince.IsZero():
			failingSince, failures = time.Now(), 1
			log.Error("outbox relay failed; retrying quietly until it recovers", "err", err)
		case err != nil:
			failures++
			log.Debug("outbox relay still failing", "failures", failures, "err", err)
		case !failingSince.IsZero():
			log.Info("outbox relay recovered", "after", time.Since(failingSince).Round(time.Second), "failures", failures)
			failingSince, failures = time.Time{}, 0
		}
		if err == nil && time.Since(lastPurge) >= purgeEvery {
			lastPurge = time.Now()
			if n, err := r.purgeSent(ctx); err != nil {
				log.Warn("could not delete old sent outbox rows", "err", err)
			} else if n > 0 {
				log.Info("deleted old sent outbox rows", "rows", n)
			}
		}
		next := interval
		if err == nil && sent == relayBatch {
			next = 0
		}
		timer.Reset(next)
	}
}

func relayLog() *slog.Logger { return slog.Default().With("component", "outbox-relay") }
