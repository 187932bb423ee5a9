package identity

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

func TestChangePassword(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	a := pg.NewTenant(t)
	scope := db.Scope{Tenant: a}
	alice := e.member(t, a, "Alice")
	local, _, _ := strings.Cut(alice.Email, "@")

	err := e.ChangePassword(ctx, scope, alice.ID, "not-my-password", "una-password-nuova-lunga", Client{})
	wantErr(t, "wrong old password", err, ErrBadCredentials)

	for _, tc := range []struct {
		name, password, wantMsg string
	}{
		{"too short", "corta-123", "la password deve avere almeno 12 caratteri"},
		{"contains the e-mail", "xx" + strings.ToUpper(local) + "yy", "la password non deve contenere il nome dell'indirizzo e-mail"},
		{"common", "Password1234", "questa password è troppo comune; scegline un'altra"},
		{"same as old", goodPassword, "la nuova password deve essere diversa da quella attuale"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.ChangePassword(ctx, scope, alice.ID, goodPassword, tc.password, Client{})
			wantErr(t, "ChangePassword", err, derrors.ErrInvalid)
			if diff := cmp.Diff([]FieldError{{Field: "new_password", Message: tc.wantMsg}}, Fields(err)); diff != "" {
				t.Errorf("field errors (-want +got):\n%s", diff)
			}
		})
	}
	const newPassword = "un-altra-frase-segreta"
	if err := e.ChangePassword(ctx, scope, alice.ID, goodPassword, newPassword, Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Login(ctx, scope, alice.Email, goodPassword, Client{}); err == nil {
		t.Error("the old password still works")
	}
	if _, err := e.Login(ctx, scope, alice.Email, newPassword, Client{}); err != nil {
		t.Errorf("the new password: %v", err)
	}
	// Login does not audit success (RecordLogin does): the failure is the last event.
	if ev := lastEvent(t, a); ev.Action != "auth.login_failed" {
		t.Errorf("last event %s; want auth.login_failed", ev.Action)
	}
	got := trail(t, scope)
	if !strings.Contains(strings.Join(got, " "), "auth.password_changed") {
		t.Errorf("trail %v has no auth.password_changed", got)
	}
}

func TestResetPassword(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{ResetRequests: 3})
	a, b := pg.NewTenant(t), pg.NewTenant(t)
	scope := db.Scope{Tenant: a}
	alice := e.member(t, a, "Alice")
	c := Client{IP: "192.0.2.77"}

	// Unknown e-mails and members of other enti: no error, no mail.
	if err := e.RequestReset(ctx, a, uniqueEmail("nobody"), "https://a.example/reset", c); err != nil {
		t.Fatal(err)
	}
	bob := e.member(t, b, "Bob")
	if err := e.RequestReset(ctx, a, bob.Email, "https://a.example/reset", c); err != nil {
		t.Fatal(err)
	}
	if m := mails(t, a); len(m) != 0 {
		t.Fatalf("mails after requests for unknown e-mails: %v", m)
	}

	if err := e.RequestReset(ctx, a, strings.ToUpper(alice.Email), "https://a.example/reset", c); err != nil {
		t.Fatal(err)
	}
	ms := mails(t, a)
	if len(ms) != 1 || ms[0].To != alice.Email || !strings.Contains(ms[0].Text, "https://a.example/reset?token=") ||
		!strings.Contains(ms[0].Text, "(EN)") {
		t.Fatalf("mails = %+v; want one reset link to Alice", ms)
	}
	token := tokenIn(t, ms[0].Text)
	if ev := lastEvent(t, a); ev.Action != "auth.reset_requested" || ev.ObjectID != alice.ID.String() {
		t.Errorf("event %+v; want auth.reset_requested", ev)
	}
	// A 4th request from the address is refused.
	wantErr(t, "4th request", e.RequestReset(ctx, a, alice.Email, "https://a.example/reset", c), ErrRateLimited)

	const newPassword = "nuova-frase-di-accesso"
	_, err := e.ResetPassword(ctx, db.Scope{Tenant: b}, token, newPassword, Client{})
	wantErr(t, "token at another ente", err, ErrBadToken)
	_, err = e.ResetPassword(ctx, scope, token, "corta", Client{})
	if diff := cmp.Diff([]string{"new_password"}, fieldNames(err)); diff != "" {
		t.Errorf("weak password: %v (-want +got):\n%s", err, diff)
	}
	op, err := e.ResetPassword(ctx, scope, token, newPassword, Client{})
	if err != nil || op.ID != alice.ID || !op.HasPassword {
		t.Fatalf("ResetPassword = %+v, %v", op, err)
	}
	_, err = e.ResetPassword(ctx, scope, token, "ancora-un-altra-frase", Client{})
	wantErr(t, "token used twice", err, ErrBadToken)
	if _, err := e.Login(ctx, scope, alice.Email, newPassword, Client{}); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	_, err = e.ResetPassword(ctx, scope, "made-up-token", newPassword, Client{})
	wantErr(t, "made-up token", err, ErrBadToken)
}

func TestResetLinkExpires(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{ResetLinkTTL: 300 * time.Millisecond})
	a := pg.NewTenant(t)
	alice := e.member(t, a, "Alice")
	if err := e.RequestReset(ctx, a, alice.Email, "https://a.example/reset", Client{}); err != nil {
		t.Fatal(err)
	}
	token := tokenIn(t, mails(t, a)[0].Text)
	time.Sleep(400 * time.Millisecond)
	_, err := e.ResetPassword(ctx, db.Scope{Tenant: a}, token, "nuova-frase-di-accesso", Client{})
	wantErr(t, "expired token", err, ErrBadToken)
}

func TestSetupLink(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Limits{})
	a := pg.NewTenant(t)
	scope := db.Scope{Tenant: a}
	m, err := e.Create(ctx, a, NewOperator{Email: uniqueEmail("new"), Name: "Nuova Assunta", Roles: []string{"social_worker"}}, admin)
	if err != nil {
		t.Fatal(err)
	}
	if m.HasPassword {
		t.Fatal("created without password but HasPassword")
	}
	_, err = e.Login(ctx, scope, m.Email, "", Client{})
	wantErr(t, "login without a password set", err, ErrBadCredentials)

	link, err := e.IssueSetupLink(ctx, scope, m.ID, "https://a.example/setup", admin)
	if err != nil {
		t.Fatal(err)
	}
	ms := mails(t, a)
	if len(ms) != 1 || ms[0].To != m.Email || !strings.Contains(ms[0].Text, link) || !strings.Contains(ms[0].Text, "72 ore") {
		t.Fatalf("mails = %+v; want the setup link %s", ms, link)
	}
	if ev := lastEvent(t, a); ev.Action != "auth.setup_link_issued" || ev.ActorID != admin.ID {
		t.Errorf("event %+v", ev)
	}
	if _, err := e.ResetPassword(ctx, scope, tokenIn(t, link), "la-mia-prima-frase", Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Login(ctx, scope, m.Email, "la-mia-prima-frase", Client{}); err != nil {
		t.Errorf("login after setup: %v", err)
	}

	// In a region the link is returned, not mailed, and works only there.
	ra, err := e.CreateRegionAdmin(ctx, "12", NewOperator{Email: uniqueEmail("regione"), Name: "Rita", Roles: []string{"region_admin"}}, admin)
	if err != nil {
		t.Fatal(err)
	}
	link, err = e.IssueSetupLink(ctx, db.Scope{Region: "12"}, ra.ID, "https://regione.example/setup", admin)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.ResetPassword(ctx, db.Scope{Platform: true}, tokenIn(t, link), "la-mia-prima-frase", Client{})
	wantErr(t, "region link at the platform", err, ErrBadToken)
	if _, err := e.ResetPassword(ctx, db.Scope{Region: "12"}, tokenIn(t, link), "la-mia-prima-frase", Client{}); err != nil {
		t.Errorf("region link in its region: %v", err)
	}
	// Another ente cannot issue links for A's operator.
	_, err = e.IssueSetupLink(ctx, db.Scope{Tenant: pg.NewTenant(t)}, m.ID, "https://b.example/setup", admin)
	wantErr(t, "setup link from another ente", err, derrors.ErrNotFound)
}

func fieldNames(err error) []string {
	var out []string
	for _, f := range Fields(err) {
		out = append(out, f.Field)
	}
	return out
}
