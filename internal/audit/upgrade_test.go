package audit_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/testenv"
)

// TestLanesOverEarlierTrail: events written with one chain per ente (before
// migration 0019) stay verifiable as lane 0, and the first events written
// after it follow them in seq instead of colliding with their numbers.
func TestLanesOverEarlierTrail(t *testing.T) {
	ctx := context.Background()
	pg, err := testenv.NewPostgresAt(ctx, 18)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	tenant := pg.NewTenant(t)
	// Three events as the one-chain writer stored them: seq 1, 2, 3, each
	// hashed over the one before.
	at := time.Date(2026, 11, 20, 9, 0, 0, 123456000, time.UTC)
	prev := audit.Genesis
	err = pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		for seq := int64(1); seq <= 3; seq++ {
			when := at.Add(time.Duration(seq) * time.Second)
			hash := audit.OneChainHash(prev, tenant, seq, when, "alice@comune.it", "case.viewed", "case", "42")
			if _, err := tx.Exec(ctx, `INSERT INTO audit_events (tenant_id, seq, at, actor, action, object_type, object_id, details, prev_hash, hash)
				VALUES ($1, $2, $3, 'alice@comune.it', 'case.viewed', 'case', '42', '{}', $4, $5)`, tenant, seq, when, prev, hash); err != nil {
				return err
			}
			prev = hash
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	if err := pg.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	err = pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "case.viewed", Actor: "bob@comune.it"})
	})
	if err != nil {
		t.Fatalf("the first event after the migration: %v", err)
	}
	var (
		n  int64
		rs []audit.Record
	)
	err = pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		if n, err = audit.Verify(ctx, tx, tenant); err != nil {
			return err
		}
		rs, err = audit.List(ctx, tx, tenant, audit.Filter{})
		return err
	})
	if err != nil || n != 4 {
		t.Fatalf("Verify = %d, %v; want 4 events, intact", n, err)
	}
	if len(rs) != 4 || rs[0].Actor != "bob@comune.it" || rs[0].Seq <= 3 || rs[3].Seq != 1 {
		t.Errorf("the trail, newest first: %+v", rs)
	}
}
