package identity

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

func TestLogin(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	a, b := pg.NewTenant(t), pg.NewTenant(t)
	alice := e.member(t, a, "Alice", "social_worker")
	bob := e.member(t, b, "Bob", "social_worker")
	carol := e.member(t, a, "Carol", "coordinator")
	if err := e.UpdateMember(ctx, a, carol.ID, MemberUpdate{Name: "Carol", Roles: carol.Roles, Status: "disabled"}, admin); err != nil {
		t.Fatal(err)
	}
	c := Client{IP: "198.51.100.7", UserAgent: "Firefox"}

	for _, tc := range []struct {
		name, email, password string
		wantErr               error
		wantReason            string // audit in A's trail
	}{
		{"right password", alice.Email, goodPassword, nil, ""},
		{"e-mail in capitals", "  " + strings.ToUpper(alice.Email), goodPassword, nil, ""},
		{"wrong password", alice.Email, "not-the-password", ErrBadCredentials, "bad_password"},
		{"unknown e-mail", uniqueEmail("nobody"), goodPassword, ErrBadCredentials, "unknown"},
		{"member of another ente", bob.Email, goodPassword, ErrBadCredentials, "unknown"},
		{"disabled membership", carol.Email, goodPassword, ErrBadCredentials, "disabled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op, err := e.Login(ctx, db.Scope{Tenant: a}, tc.email, tc.password, c)
			if tc.wantErr == nil {
				if err != nil || op.ID != alice.ID {
					t.Fatalf("Login = %v, %v; want Alice", op, err)
				}
				return
			}
			wantErr(t, "Login", err, tc.wantErr)
			if !errors.Is(err, derrors.ErrForbidden) {
				t.Errorf("Login error %v is not ErrForbidden", err)
			}
			if op != nil {
				t.Errorf("Login returned %v with an error", op)
			}
			ev := lastEvent(t, a)
			if ev.Action != "auth.login_failed" || ev.Details["reason"] != tc.wantReason || ev.IP != c.IP ||
				ev.Actor != strings.ToLower(strings.TrimSpace(tc.email)) || ev.Details["user_agent"] != "Firefox" {
				t.Errorf("audit event = %+v; want auth.login_failed, reason %s", ev, tc.wantReason)
			}
		})
	}

	// The unknown e-mail and the wrong password read the same to the user.
	_, errUnknown := e.Login(ctx, db.Scope{Tenant: a}, uniqueEmail("nobody"), goodPassword, Client{IP: "198.51.100.8"})
	_, errWrong := e.Login(ctx, db.Scope{Tenant: a}, alice.Email, "not-the-password", Client{IP: "198.51.100.8"})
	msg := func(err error) string { s := err.Error(); return s[strings.Index(s, "): ")+3:] }
	if msg(errUnknown) != msg(errWrong) {
		t.Errorf("unknown e-mail says %q, wrong password %q; want the same", msg(errUnknown), msg(errWrong))
	}

	// Bob logs in at his own ente, not at A.
	if _, err := e.Login(ctx, db.Scope{Tenant: b}, bob.Email, goodPassword, c); err != nil {
		t.Errorf("Bob at B: %v", err)
	}
	// Nobody of an ente logs in to the platform or a region.
	for _, scope := range []db.Scope{{Platform: true}, {Region: "12"}} {
		if _, err := e.Login(ctx, scope, alice.Email, goodPassword, c); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("Alice at %s: %v; want ErrBadCredentials", scopeKey(scope), err)
		}
	}
}

func TestLoginRehashesOldParameters(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	a := pg.NewTenant(t)
	alice := e.member(t, a, "Alice")
	stronger := newEnv(t, Limits{})
	stronger.argon = ArgonParams{MemoryKiB: 128, Time: 2, Threads: 1}
	if _, err := stronger.Login(ctx, db.Scope{Tenant: a}, alice.Email, goodPassword, Client{}); err != nil {
		t.Fatal(err)
	}
	var hash string
	asOwner(t, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT password_hash FROM operators WHERE id = $1`, alice.ID).Scan(&hash)
	})
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=128,t=2,p=1$") {
		t.Errorf("hash after login with new parameters = %s; want rehashed with m=128,t=2", hash)
	}
	if _, err := e.Login(ctx, db.Scope{Tenant: a}, alice.Email, goodPassword, Client{}); err != nil {
		t.Errorf("login after rehash: %v", err)
	}
}

func TestLockout(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	a, b := pg.NewTenant(t), pg.NewTenant(t)
	alice := e.member(t, a, "Alice")
	if _, err := e.Create(ctx, b, NewOperator{Email: alice.Email, Name: "Alice"}, admin); err != nil {
		t.Fatal(err)
	}
	scope := db.Scope{Tenant: a}
	c := Client{IP: "203.0.113.9"}
	for i := 1; i <= 4; i++ {
		_, err := e.Login(ctx, scope, alice.Email, "wrong-password-"+string(rune('a'+i)), c)
		wantErr(t, "failure", err, ErrBadCredentials)
	}
	_, err := e.Login(ctx, scope, alice.Email, "wrong-password-e", c)
	var lock *LockedError
	if !errors.As(err, &lock) || !errors.Is(err, ErrLocked) || !errors.Is(err, derrors.ErrForbidden) {
		t.Fatalf("5th failure: %v; want *LockedError", err)
	}
	if d := lock.Until.Sub(e.clock.Now()); d < 14*time.Minute || d > 15*time.Minute {
		t.Errorf("locked for %v; want 15 minutes", d)
	}
	// Even the right password is refused now, and the lockout is audited once.
	_, err = e.Login(ctx, scope, alice.Email, goodPassword, c)
	wantErr(t, "right password while locked", err, ErrLocked)
	want := []string{"operator.created", "auth.login_failed:bad_password", "auth.login_failed:bad_password",
		"auth.login_failed:bad_password", "auth.login_failed:bad_password", "auth.login_failed:bad_password",
		"auth.lockout", "auth.login_failed:locked"}
	if diff := cmp.Diff(want, trail(t, scope)); diff != "" {
		t.Errorf("audit trail (-want +got):\n%s", diff)
	}
	// The lockout is per ente: at B Alice still logs in.
	if _, err := e.Login(ctx, db.Scope{Tenant: b}, alice.Email, goodPassword, c); err != nil {
		t.Errorf("login at B while locked at A: %v", err)
	}

	// Unknown e-mails lock the same way, so the lockout reveals nothing.
	ghost := uniqueEmail("ghost")
	for range 4 {
		e.Login(ctx, scope, ghost, "x", c) //nolint:errcheck
	}
	_, err = e.Login(ctx, scope, ghost, "x", c)
	wantErr(t, "5th failure of an unknown e-mail", err, ErrLocked)
}

func TestIPRateLimit(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{IPAttempts: 3})
	a := pg.NewTenant(t)
	alice := e.member(t, a, "Alice")
	scope := db.Scope{Tenant: a}
	c := Client{IP: "203.0.113.50"}
	for i := range 3 {
		if _, err := e.Login(ctx, scope, uniqueEmail("x"), "x", c); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	_, err := e.Login(ctx, scope, alice.Email, goodPassword, c)
	wantErr(t, "4th attempt from the same address", err, ErrRateLimited)
	if ev := lastEvent(t, a); ev.Details["reason"] != "rate_limited" {
		t.Errorf("last event %+v; want reason rate_limited", ev)
	}
	if _, err := e.Login(ctx, scope, alice.Email, goodPassword, Client{IP: "203.0.113.51"}); err != nil {
		t.Errorf("another address: %v", err)
	}
}

func TestRecordLogin(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	a := pg.NewTenant(t)
	alice := e.member(t, a, "Alice")
	scope := db.Scope{Tenant: a}
	for range 4 {
		e.Login(ctx, scope, alice.Email, "wrong", Client{}) //nolint:errcheck
	}
	if err := e.RecordLogin(ctx, scope, alice.ID, "password+totp", Client{IP: "192.0.2.4"}); err != nil {
		t.Fatal(err)
	}
	ev := lastEvent(t, a)
	if ev.Action != "auth.login" || ev.Details["method"] != "password+totp" || ev.ActorID != alice.ID {
		t.Errorf("event %+v; want auth.login by Alice with method password+totp", ev)
	}
	// The failure count was cleared: four more failures do not lock.
	for range 4 {
		_, err := e.Login(ctx, scope, alice.Email, "wrong", Client{})
		wantErr(t, "failure after a login", err, ErrBadCredentials)
	}
	if err := e.RecordLogin(ctx, scope, alice.ID, "magic", Client{}); err == nil {
		t.Error("unknown method accepted")
	}
}

func TestRecord(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	a := pg.NewTenant(t)
	for _, scope := range []db.Scope{{Tenant: a}, {Region: "12"}, {Platform: true}} {
		if err := e.Record(ctx, scope, clientEvent("auth.logout", nil, "x@y.it", Client{}, nil)); err != nil {
			t.Errorf("Record(%s): %v", scopeKey(scope), err)
		}
		if got := trail(t, scope); len(got) == 0 || got[len(got)-1] != "auth.logout" {
			t.Errorf("trail of %s ends with %v; want auth.logout", scopeKey(scope), got)
		}
	}
	if err := e.Record(ctx, db.Scope{Tenant: a, Platform: true}, clientEvent("auth.logout", nil, "", Client{}, nil)); err == nil {
		t.Error("Record accepted a scope that is two at once")
	}
}

func TestMFAMandatory(t *testing.T) {
	for _, tc := range []struct {
		roles  []string
		forAll bool
		want   bool
	}{
		{[]string{"social_worker"}, false, false},
		{[]string{"social_worker"}, true, true},
		{[]string{"coordinator", "tenant_admin"}, false, true},
		{[]string{"region_admin"}, false, true},
		{[]string{"region_analyst"}, false, false},
		{[]string{"platform_admin"}, false, true},
		{nil, false, false},
	} {
		if got := MFAMandatory(tc.roles, tc.forAll); got != tc.want {
			t.Errorf("MFAMandatory(%v, %v) = %v; want %v", tc.roles, tc.forAll, got, tc.want)
		}
	}
}
