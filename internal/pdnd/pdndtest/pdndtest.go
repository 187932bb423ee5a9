// Package pdndtest is a fake PDND authorisation server for tests: it makes
// signing keys, serves their JWKS over HTTPS and issues vouchers.
package pdndtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Issuer is the fake authorisation server. Its zero key is an RSA key with
// kid "k1".
type Issuer struct {
	Server *httptest.Server
	Issuer string // the iss it puts in vouchers

	mu      sync.Mutex
	keys    []jose.JSONWebKey // private keys, published as public ones
	down    bool
	fetches atomic.Int64
}

// New starts an Issuer with one RSA key (kid "k1"); it stops with the test.
func New(t testing.TB) *Issuer {
	t.Helper()
	is := &Issuer{Issuer: "https://auth.interop.test"}
	is.AddRSA(t, "k1")
	is.Server = httptest.NewTLSServer(http.HandlerFunc(is.serve))
	t.Cleanup(is.Server.Close)
	return is
}

// JWKSURL is the URL of the published key set.
func (is *Issuer) JWKSURL() string { return is.Server.URL + "/.well-known/jwks.json" }

// Client is an HTTP client that trusts the server's certificate.
func (is *Issuer) Client() *http.Client { return is.Server.Client() }

// Fetches counts the requests for the key set.
func (is *Issuer) Fetches() int64 { return is.fetches.Load() }

// SetDown makes the JWKS endpoint answer 503 (true) or work again (false).
func (is *Issuer) SetDown(down bool) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.down = down
}

// AddRSA makes and publishes a new 2048-bit RSA key.
func (is *Issuer) AddRSA(t testing.TB, kid string) crypto.Signer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is.add(jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: string(jose.RS256), Use: "sig"})
	return k
}

// AddEC makes and publishes a new P-256 key.
func (is *Issuer) AddEC(t testing.TB, kid string) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	is.add(jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: string(jose.ES256), Use: "sig"})
	return k
}

// Remove stops publishing kid.
func (is *Issuer) Remove(kid string) {
	is.mu.Lock()
	defer is.mu.Unlock()
	keys := is.keys[:0]
	for _, k := range is.keys {
		if k.KeyID != kid {
			keys = append(keys, k)
		}
	}
	is.keys = keys
}

func (is *Issuer) add(k jose.JSONWebKey) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys = append(is.keys, k)
}

func (is *Issuer) serve(w http.ResponseWriter, r *http.Request) {
	is.fetches.Add(1)
	is.mu.Lock()
	defer is.mu.Unlock()
	if is.down || r.URL.Path != "/.well-known/jwks.json" {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	var set jose.JSONWebKeySet
	for _, k := range is.keys {
		set.Keys = append(set.Keys, k.Public())
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(set)
}

// Claims are a voucher's claims; Voucher fills the zero ones with a valid
// default (Expiry an hour from now, IssuedAt and NotBefore now, the
// Issuer's iss).
type Claims struct {
	jwt.Claims
	ClientID  string `json:"client_id,omitempty"`
	PurposeID string `json:"purposeId,omitempty"`
}

// Voucher signs claims for audience with the published key kid.
func (is *Issuer) Voucher(t testing.TB, kid, audience string, c Claims) string {
	t.Helper()
	is.mu.Lock()
	var key *jose.JSONWebKey
	for i := range is.keys {
		if is.keys[i].KeyID == kid {
			key = &is.keys[i]
		}
	}
	is.mu.Unlock()
	if key == nil {
		t.Fatalf("pdndtest: no key %q", kid)
	}
	return Sign(t, *key, is.defaults(audience, c))
}

func (is *Issuer) defaults(audience string, c Claims) Claims {
	now := time.Now()
	if c.Issuer == "" {
		c.Issuer = is.Issuer
	}
	if c.Audience == nil && audience != "" {
		c.Audience = jwt.Audience{audience}
	}
	if c.Expiry == nil {
		c.Expiry = jwt.NewNumericDate(now.Add(time.Hour))
	}
	if c.IssuedAt == nil {
		c.IssuedAt = jwt.NewNumericDate(now)
	}
	if c.NotBefore == nil {
		c.NotBefore = jwt.NewNumericDate(now)
	}
	if c.ID == "" {
		c.ID = fmt.Sprintf("jti-%d", now.UnixNano())
	}
	if c.ClientID == "" {
		c.ClientID = "inps-client"
	}
	return c
}

// Sign signs claims with key (its kid and alg in the header).
func Sign(t testing.TB, key jose.JSONWebKey, c Claims) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("at+jwt").WithHeader(jose.HeaderKey("kid"), key.KeyID)
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(key.Algorithm), Key: key.Key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(sig).Claims(c).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// AddRSAKey publishes an existing RSA key under kid.
func (is *Issuer) AddRSAKey(kid string, k crypto.Signer) {
	is.add(jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: string(jose.RS256), Use: "sig"})
}
