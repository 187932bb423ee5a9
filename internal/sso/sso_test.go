package sso_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/sso"
	"github.com/sigess/sigess/internal/sso/ssotest"
)

const redirectURL = "https://roma.sigess.test/auth/sso/callback"

// newProvider starts a provider with SIGeSS registered as a client and two
// users: Mario (SPID-style fiscal_number) and Giulia (tax_code claim).
func newProvider(t *testing.T) (*ssotest.Provider, sso.Config) {
	t.Helper()
	p := ssotest.NewProvider()
	t.Cleanup(p.Close)
	p.RegisterClient("sigess-roma", "s3cret", redirectURL)
	p.AddUser(ssotest.User{Subject: "mario", Email: "mario.rossi@comune.roma.it", Name: "Mario Rossi",
		TaxCode: "TINIT-rssmra80a01h501u"})
	p.AddUser(ssotest.User{Subject: "giulia", Email: "giulia.verdi@comune.roma.it", Name: "Giulia Verdi",
		Claims: map[string]any{"tax_code": "VRDGLI85M41H501X", "email_verified": false}})
	return p, sso.Config{Issuer: p.Issuer(), ClientID: "sigess-roma", ClientSecret: "s3cret"}
}

// flow is one login as a browser and the callback handler would run it.
type flow struct {
	hint             string // login_hint for the provider
	exchangeNonce    string // if set, the nonce given to Exchange instead of the real one
	exchangeVerifier string // if set, the verifier given to Exchange instead of the real one
	exchangeSecret   string // if set, the client secret at Exchange
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// authorize sends the browser to the provider and returns the code it brought back.
func authorize(t *testing.T, c *sso.Client, cfg sso.Config, hint string) (code, verifier, nonce string) {
	t.Helper()
	ctx := context.Background()
	state, nonce := rand.Text(), rand.Text()
	authURL, verifier, err := c.AuthURL(ctx, cfg, redirectURL, state, nonce)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	for k, want := range map[string]string{"client_id": cfg.ClientID, "redirect_uri": redirectURL, "state": state,
		"nonce": nonce, "code_challenge_method": "S256", "response_type": "code", "scope": "openid email profile"} {
		if got := q.Get(k); got != want {
			t.Errorf("auth URL %s = %q, want %q", k, got, want)
		}
	}
	if hint != "" {
		q.Set("login_hint", hint)
		u.RawQuery = q.Encode()
	}
	resp, err := noRedirect.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("authorize answered %s without a redirect", resp.Status)
	}
	if got := loc.Query().Get("state"); got != state {
		t.Fatalf("callback state = %q, want %q", got, state)
	}
	if e := loc.Query().Get("error"); e != "" {
		t.Fatalf("provider refused: %s", e)
	}
	if !strings.HasPrefix(loc.String(), redirectURL+"?") {
		t.Fatalf("callback to %s, want %s", loc, redirectURL)
	}
	return loc.Query().Get("code"), verifier, nonce
}

func (f flow) run(t *testing.T, c *sso.Client, cfg sso.Config) (*sso.Identity, error) {
	t.Helper()
	code, verifier, nonce := authorize(t, c, cfg, f.hint)
	if f.exchangeNonce != "" {
		nonce = f.exchangeNonce
	}
	if f.exchangeVerifier != "" {
		verifier = f.exchangeVerifier
	}
	if f.exchangeSecret != "" {
		cfg.ClientSecret = f.exchangeSecret
	}
	return c.Exchange(context.Background(), cfg, redirectURL, code, verifier, nonce)
}

func TestLogin(t *testing.T) {
	p, cfg := newProvider(t)
	c := sso.New(nil)
	for _, tc := range []struct {
		name         string
		hint         string
		userInfoOnly bool
		want         sso.Identity
	}{
		{"SPID fiscal_number", "", false, sso.Identity{Issuer: p.Issuer(), Subject: "mario", Email: "mario.rossi@comune.roma.it",
			EmailVerified: true, Name: "Mario Rossi", TaxCode: "RSSMRA80A01H501U"}},
		{"tax_code claim, unverified e-mail, by login_hint", "giulia.verdi@comune.roma.it", false, sso.Identity{Issuer: p.Issuer(),
			Subject: "giulia", Email: "giulia.verdi@comune.roma.it", Name: "Giulia Verdi", TaxCode: "VRDGLI85M41H501X"}},
		{"claims from userinfo", "mario", true, sso.Identity{Issuer: p.Issuer(), Subject: "mario", Email: "mario.rossi@comune.roma.it",
			EmailVerified: true, Name: "Mario Rossi", TaxCode: "RSSMRA80A01H501U"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.ClaimsOnlyInUserInfo(tc.userInfoOnly)
			defer p.ClaimsOnlyInUserInfo(false)
			got, err := flow{hint: tc.hint}.run(t, c, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tc.want, got); diff != "" {
				t.Errorf("Identity (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInvalidTokens(t *testing.T) {
	p, cfg := newProvider(t)
	c := sso.New(nil)
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		tamper func(map[string]any)
		key    *rsa.PrivateKey
		flow   flow
		reason string // in the error message
	}{
		{name: "wrong audience", tamper: func(c map[string]any) { c["aud"] = "another-client" }, reason: "audience"},
		{name: "wrong issuer", tamper: func(c map[string]any) { c["iss"] = "https://evil.example" }, reason: "different provider"},
		{name: "expired", tamper: func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }, reason: "expired"},
		{name: "no nonce", tamper: func(c map[string]any) { delete(c, "nonce") }, reason: "nonce"},
		{name: "nonce of another login", flow: flow{exchangeNonce: "replayed"}, reason: "nonce"},
		{name: "wrong signing key", key: otherKey, reason: "signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.Tamper(tc.tamper)
			p.SignWith(tc.key)
			defer p.Tamper(nil)
			defer p.SignWith(nil)
			id, err := tc.flow.run(t, c, cfg)
			if !errors.Is(err, sso.ErrInvalidToken) || !errors.Is(err, derrors.ErrForbidden) {
				t.Fatalf("Exchange = %+v, %v; want ErrInvalidToken", id, err)
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("error %q does not give the reason %q", err, tc.reason)
			}
		})
	}
	// The provider itself is fine: an untampered login still works.
	if _, err := (flow{}).run(t, c, cfg); err != nil {
		t.Errorf("login after the negative cases: %v", err)
	}
}

func TestTokenEndpointRefusals(t *testing.T) {
	_, cfg := newProvider(t)
	c := sso.New(nil)
	for _, tc := range []struct {
		name string
		flow flow
	}{
		{"wrong PKCE verifier", flow{exchangeVerifier: "not-the-verifier-not-the-verifier-not-the-verifier"}},
		{"wrong client secret", flow{exchangeSecret: "guess"}},
	} {
		if _, err := tc.flow.run(t, c, cfg); err == nil || errors.Is(err, sso.ErrInvalidToken) {
			t.Errorf("%s: Exchange = %v, want a token endpoint error", tc.name, err)
		}
	}
	// A code is good once.
	code, verifier, nonce := authorize(t, c, cfg, "")
	if _, err := c.Exchange(context.Background(), cfg, redirectURL, code, verifier, nonce); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exchange(context.Background(), cfg, redirectURL, code, verifier, nonce); err == nil {
		t.Error("second Exchange of one code succeeded")
	}
}

// countingTransport counts discovery requests.
type countingTransport struct{ discoveries atomic.Int32 }

func (ct *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration") {
		ct.discoveries.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestDiscoveryIsCached(t *testing.T) {
	_, cfg := newProvider(t)
	ct := &countingTransport{}
	c := sso.New(&http.Client{Transport: ct})
	for range 3 {
		if _, err := (flow{}).run(t, c, cfg); err != nil {
			t.Fatal(err)
		}
	}
	if n := ct.discoveries.Load(); n != 1 {
		t.Errorf("discovery fetched %d times for 3 logins, want 1", n)
	}
}

func TestConfigErrors(t *testing.T) {
	c := sso.New(nil)
	ctx := context.Background()
	if _, _, err := c.AuthURL(ctx, sso.Config{Issuer: "https://idp.example"}, redirectURL, "s", "n"); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("AuthURL without client id = %v, want ErrInvalid", err)
	}
	_, cfg := newProvider(t)
	if _, _, err := c.AuthURL(ctx, cfg, redirectURL, "", "n"); err == nil {
		t.Error("AuthURL without state succeeded")
	}
	cfg.Issuer += "/nowhere"
	if _, _, err := c.AuthURL(ctx, cfg, redirectURL, "s", "n"); err == nil {
		t.Error("AuthURL with an issuer without discovery succeeded")
	}
}

func TestNormalizeTaxCode(t *testing.T) {
	for in, want := range map[string]string{
		"TINIT-RSSMRA80A01H501U": "RSSMRA80A01H501U",
		"tinit-rssmra80a01h501u": "RSSMRA80A01H501U",
		" rssmra80a01h501u ":     "RSSMRA80A01H501U",
		"":                       "",
		"TINIT-":                 "",
	} {
		if got := sso.NormalizeTaxCode(in); got != want {
			t.Errorf("NormalizeTaxCode(%q) = %q, want %q", in, got, want)
		}
	}
}
