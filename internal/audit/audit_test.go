package audit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

func write(t *testing.T, tenant uuid.UUID, es ...audit.Event) {
	t.Helper()
	err := pg.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		for _, e := range es {
			if err := audit.Write(context.Background(), tx, tenant, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func verify(t *testing.T, tenant uuid.UUID) (int64, error) {
	t.Helper()
	var n int64
	err := pg.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) (err error) {
		n, err = audit.Verify(context.Background(), tx, tenant)
		return err
	})
	return n, err
}

var alice = uuid.MustParse("7d1c1e0a-0000-4000-8000-000000000001")

func sampleEvents() []audit.Event {
	return []audit.Event{
		{Action: "auth.login", ActorID: alice, Actor: "alice@comune.it", ObjectType: "operator", ObjectID: alice.String(),
			IP: "10.1.2.3", Details: map[string]any{"method": "password+totp"}},
		{Action: "auth.login_failed", Actor: "nobody@comune.it", IP: "::ffff:192.0.2.7",
			Details: map[string]any{"reason": "unknown", "nested": map[string]any{"z": 1.5, "a": []any{"x", true}}, "big": 12345678901.0}},
		{Action: "operator.created", ActorID: alice, Actor: "alice@comune.it", ObjectType: "operator", ObjectID: "42",
			IP: "2001:db8::1", Details: map[string]any{"roles": []any{"social_worker"}, "html": "<b>&</b> è"}},
		{Action: "auth.logout", ActorID: alice, Actor: "alice@comune.it", IP: "not an address"},
	}
}

func TestWriteListVerify(t *testing.T) {
	ctx := context.Background()
	tenant := pg.NewTenant(t)
	write(t, tenant, sampleEvents()...)

	if n, err := verify(t, tenant); err != nil || n != 4 {
		t.Fatalf("Verify = %d, %v; want 4, nil", n, err)
	}

	// The events, oldest first, by their seq: seq orders the trail, so the
	// filters' answers are listed by the events' places (1 = the first
	// written).
	list := func(f audit.Filter) []audit.Record {
		t.Helper()
		var rs []audit.Record
		if err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
			rs, err = audit.List(ctx, tx, tenant, f)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return rs
	}
	all := list(audit.Filter{})
	place := map[int64]int{}
	for i, r := range all {
		place[r.Seq] = len(all) - i
	}
	for _, tc := range []struct {
		name   string
		filter audit.Filter
		want   []int
	}{
		{"all newest first", audit.Filter{}, []int{4, 3, 2, 1}},
		{"by actor", audit.Filter{ActorID: alice}, []int{4, 3, 1}},
		{"by action prefix", audit.Filter{ActionPrefix: "auth."}, []int{4, 2, 1}},
		{"by object", audit.Filter{ObjectType: "operator", ObjectID: "42"}, []int{3}},
		{"page", audit.Filter{BeforeSeq: all[0].Seq, Limit: 2}, []int{3, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []int
			for _, r := range list(tc.filter) {
				got = append(got, place[r.Seq])
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
	// One transaction's events chain in one lane, one after the other.
	var lanes, last int64
	if err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(DISTINCT lane), max(lane_seq) FROM audit_events`).Scan(&lanes, &last)
	}); err != nil || lanes != 1 || last != 4 {
		t.Errorf("one transaction's 4 events: %d lanes, last lane_seq %d (%v); want 1 lane, 4", lanes, last, err)
	}

	// Fields come back as written; the IPv4-mapped address is stored as IPv4
	// and a non-address as NULL.
	rs := all
	want := sampleEvents()
	want[1].IP = "192.0.2.7"
	want[3].IP = ""
	want[3].Details = map[string]any{}
	// JSON numbers come back as float64.
	want[1].Details["nested"].(map[string]any)["z"] = 1.5
	var got []audit.Event
	for i := len(rs) - 1; i >= 0; i-- {
		got = append(got, rs[i].Event)
		if rs[i].At.IsZero() {
			t.Errorf("seq %d has no time", rs[i].Seq)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	// Another tenant's trail is its own chain, starting at 1.
	other := pg.NewTenant(t)
	write(t, other, audit.Event{Action: "auth.login"})
	if n, err := verify(t, other); err != nil || n != 1 {
		t.Errorf("other tenant Verify = %d, %v; want 1, nil", n, err)
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		tamper string // run as the owner; $1 = tenant
		wantAt string // where Verify stops: "at <lane_seq>"
	}{
		{"changed actor", `UPDATE audit_events SET actor = 'mallory@comune.it' WHERE tenant_id = $1 AND lane_seq = 2`, "at 2"},
		{"changed details", `UPDATE audit_events SET details = '{"reason": "bad_password"}' WHERE tenant_id = $1 AND lane_seq = 2`, "at 2"},
		{"changed ip", `UPDATE audit_events SET ip = '10.9.9.9' WHERE tenant_id = $1 AND lane_seq = 1`, "at 1"},
		{"changed time", `UPDATE audit_events SET at = at - interval '1 day' WHERE tenant_id = $1 AND lane_seq = 3`, "at 3"},
		{"removed event", `DELETE FROM audit_events WHERE tenant_id = $1 AND lane_seq = 2`, "at 3"},
		{"changed action and rehashed", `UPDATE audit_events SET action = 'auth.logout', hash = sha256(hash) WHERE tenant_id = $1 AND lane_seq = 1`, "at 1"},
		{"moved to another lane", `UPDATE audit_events SET lane = (lane + 1) % 8 WHERE tenant_id = $1 AND lane_seq = 4`, "at 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tenant := pg.NewTenant(t)
			write(t, tenant, sampleEvents()...)
			// The owner is subject to row-level security too (FORCE): it must
			// set the tenant like anyone else.
			tx, err := pg.Admin.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx) //nolint:errcheck
			if _, err := tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenant.String()); err != nil {
				t.Fatal(err)
			}
			tag, err := tx.Exec(ctx, tc.tamper, tenant)
			if err != nil || tag.RowsAffected() != 1 {
				t.Fatalf("tampering: %d rows, %v", tag.RowsAffected(), err)
			}
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			_, err = verify(t, tenant)
			if !errors.Is(err, audit.ErrBroken) || !strings.Contains(err.Error(), " "+tc.wantAt+":") {
				t.Errorf("Verify after tampering: %v; want ErrBroken %s", err, tc.wantAt)
			}
		})
	}
}

func TestConcurrentWritersKeepChainGapless(t *testing.T) {
	ctx := context.Background()
	tenant := pg.NewTenant(t)
	const writers = 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
				return audit.Write(ctx, tx, tenant, audit.Event{Action: "case.updated", ObjectID: fmt.Sprint(i)})
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n, err := verify(t, tenant); err != nil || n != writers {
		t.Fatalf("Verify = %d, %v; want %d, nil", n, err, writers)
	}
	// Every writer's event is there once.
	var ids []string
	if err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rs, err := audit.List(ctx, tx, tenant, audit.Filter{})
		for _, r := range rs {
			ids = append(ids, r.ObjectID)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range writers {
		want = append(want, fmt.Sprint(i))
	}
	if diff := cmp.Diff(want, ids, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("object ids (-want +got):\n%s", diff)
	}
}

// TestLanesLetWritersThrough: while a transaction that wrote an event is
// still open (holding its lane until it commits), another writer of the same
// ente is not kept waiting: it chains in another lane. Both lanes verify.
func TestLanesLetWritersThrough(t *testing.T) {
	// A deadline only so that a regression (the second writer waiting for
	// the first, which waits for the test) fails instead of hanging.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tenant := pg.NewTenant(t)
	first, err := pg.DB.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback(ctx) //nolint:errcheck
	if _, err := first.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenant.String()); err != nil {
		t.Fatal(err)
	}
	if err := audit.Write(ctx, first, tenant, audit.Event{Action: "case.viewed", ObjectID: "first"}); err != nil {
		t.Fatal(err)
	}
	err = pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "case.viewed", ObjectID: "second"})
	})
	if err != nil {
		t.Fatalf("the second writer, while the first is open: %v", err)
	}
	if err := first.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var lanes int
	if err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(DISTINCT lane) FROM audit_events`).Scan(&lanes)
	}); err != nil || lanes != 2 {
		t.Errorf("the two events are in %d lanes (%v); want 2", lanes, err)
	}
	if n, err := verify(t, tenant); err != nil || n != 2 {
		t.Errorf("Verify = %d, %v; want 2, nil", n, err)
	}
}

func TestRuntimeCannotChangeEvents(t *testing.T) {
	ctx := context.Background()
	tenant := pg.NewTenant(t)
	write(t, tenant, sampleEvents()...)
	for _, sql := range []string{
		`UPDATE audit_events SET actor = 'x' WHERE tenant_id = $1`,
		`DELETE FROM audit_events WHERE tenant_id = $1`,
	} {
		err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, sql, tenant)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s as the runtime role: %v; want permission denied", sql, err)
		}
	}
	if n, err := verify(t, tenant); err != nil || n != 4 {
		t.Errorf("Verify = %d, %v; want 4, nil", n, err)
	}
}

func TestConsoleTrails(t *testing.T) {
	ctx := context.Background()
	pg.NewTenant(t) // makes sure region 12 exists
	region := "12"
	// The console trails are shared by the package's tests (and -count runs):
	// count what is there first.
	counts := func() (regionN, platformN int64) {
		t.Helper()
		if err := pg.DB.InRegion(ctx, region, func(tx pgx.Tx) (err error) {
			regionN, err = audit.VerifyConsole(ctx, tx, region)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) (err error) {
			platformN, err = audit.VerifyConsole(ctx, tx, "")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return regionN, platformN
	}
	regionBefore, platformBefore := counts()

	actor := "reg-" + uuid.NewString()[:8] + "@regione.it"
	err := pg.DB.InRegion(ctx, region, func(tx pgx.Tx) error {
		return audit.WriteConsole(ctx, tx, region, audit.Event{Action: "tenant.created", Actor: actor})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		for range 2 {
			if err := audit.WriteConsole(ctx, tx, "", audit.Event{Action: "region.created"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A region cannot write the platform's trail, nor the platform a region's
	// through the wrong scope.
	err = pg.DB.InRegion(ctx, region, func(tx pgx.Tx) error {
		return audit.WriteConsole(ctx, tx, "", audit.Event{Action: "region.created"})
	})
	if err == nil {
		t.Error("a region scope wrote to the platform trail")
	}
	err = pg.DB.InRegion(ctx, "03", func(tx pgx.Tx) error {
		return audit.WriteConsole(ctx, tx, region, audit.Event{Action: "tenant.created"})
	})
	if err == nil {
		t.Error("region 03 wrote to region 12's trail")
	}

	regionAfter, platformAfter := counts()
	if regionAfter-regionBefore != 1 || platformAfter-platformBefore != 2 {
		t.Errorf("region trail grew by %d, platform by %d; want 1 and 2",
			regionAfter-regionBefore, platformAfter-platformBefore)
	}
	var rs []audit.Record
	if err := pg.DB.InRegion(ctx, region, func(tx pgx.Tx) (err error) {
		rs, err = audit.ListConsole(ctx, tx, region, audit.Filter{Limit: 1})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Actor != actor {
		t.Errorf("newest region event = %+v; want the one by %s", rs, actor)
	}
}

func TestWriteRejectsBadAction(t *testing.T) {
	tenant := pg.NewTenant(t)
	err := pg.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		return audit.Write(context.Background(), tx, tenant, audit.Event{Action: "Login"})
	})
	if err == nil {
		t.Error("an action that is not domain.verb was accepted")
	}
}
