package identity

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/secretbox"
)

func testBox(t *testing.T, fill byte) *secretbox.Box {
	t.Helper()
	b, err := secretbox.New(bytes.Repeat([]byte{fill}, secretbox.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func withSecrets(b *secretbox.Box) func(*Options) { return func(o *Options) { o.Secrets = b } }

// storedTOTP reads the operator's totp_secret column as stored.
func storedTOTP(t *testing.T, op uuid.UUID) string {
	t.Helper()
	var s string
	asOwner(t, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT totp_secret FROM operators WHERE id = $1`, op).Scan(&s)
	})
	return s
}

// TestTOTPSecretAtRest checks that with a key TOTP secrets are stored sealed,
// from both enrolment and Seed, and still log in; without one they are plain.
func TestTOTPSecretAtRest(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		box    *secretbox.Box
		sealed bool
	}{
		{"with a key", testBox(t, 7), true},
		{"without a key", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Limits{}, withSecrets(tc.box))
			a := pg.NewTenant(t)
			scope := db.Scope{Tenant: a}
			check := func(what string, op uuid.UUID, secret string) {
				t.Helper()
				stored := storedTOTP(t, op)
				if got := strings.HasPrefix(stored, "enc:v1:"); got != tc.sealed {
					t.Errorf("%s: stored totp_secret %q; want sealed %v", what, stored, tc.sealed)
				}
				if tc.sealed && strings.Contains(stored, secret) {
					t.Errorf("%s: stored totp_secret %q shows the secret", what, stored)
				}
				if !tc.sealed && stored != secret {
					t.Errorf("%s: stored totp_secret %q; want %q", what, stored, secret)
				}
				// Login with the authenticator still works, and only with its code.
				e.clock.Add(time.Minute) // a fresh step each time
				if err := e.VerifyTOTP(ctx, scope, op, code(t, secret, e.clock.Now()), Client{}); err != nil {
					t.Errorf("%s: VerifyTOTP with the right code: %v", what, err)
				}
				wantErr(t, what+": VerifyTOTP with a wrong code", e.VerifyTOTP(ctx, scope, op, "000000", Client{}), ErrBadCode)
			}

			email := uniqueEmail("seeded")
			if _, err := e.Seed(ctx, SeedOperator{Tenant: a, Email: email, Name: "Seeded", Password: goodPassword,
				TOTPSecret: seedSecret, Roles: []string{"tenant_admin"}}); err != nil {
				t.Fatal(err)
			}
			op, err := e.Login(ctx, scope, email, goodPassword, Client{})
			if err != nil || !op.MFAEnabled {
				t.Fatalf("Login = %+v, %v; want MFA enabled", op, err)
			}
			check("Seed", op.ID, seedSecret)

			alice := e.member(t, a, "Alice", "tenant_admin")
			secret, _, err := e.StartEnrollment(ctx, alice.ID, "SIGeSS", alice.Email)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.ConfirmEnrollment(ctx, scope, alice.ID, code(t, secret, e.clock.Now()), Client{}); err != nil {
				t.Fatal(err)
			}
			check("ConfirmEnrollment", alice.ID, secret)
		})
	}
}

// TestTOTPSecretKeyChanges checks what happens to stored secrets when the key
// is added later (they keep working) or is the wrong one (a server error, not a
// bad code that would count toward a lockout).
func TestTOTPSecretKeyChanges(t *testing.T) {
	ctx := context.Background()
	a := pg.NewTenant(t)
	scope := db.Scope{Tenant: a}
	seed := func(e *env) uuid.UUID {
		t.Helper()
		email := uniqueEmail("key")
		if _, err := e.Seed(ctx, SeedOperator{Tenant: a, Email: email, Name: "Key", Password: goodPassword,
			TOTPSecret: seedSecret, Roles: []string{"tenant_admin"}}); err != nil {
			t.Fatal(err)
		}
		op, err := e.Login(ctx, scope, email, goodPassword, Client{})
		if err != nil {
			t.Fatal(err)
		}
		return op.ID
	}

	plain := seed(newEnv(t, Limits{}))
	keyed := newEnv(t, Limits{}, withSecrets(testBox(t, 7)))
	if err := keyed.VerifyTOTP(ctx, scope, plain, code(t, seedSecret, keyed.clock.Now()), Client{}); err != nil {
		t.Errorf("plain secret read with a key: %v", err)
	}

	sealed := seed(keyed)
	for _, tc := range []struct {
		name string
		e    *env
	}{
		{"another key", newEnv(t, Limits{}, withSecrets(testBox(t, 8)))},
		{"no key", newEnv(t, Limits{})},
	} {
		err := tc.e.VerifyTOTP(ctx, scope, sealed, code(t, seedSecret, tc.e.clock.Now()), Client{})
		if err == nil || errors.Is(err, ErrBadCode) || errors.Is(err, ErrLocked) || errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("%s: VerifyTOTP = %v; want a server error", tc.name, err)
		}
	}
}
