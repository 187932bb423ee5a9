package identity

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pquerna/otp/totp"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

const seedSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totpOpts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestVerifyTOTP(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	e.clock.t = time.Date(2026, 3, 2, 9, 0, 10, 0, time.UTC) // 10 s into a step
	a := pg.NewTenant(t)
	email := uniqueEmail("totp")
	if _, err := e.Seed(ctx, SeedOperator{Tenant: a, Email: email, Name: "Tina", Password: goodPassword,
		TOTPSecret: seedSecret, Roles: []string{"tenant_admin"}}); err != nil {
		t.Fatal(err)
	}
	op, err := e.Login(ctx, db.Scope{Tenant: a}, email, goodPassword, Client{})
	if err != nil || !op.MFAEnabled {
		t.Fatalf("Login = %+v, %v; want MFA enabled", op, err)
	}
	scope := db.Scope{Tenant: a}
	now := e.clock.Now()
	for _, tc := range []struct {
		name string
		code string
		want error
	}{
		{"previous step (skew)", code(t, seedSecret, now.Add(-30*time.Second)), nil},
		{"current step", code(t, seedSecret, now), nil},
		{"current step replayed", code(t, seedSecret, now), ErrBadCode},
		{"previous step after current was used", code(t, seedSecret, now.Add(-30*time.Second)), ErrBadCode},
		{"two steps ahead", code(t, seedSecret, now.Add(60*time.Second)), ErrBadCode},
		{"next step (skew)", code(t, seedSecret, now.Add(30*time.Second)), nil},
		{"garbage", "12ab", ErrBadCode},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.VerifyTOTP(ctx, scope, op.ID, tc.code, Client{})
			if tc.want == nil && err != nil {
				t.Errorf("VerifyTOTP: %v; want success", err)
			}
			if tc.want != nil {
				wantErr(t, "VerifyTOTP", err, tc.want)
			}
		})
	}
	// Four failures so far: the fifth locks the account.
	err = e.VerifyTOTP(ctx, scope, op.ID, "000000", Client{})
	wantErr(t, "5th bad code", err, ErrLocked)
	err = e.VerifyTOTP(ctx, scope, op.ID, code(t, seedSecret, now.Add(90*time.Second)), Client{})
	wantErr(t, "good code while locked", err, ErrLocked)
	got := trail(t, scope)
	if n := strings.Count(strings.Join(got, " "), "auth.login_failed:bad_code"); n != 5 || !strings.Contains(strings.Join(got, " "), "auth.lockout") {
		t.Errorf("trail %v; want 5 bad_code failures and a lockout", got)
	}

	// Another ente's scope cannot check this operator's codes.
	b := pg.NewTenant(t)
	err = e.VerifyTOTP(ctx, db.Scope{Tenant: b}, op.ID, code(t, seedSecret, now.Add(120*time.Second)), Client{})
	wantErr(t, "VerifyTOTP from another ente", err, ErrBadCredentials)
}

func TestEnrollmentAndRecoveryCodes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	a := pg.NewTenant(t)
	scope := db.Scope{Tenant: a}
	alice := e.member(t, a, "Alice", "tenant_admin")

	secret, uri, err := e.StartEnrollment(ctx, alice.ID, "SIGeSS", alice.Email)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(uri, "otpauth://totp/SIGeSS:") || !strings.Contains(uri, "secret="+secret) {
		t.Errorf("uri = %s", uri)
	}
	_, err = e.ConfirmEnrollment(ctx, scope, alice.ID, "000000", Client{})
	wantErr(t, "confirm with a wrong code", err, ErrBadCode)
	if op, _ := e.Get(ctx, scope, alice.ID); op.MFAEnabled {
		t.Fatal("MFA enabled by a wrong code")
	}
	codes, err := e.ConfirmEnrollment(ctx, scope, alice.ID, code(t, secret, e.clock.Now()), Client{})
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != RecoveryCodes || len(codes[0]) != 9 || codes[0][4] != '-' {
		t.Fatalf("recovery codes = %v; want 10 like ab3f-9k2m", codes)
	}
	if op, _ := e.Get(ctx, scope, alice.ID); !op.MFAEnabled {
		t.Fatal("MFA not enabled after confirmation")
	}
	// The confirmed secret works (the enrolment's code was spent).
	if err := e.VerifyTOTP(ctx, scope, alice.ID, code(t, secret, e.clock.Now().Add(30*time.Second)), Client{}); err != nil {
		t.Errorf("VerifyTOTP after enrolment: %v", err)
	}

	// A recovery code works once, whatever the case and dashes.
	typed := strings.ToUpper(strings.ReplaceAll(codes[3], "-", ""))
	if err := e.UseRecoveryCode(ctx, scope, alice.ID, typed, Client{}); err != nil {
		t.Fatalf("first use of a recovery code: %v", err)
	}
	wantErr(t, "second use", e.UseRecoveryCode(ctx, scope, alice.ID, codes[3], Client{}), ErrBadCode)
	wantErr(t, "made-up code", e.UseRecoveryCode(ctx, scope, alice.ID, "aaaa-bbbb", Client{}), ErrBadCode)
	if err := e.UseRecoveryCode(ctx, scope, alice.ID, codes[4], Client{}); err != nil {
		t.Errorf("another code: %v", err)
	}
	// Logged in: the failures so far no longer count toward a lockout.
	if err := e.RecordLogin(ctx, scope, alice.ID, "recovery_code", Client{}); err != nil {
		t.Fatal(err)
	}

	fresh, err := e.RegenerateRecoveryCodes(ctx, scope, alice.ID, Client{})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "old code after regeneration", e.UseRecoveryCode(ctx, scope, alice.ID, codes[5], Client{}), ErrBadCode)
	if err := e.UseRecoveryCode(ctx, scope, alice.ID, fresh[0], Client{}); err != nil {
		t.Errorf("new code: %v", err)
	}

	if err := e.DisableMFA(ctx, scope, alice.ID, Client{}); err != nil {
		t.Fatal(err)
	}
	if op, _ := e.Get(ctx, scope, alice.ID); op.MFAEnabled {
		t.Error("MFA still enabled after DisableMFA")
	}
	wantErr(t, "code after DisableMFA", e.UseRecoveryCode(ctx, scope, alice.ID, fresh[1], Client{}), ErrBadCode)
	_, err = e.RegenerateRecoveryCodes(ctx, scope, alice.ID, Client{})
	wantErr(t, "regenerate without MFA", err, derrors.ErrInvalid)

	want := []string{"operator.created", "auth.login_failed:bad_code", "auth.mfa_enrolled",
		"auth.recovery_code_used", "auth.login_failed:bad_recovery_code", "auth.login_failed:bad_recovery_code",
		"auth.recovery_code_used", "auth.login", "auth.recovery_codes_regenerated", "auth.login_failed:bad_recovery_code",
		"auth.recovery_code_used", "auth.mfa_disabled", "auth.login_failed:bad_recovery_code"}
	if diff := cmp.Diff(want, trail(t, scope)); diff != "" {
		t.Errorf("audit trail (-want +got):\n%s", diff)
	}
}

func TestResetMFA(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	a, b := pg.NewTenant(t), pg.NewTenant(t)
	email := uniqueEmail("lost-phone")
	if _, err := e.Seed(ctx, SeedOperator{Tenant: a, Email: email, Name: "Lia", TOTPSecret: seedSecret}); err != nil {
		t.Fatal(err)
	}
	op, err := e.OperatorForSSO(ctx, a, email, "")
	if err != nil {
		t.Fatal(err)
	}
	err = e.ResetMFA(ctx, b, op.ID, admin)
	wantErr(t, "ResetMFA from another ente", err, derrors.ErrNotFound)
	if err := e.ResetMFA(ctx, a, op.ID, admin); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.Get(ctx, db.Scope{Tenant: a}, op.ID); got.MFAEnabled {
		t.Error("MFA still enabled after ResetMFA")
	}
	if ev := lastEvent(t, a); ev.Action != "auth.mfa_reset" || ev.ActorID != admin.ID || ev.ObjectID != op.ID.String() {
		t.Errorf("event %+v; want auth.mfa_reset by admin", ev)
	}
}
