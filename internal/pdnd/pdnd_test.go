package pdnd_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sigess/sigess/internal/pdnd"
	"github.com/sigess/sigess/internal/pdnd/pdndtest"
)

const audience = "https://sigess.test/t/roma/waas/v1"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func setup(t *testing.T) (*pdndtest.Issuer, *pdnd.Verifier, pdnd.Config, *clock) {
	t.Helper()
	is := pdndtest.New(t)
	clk := &clock{t: time.Now()}
	v := pdnd.New(pdnd.WithHTTPClient(is.Client()), pdnd.WithClock(clk.now))
	return is, v, pdnd.Config{JWKSURL: is.JWKSURL(), Issuer: is.Issuer, Audience: audience}, clk
}

func TestVerifyValid(t *testing.T) {
	is, v, cfg, _ := setup(t)
	is.AddEC(t, "ec1")
	for _, kid := range []string{"k1", "ec1"} {
		raw := is.Voucher(t, kid, "", pdndtest.Claims{
			Claims:    jwt.Claims{Subject: "inps", Audience: jwt.Audience{"other", audience}},
			PurposeID: "purpose-1",
		})
		tok, err := v.Verify(context.Background(), cfg, raw)
		if err != nil {
			t.Fatalf("%s: %v", kid, err)
		}
		if tok.KeyID != kid || tok.Subject != "inps" || tok.ClientID != "inps-client" || tok.PurposeID != "purpose-1" {
			t.Errorf("%s: token = %+v", kid, tok)
		}
	}
	if n := is.Fetches(); n != 1 {
		t.Errorf("key set fetched %d times, want 1 (cached)", n)
	}
}

func TestVerifyRefuses(t *testing.T) {
	is, v, cfg, _ := setup(t)
	now := time.Now()
	// A key that signs with kid k1 but is not the published k1.
	rogue, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	wrongKey := pdndtest.Sign(t, jose.JSONWebKey{Key: rogue, KeyID: "k1", Algorithm: "RS256"},
		pdndtest.Claims{Claims: jwt.Claims{Issuer: is.Issuer, Audience: jwt.Audience{audience},
			Expiry: jwt.NewNumericDate(now.Add(time.Hour)), IssuedAt: jwt.NewNumericDate(now)}})
	valid := is.Voucher(t, "k1", audience, pdndtest.Claims{})
	parts := strings.Split(valid, ".")

	cases := map[string]string{
		"empty":           "",
		"garbage":         "not.a.jwt",
		"wrong key":       wrongKey,
		"wrong audience":  is.Voucher(t, "k1", "https://sigess.test/t/milano/waas/v1", pdndtest.Claims{}),
		"no audience":     is.Voucher(t, "k1", "", pdndtest.Claims{}),
		"wrong issuer":    is.Voucher(t, "k1", audience, pdndtest.Claims{Claims: jwt.Claims{Issuer: "https://evil.test"}}),
		"expired":         is.Voucher(t, "k1", audience, pdndtest.Claims{Claims: jwt.Claims{Expiry: jwt.NewNumericDate(now.Add(-2 * time.Minute)), IssuedAt: jwt.NewNumericDate(now.Add(-time.Hour)), NotBefore: jwt.NewNumericDate(now.Add(-time.Hour))}}),
		"not yet valid":   is.Voucher(t, "k1", audience, pdndtest.Claims{Claims: jwt.Claims{NotBefore: jwt.NewNumericDate(now.Add(5 * time.Minute))}}),
		"issued future":   is.Voucher(t, "k1", audience, pdndtest.Claims{Claims: jwt.Claims{IssuedAt: jwt.NewNumericDate(now.Add(5 * time.Minute))}}),
		"tampered claims": parts[0] + "." + b64(`{"iss":"`+is.Issuer+`","aud":"`+audience+`","exp":9999999999,"iat":1}`) + "." + parts[2],
		"alg none":        b64(`{"alg":"none","kid":"k1"}`) + "." + parts[1] + ".",
		"alg HS256":       hs256(t, parts[1]),
		"no kid":          b64(`{"alg":"RS256"}`) + "." + parts[1] + "." + parts[2],
		"unknown kid":     b64(`{"alg":"RS256","kid":"nope"}`) + "." + parts[1] + "." + parts[2],
		"typ not jwt":     b64(`{"alg":"RS256","kid":"k1","typ":"dpop+jwt"}`) + "." + parts[1] + "." + parts[2],
	}
	// Tokens without exp or iat.
	for name, c := range map[string]jwt.Claims{
		"no exp": {Issuer: is.Issuer, Audience: jwt.Audience{audience}, IssuedAt: jwt.NewNumericDate(now)},
		"no iat": {Issuer: is.Issuer, Audience: jwt.Audience{audience}, Expiry: jwt.NewNumericDate(now.Add(time.Hour))},
	} {
		cases[name] = signRaw(t, is, c)
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := v.Verify(context.Background(), cfg, raw); !errors.Is(err, pdnd.ErrInvalidToken) {
				t.Fatalf("err = %v, want ErrInvalidToken", err)
			}
		})
	}
	if _, err := v.Verify(context.Background(), cfg, valid); err != nil {
		t.Fatalf("valid token after the refusals: %v", err)
	}
}

func TestLeeway(t *testing.T) {
	is, v, cfg, clk := setup(t)
	raw := is.Voucher(t, "k1", audience, pdndtest.Claims{Claims: jwt.Claims{Expiry: jwt.NewNumericDate(clk.now().Add(time.Minute))}})
	clk.add(time.Minute + 10*time.Second) // expired 10 s ago: within the 30 s leeway
	if _, err := v.Verify(context.Background(), cfg, raw); err != nil {
		t.Fatalf("within leeway: %v", err)
	}
	clk.add(time.Minute)
	if _, err := v.Verify(context.Background(), cfg, raw); !errors.Is(err, pdnd.ErrInvalidToken) {
		t.Fatalf("past leeway: err = %v", err)
	}
}

func TestKeyRotation(t *testing.T) {
	is, v, cfg, clk := setup(t)
	ctx := context.Background()
	if _, err := v.Verify(ctx, cfg, is.Voucher(t, "k1", audience, pdndtest.Claims{})); err != nil {
		t.Fatal(err)
	}
	// PDND rotates: k2 appears, k1 goes. A token with k2 makes the verifier
	// fetch the key set again, once the minimum interval has passed.
	is.AddRSA(t, "k2")
	rotated := is.Voucher(t, "k2", audience, pdndtest.Claims{})
	clk.add(2 * time.Minute)
	is.Remove("k1")
	if _, err := v.Verify(ctx, cfg, rotated); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	if n := is.Fetches(); n != 2 {
		t.Errorf("fetches = %d, want 2", n)
	}
	if _, err := v.Verify(ctx, cfg, is.Voucher(t, "k2", audience, pdndtest.Claims{})); err != nil {
		t.Fatal(err)
	}
	if n := is.Fetches(); n != 2 {
		t.Errorf("fetches = %d, want 2 (k2 cached)", n)
	}
}

func TestUnknownKidIsRateLimited(t *testing.T) {
	is, v, cfg, clk := setup(t)
	ctx := context.Background()
	if _, err := v.Verify(ctx, cfg, is.Voucher(t, "k1", audience, pdndtest.Claims{})); err != nil {
		t.Fatal(err)
	}
	// An attacker sends many tokens with made-up kids: at most one fetch per
	// minimum interval.
	is.AddRSA(t, "attacker")
	for i := 0; i < 50; i++ {
		clk.add(time.Second)
		raw := is.Voucher(t, "attacker", audience, pdndtest.Claims{})
		is.Remove("attacker") // never published when fetched
		if _, err := v.Verify(ctx, cfg, raw); !errors.Is(err, pdnd.ErrInvalidToken) {
			t.Fatalf("err = %v", err)
		}
		is.AddRSA(t, "attacker")
	}
	if n := is.Fetches(); n > 2 {
		t.Errorf("fetches = %d after 50 unknown kids in 50 s, want at most 2", n)
	}
}

func TestJWKSDown(t *testing.T) {
	is, v, cfg, clk := setup(t)
	ctx := context.Background()
	is.SetDown(true)
	if _, err := v.Verify(ctx, cfg, is.Voucher(t, "k1", audience, pdndtest.Claims{})); !errors.Is(err, pdnd.ErrKeysUnavailable) {
		t.Fatalf("no key set: err = %v, want ErrKeysUnavailable", err)
	}
	// Within the minimum interval no new fetch is tried.
	if _, err := v.Verify(ctx, cfg, is.Voucher(t, "k1", audience, pdndtest.Claims{})); !errors.Is(err, pdnd.ErrKeysUnavailable) {
		t.Fatalf("err = %v", err)
	}
	if n := is.Fetches(); n != 1 {
		t.Errorf("fetches = %d, want 1", n)
	}
	is.SetDown(false)
	clk.add(2 * time.Minute)
	if _, err := v.Verify(ctx, cfg, is.Voucher(t, "k1", audience, pdndtest.Claims{})); err != nil {
		t.Fatalf("back up: %v", err)
	}
	// Down again after the TTL: the last good key set keeps serving.
	is.SetDown(true)
	clk.add(2 * time.Hour)
	at := clk.now()
	later := pdndtest.Claims{Claims: jwt.Claims{IssuedAt: jwt.NewNumericDate(at), NotBefore: jwt.NewNumericDate(at),
		Expiry: jwt.NewNumericDate(at.Add(time.Hour))}}
	if _, err := v.Verify(ctx, cfg, is.Voucher(t, "k1", audience, later)); err != nil {
		t.Fatalf("stale key set while down: %v", err)
	}
}

func TestNotConfigured(t *testing.T) {
	is, v, cfg, _ := setup(t)
	cfg.Audience = ""
	if _, err := v.Verify(context.Background(), cfg, is.Voucher(t, "k1", audience, pdndtest.Claims{})); !errors.Is(err, pdnd.ErrNotConfigured) {
		t.Fatalf("err = %v", err)
	}
}

func TestKeyAlgorithmMustMatch(t *testing.T) {
	is, v, cfg, _ := setup(t)
	// k1 is published for RS256; a PS256 signature by the same key is refused.
	k := is.AddRSA(t, "ps")
	is.Remove("ps")
	raw := pdndtest.Sign(t, jose.JSONWebKey{Key: k, KeyID: "k1", Algorithm: "PS256"}, pdndtest.Claims{Claims: jwt.Claims{
		Issuer: is.Issuer, Audience: jwt.Audience{audience},
		Expiry: jwt.NewNumericDate(time.Now().Add(time.Hour)), IssuedAt: jwt.NewNumericDate(time.Now())}})
	if _, err := v.Verify(context.Background(), cfg, raw); !errors.Is(err, pdnd.ErrInvalidToken) {
		t.Fatalf("err = %v", err)
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// hs256 signs payload with HMAC, using the JWKS's public key bytes as the
// secret: the classic algorithm-confusion attack.
func hs256(t *testing.T, payload string) string {
	t.Helper()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("public-key-bytes-used-as-secret!")},
		(&jose.SignerOptions{}).WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := base64.RawURLEncoding.DecodeString(payload)
	var m map[string]any
	if err := json.Unmarshal(p, &m); err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(sig).Claims(m).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// signRaw signs claims exactly as given (no defaults) with k1.
func signRaw(t *testing.T, is *pdndtest.Issuer, c jwt.Claims) string {
	t.Helper()
	k := is.AddRSA(t, "raw")
	is.Remove("raw")
	// Sign with a fresh key under kid k1 would fail the signature first; so
	// publish the key as "raw2" and sign with it.
	is.AddRSAKey("raw2", k)
	return pdndtest.Sign(t, jose.JSONWebKey{Key: k, KeyID: "raw2", Algorithm: "RS256"}, pdndtest.Claims{Claims: c})
}
