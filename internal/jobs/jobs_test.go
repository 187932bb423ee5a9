package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/jobs"
	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

var tenantSeq atomic.Int32

// newTenant registers a comune in Lazio. Rows it leaves pending are marked sent
// when the test ends, so that no other test's relay picks them up.
func newTenant(t *testing.T) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	n := tenantSeq.Add(1)
	var id uuid.UUID
	err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO regions (code, slug, name) VALUES ('12', 'lazio', 'Lazio')
			ON CONFLICT DO NOTHING`); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO tenants (slug, name, kind, istat_code, belfiore_code, region_code)
			VALUES ($1, $2, 'comune', $3, 'H501', '12') RETURNING id`,
			fmt.Sprintf("comune-%d", n), fmt.Sprintf("Comune di prova %d", n), fmt.Sprintf("%06d", 58090+n)).Scan(&id)
	})
	if err != nil {
		t.Fatalf("newTenant: %v", err)
	}
	t.Cleanup(func() {
		err := pg.DB.InTenant(ctx, id, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL`)
			return err
		})
		if err != nil {
			t.Errorf("newTenant cleanup: %v", err)
		}
	})
	return id
}

// enqueue writes one job for tenant in the tenant's own transaction.
func enqueue(t *testing.T, tenant uuid.UUID, taskType string, payload any) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	var id uuid.UUID
	err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		id, err = jobs.Enqueue(ctx, tx, tenant, taskType, payload)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// outboxState is what the outbox says about one row.
type outboxState struct {
	sentAt    *time.Time
	attempts  int
	lastError string
}

func readOutbox(t *testing.T, tenant, id uuid.UUID) outboxState {
	t.Helper()
	ctx := context.Background()
	var s outboxState
	err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT sent_at, attempts, last_error FROM outbox WHERE tenant_id = $1 AND id = $2`,
			tenant, id).Scan(&s.sentAt, &s.attempts, &s.lastError)
	})
	if err != nil {
		t.Fatalf("readOutbox(%s): %v", id, err)
	}
	return s
}

// waitFor polls cond until it holds, failing the test after 15 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rig is a private Redis with a worker, a relay and an inspector on it.
type rig struct {
	redis     *testenv.Redis
	opt       asynq.RedisConnOpt
	metrics   *jobs.Metrics
	worker    *jobs.Worker
	relay     *jobs.Relay
	inspector *asynq.Inspector
}

func newRig(t *testing.T, m *jobs.Metrics) *rig {
	t.Helper()
	r := &rig{redis: testenv.StartRedis(t), metrics: m}
	opt, err := asynq.ParseRedisURI(r.redis.URL)
	if err != nil {
		t.Fatal(err)
	}
	r.opt = opt
	r.worker = jobs.NewWorker(opt, 10, m)
	r.relay = r.newRelay(t, m)
	r.inspector = asynq.NewInspector(opt)
	t.Cleanup(func() { r.inspector.Close() })
	return r
}

func (r *rig) newRelay(t *testing.T, m *jobs.Metrics) *jobs.Relay {
	client := asynq.NewClient(r.opt)
	t.Cleanup(func() { client.Close() })
	return jobs.NewRelay(pg.DB, client, m)
}

// start runs the worker until the test ends; register handlers first.
func (r *rig) start(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.worker.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Worker.Run: %v", err)
		}
	})
}

// queueSettled reports whether asynq has completed n tasks and holds no other
// task (pending, active, scheduled, retrying or archived): nothing more will run.
func (r *rig) queueSettled(t *testing.T, n int) bool {
	t.Helper()
	qi, err := r.inspector.GetQueueInfo("default")
	if err != nil {
		t.Fatal(err)
	}
	// Size counts completed tasks too, whatever its doc says.
	others := qi.Pending + qi.Active + qi.Scheduled + qi.Retry + qi.Archived + qi.Aggregating
	return qi.Completed == n && others == 0
}

func TestEnqueueIsConfinedToTheTransactionTenant(t *testing.T) {
	ctx := context.Background()
	a, b := newTenant(t), newTenant(t)
	for _, tc := range []struct {
		name   string
		scope  db.Scope
		tenant uuid.UUID
		ok     bool
	}{
		{"own tenant", db.Scope{Tenant: a}, a, true},
		{"another tenant", db.Scope{Tenant: a}, b, false},
		{"platform scope", db.Scope{Platform: true}, b, false},
		{"no scope", db.Scope{}, b, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var id uuid.UUID
			err := pg.DB.Transact(ctx, tc.scope, func(tx pgx.Tx) (err error) {
				id, err = jobs.Enqueue(ctx, tx, tc.tenant, "test:confined", map[string]int{"n": 1})
				return err
			})
			if tc.ok {
				if err != nil {
					t.Fatalf("Enqueue: %v", err)
				}
				if s := readOutbox(t, tc.tenant, id); s.sentAt != nil || s.attempts != 0 {
					t.Errorf("new row: %+v, want pending with no attempts", s)
				}
				return
			}
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
				t.Fatalf("Enqueue for %s under %+v: err %v, want a row-level security refusal", tc.tenant, tc.scope, err)
			}
		})
	}
	var n int
	err := pg.DB.InTenant(ctx, b, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM outbox`).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("tenant B has %d outbox rows, want 0", n)
	}
}
