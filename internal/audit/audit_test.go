package audit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

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

	for _, tc := range []struct {
		name   string
		filter audit.Filter
		want   []int64
	}{
		{"all newest first", audit.Filter{}, []int64{4, 3, 2, 1}},
		{"by actor", audit.Filter{ActorID: alice}, []int64{4, 3, 1}},
		{"by action prefix", audit.Filter{ActionPrefix: "auth."}, []int64{4, 2, 1}},
		{"by object", audit.Filter{ObjectType: "operator", ObjectID: "42"}, []int64{3}},
		{"page", audit.Filter{BeforeSeq: 4, Limit: 2}, []int64{3, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rs []audit.Record
			err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
				rs, err = audit.List(ctx, tx, tenant, tc.filter)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range rs {
				got = append(got, r.Seq)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("seqs (-want +got):\n%s", diff)
			}
		})
	}

	// Fields come back as written; the IPv4-mapped address is stored as IPv4
	// and a non-address as NULL.
	var rs []audit.Record
	if err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		rs, err = audit.List(ctx, tx, tenant, audit.Filter{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
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
		name    string
		tamper  string // run as the owner; $1 = tenant
		wantSeq string
	}{
		{"changed actor", `UPDATE audit_events SET actor = 'mallory@comune.it' WHERE tenant_id = $1 AND seq = 2`, "seq 2"},
		{"changed details", `UPDATE audit_events SET details = '{"reason": "bad_password"}' WHERE tenant_id = $1 AND seq = 2`, "seq 2"},
		{"changed ip", `UPDATE audit_events SET ip = '10.9.9.9' WHERE tenant_id = $1 AND seq = 1`, "seq 1"},
		{"changed time", `UPDATE audit_events SET at = at - interval '1 day' WHERE tenant_id = $1 AND seq = 3`, "seq 3"},
		{"removed event", `DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 2`, "seq 3"},
		{"changed action and rehashed", `UPDATE audit_events SET action = 'auth.logout', hash = sha256(hash) WHERE tenant_id = $1 AND seq = 1`, "seq 1"},
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
			if !errors.Is(err, audit.ErrBroken) || !strings.Contains(err.Error(), tc.wantSeq+":") {
				t.Errorf("Verify after tampering: %v; want ErrBroken at %s", err, tc.wantSeq)
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
	if len(rs) != 1 || rs[0].Actor != actor || rs[0].Seq != regionAfter {
		t.Errorf("newest region event = %+v; want seq %d by %s", rs, regionAfter, actor)
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
