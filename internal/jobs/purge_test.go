package jobs_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
)

// TestPurgeSent: the hourly purge deletes the outbox rows sent more than 7
// days ago, of every ente, and keeps those sent since and those not sent.
func TestPurgeSent(t *testing.T) {
	ctx := context.Background()
	a, b := pg.NewTenant(t), pg.NewTenant(t)
	old, recent, pending, otherOld := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	for _, r := range []struct {
		tenant, id uuid.UUID
		sent       string // SQL
	}{
		{a, old, "now() - interval '8 days'"},
		{a, recent, "now() - interval '6 days'"},
		{a, pending, "NULL"},
		{b, otherOld, "now() - interval '30 days'"},
	} {
		pg.Exec(t, r.tenant, `INSERT INTO outbox (tenant_id, id, task_type, sent_at) VALUES ($1, $2, 'mail:send', `+r.sent+`)`, r.tenant, r.id)
	}
	// The relay tests count the rows they relay: leave none behind.
	t.Cleanup(func() {
		err := pg.DB.Transact(ctx, db.Scope{OutboxRelay: true}, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `DELETE FROM outbox WHERE id = ANY($1)`, []uuid.UUID{old, recent, pending, otherOld})
			return err
		})
		if err != nil {
			t.Error(err)
		}
	})
	relay := newRig(t, nil).relay
	n, err := relay.PurgeSent(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Other tests' rows are sent just now: only these two are old enough.
	if n != 2 {
		t.Errorf("purged %d rows; want 2", n)
	}
	var left []uuid.UUID
	err = pg.DB.Transact(ctx, db.Scope{OutboxRelay: true}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM outbox WHERE id = ANY($1) ORDER BY sent_at NULLS LAST`, []uuid.UUID{old, recent, pending, otherOld})
		if err != nil {
			return err
		}
		left, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 2 || left[0] != recent || left[1] != pending {
		t.Errorf("left %v; want the recent %s and the pending %s", left, recent, pending)
	}
}
