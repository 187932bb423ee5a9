// Package pdnd verifies the bearer tokens (vouchers) that PDND, Italy's
// national data interoperability platform, issues to a consumer such as INPS
// when it calls an e-service an ente exposes — here the SIUSS feed (WaaS).
//
// A voucher is a signed JWT (pattern AUTH_REST_01). Verification follows
// RFC 8725 (JWT best current practices):
//   - the algorithm is taken from an allow-list of asymmetric algorithms
//     (RS256/384/512, PS256/384/512, ES256/384/512): "none" and every HMAC
//     algorithm are refused before any key is looked at, so a public key can
//     never be used as an HMAC secret;
//   - the header must name its key (kid); the key comes from the JWKS the ente
//     configured (waas.pdnd.jwks_url), must be a public RSA (≥ 2048 bits) or EC
//     key, and when the key declares "alg" or "use" they must agree;
//   - iss must equal waas.pdnd.issuer, aud must contain waas.pdnd.audience (the
//     ente's own e-service, so a voucher for another ente's e-service is refused);
//   - exp and iat are required, nbf is honoured, with a small leeway for clock
//     skew; iat may not be in the future;
//   - an explicit "typ", when present, must be a JWT type (JWT, at+jwt).
//
// JWKS are fetched over HTTPS with a timeout and a size limit, cached per URL
// for a TTL, and fetched again before the TTL when a token names an unknown kid
// (key rotation). Such early fetches are rate-limited per URL, so a stream of
// tokens with made-up key ids cannot turn into a stream of requests to the
// JWKS host. When a refresh fails the last good key set keeps serving.
package pdnd

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Config is what an ente configures for the verification of its vouchers
// (tenant settings waas.pdnd.jwks_url, waas.pdnd.issuer, waas.pdnd.audience).
type Config struct {
	JWKSURL  string
	Issuer   string
	Audience string
}

// Complete reports whether every setting is present.
func (c Config) Complete() bool {
	return c.JWKSURL != "" && c.Issuer != "" && c.Audience != ""
}

// Token is what a verified voucher says about its caller.
type Token struct {
	KeyID     string
	Algorithm string
	Issuer    string
	Subject   string
	Audience  []string
	ID        string // jti
	ClientID  string // PDND client_id
	PurposeID string // PDND purposeId
	IssuedAt  time.Time
	Expiry    time.Time
}

var (
	// ErrInvalidToken is any token that does not verify; the wrapped message
	// says why (for logs, not for the caller).
	ErrInvalidToken = errors.New("pdnd: invalid token")
	// ErrNotConfigured is an ente without a complete PDND configuration.
	ErrNotConfigured = errors.New("pdnd: verification not configured")
	// ErrKeysUnavailable is a JWKS that could not be fetched while no earlier
	// copy is cached: the token can be neither accepted nor refused.
	ErrKeysUnavailable = errors.New("pdnd: key set unavailable")
)

// Algorithms is the allow-list of signature algorithms.
var Algorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512,
	jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512,
}

const (
	defaultTTL        = time.Hour
	defaultMinRefresh = time.Minute
	defaultLeeway     = 30 * time.Second
	defaultTimeout    = 5 * time.Second
	maxJWKSBytes      = 1 << 20
	maxTokenBytes     = 16 << 10
	minRSABits        = 2048
)

// Verifier verifies vouchers; it is safe for concurrent use and shared by
// every ente (its cache is keyed by JWKS URL).
type Verifier struct {
	client     *http.Client
	ttl        time.Duration
	minRefresh time.Duration
	leeway     time.Duration
	now        func() time.Time

	mu   sync.Mutex
	sets map[string]*keySet
}

// Option changes a Verifier's defaults.
type Option func(*Verifier)

// WithHTTPClient sets the client the JWKS are fetched with (default: a client
// with a 5 s timeout).
func WithHTTPClient(c *http.Client) Option { return func(v *Verifier) { v.client = c } }

// WithTTL sets how long a fetched JWKS is used before it is fetched again
// (default 1 h).
func WithTTL(d time.Duration) Option { return func(v *Verifier) { v.ttl = d } }

// WithMinRefresh sets the least time between two fetches of the same JWKS
// (default 1 min): an unknown kid within it is refused without a fetch.
func WithMinRefresh(d time.Duration) Option { return func(v *Verifier) { v.minRefresh = d } }

// WithLeeway sets the clock-skew tolerance on exp, nbf and iat (default 30 s).
func WithLeeway(d time.Duration) Option { return func(v *Verifier) { v.leeway = d } }

// WithClock sets the verifier's clock (tests).
func WithClock(now func() time.Time) Option { return func(v *Verifier) { v.now = now } }

// New returns a Verifier.
func New(opts ...Option) *Verifier {
	v := &Verifier{
		client:     &http.Client{Timeout: defaultTimeout},
		ttl:        defaultTTL,
		minRefresh: defaultMinRefresh,
		leeway:     defaultLeeway,
		now:        time.Now,
		sets:       map[string]*keySet{},
	}
	for _, o := range opts {
		o(v)
	}
	return v
}

// claims are the registered claims plus PDND's own.
type claims struct {
	jwt.Claims
	ClientID  string `json:"client_id"`
	PurposeID string `json:"purposeId"`
}

// Verify checks a compact-serialised JWT against cfg and returns what it says.
// The error is ErrInvalidToken, ErrNotConfigured or ErrKeysUnavailable, wrapped.
func (v *Verifier) Verify(ctx context.Context, cfg Config, raw string) (*Token, error) {
	if !cfg.Complete() {
		return nil, ErrNotConfigured
	}
	if raw == "" || len(raw) > maxTokenBytes {
		return nil, invalid("missing or oversized token")
	}
	tok, err := jwt.ParseSigned(raw, Algorithms)
	if err != nil {
		return nil, invalid("parse: %v", err)
	}
	if len(tok.Headers) != 1 {
		return nil, invalid("expected one signature")
	}
	h := tok.Headers[0]
	if h.KeyID == "" {
		return nil, invalid("header has no kid")
	}
	if typ, ok := h.ExtraHeaders[jose.HeaderType].(string); ok && !jwtType(typ) {
		return nil, invalid("header typ %q is not a JWT", typ)
	}
	key, err := v.key(ctx, cfg.JWKSURL, h.KeyID, h.Algorithm)
	if err != nil {
		return nil, err
	}
	var c claims
	if err := tok.Claims(key, &c); err != nil {
		return nil, invalid("signature: %v", err)
	}
	if c.Expiry == nil {
		return nil, invalid("no exp claim")
	}
	if c.IssuedAt == nil {
		return nil, invalid("no iat claim")
	}
	if c.Issuer != cfg.Issuer {
		return nil, invalid("issuer %q is not %q", c.Issuer, cfg.Issuer)
	}
	if !c.Audience.Contains(cfg.Audience) {
		return nil, invalid("audience %v does not contain %q", []string(c.Audience), cfg.Audience)
	}
	if err := c.ValidateWithLeeway(jwt.Expected{Time: v.now()}, v.leeway); err != nil {
		return nil, invalid("claims: %v", err)
	}
	return &Token{
		KeyID: h.KeyID, Algorithm: h.Algorithm,
		Issuer: c.Issuer, Subject: c.Subject, Audience: c.Audience, ID: c.ID,
		ClientID: c.ClientID, PurposeID: c.PurposeID,
		IssuedAt: c.IssuedAt.Time(), Expiry: c.Expiry.Time(),
	}, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidToken, fmt.Sprintf(format, args...))
}

func jwtType(typ string) bool {
	t := strings.ToLower(strings.TrimPrefix(strings.ToLower(typ), "application/"))
	return t == "jwt" || t == "at+jwt"
}

// keySet is one JWKS URL's cache entry. Its mutex also serialises fetches, so
// concurrent requests with a new kid cause one fetch.
type keySet struct {
	mu        sync.Mutex
	keys      *jose.JSONWebKeySet
	fetchedAt time.Time // last successful fetch
	triedAt   time.Time // last attempt, successful or not
}

func (v *Verifier) entry(url string) *keySet {
	v.mu.Lock()
	defer v.mu.Unlock()
	e := v.sets[url]
	if e == nil {
		e = &keySet{}
		v.sets[url] = e
	}
	return e
}

// key finds kid's verification key for alg, fetching the JWKS when it is not
// cached, stale, or lacks kid (at most once per minRefresh).
func (v *Verifier) key(ctx context.Context, url, kid, alg string) (any, error) {
	e := v.entry(url)
	e.mu.Lock()
	defer e.mu.Unlock()
	now := v.now()
	fresh := e.keys != nil && now.Sub(e.fetchedAt) < v.ttl
	if fresh {
		if k, ok := lookup(e.keys, kid); ok {
			return usable(k, alg)
		}
	}
	var fetchErr error
	if e.triedAt.IsZero() || now.Sub(e.triedAt) >= v.minRefresh {
		e.triedAt = now
		// The fetch outlives a caller that gives up: its result serves the
		// others waiting on this entry (the client's timeout still bounds it).
		ks, err := v.fetch(context.WithoutCancel(ctx), url)
		if err == nil {
			e.keys, e.fetchedAt = ks, now
		}
		fetchErr = err
	}
	if e.keys == nil {
		if fetchErr == nil {
			fetchErr = errors.New("not fetched yet")
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrKeysUnavailable, url, fetchErr)
	}
	k, ok := lookup(e.keys, kid)
	if !ok {
		return nil, invalid("unknown kid %q", kid)
	}
	return usable(k, alg)
}

func lookup(ks *jose.JSONWebKeySet, kid string) (jose.JSONWebKey, bool) {
	keys := ks.Key(kid)
	if len(keys) == 0 {
		return jose.JSONWebKey{}, false
	}
	return keys[0], true
}

// usable returns k's public key when it may verify a signature made with alg.
func usable(k jose.JSONWebKey, alg string) (any, error) {
	if k.Use != "" && k.Use != "sig" {
		return nil, invalid("key %q is not a signature key (use %q)", k.KeyID, k.Use)
	}
	if k.Algorithm != "" && k.Algorithm != alg {
		return nil, invalid("key %q is for %s, token uses %s", k.KeyID, k.Algorithm, alg)
	}
	switch pk := k.Key.(type) {
	case *rsa.PublicKey:
		if !strings.HasPrefix(alg, "RS") && !strings.HasPrefix(alg, "PS") {
			return nil, invalid("RSA key %q cannot verify %s", k.KeyID, alg)
		}
		if pk.N.BitLen() < minRSABits {
			return nil, invalid("RSA key %q is shorter than %d bits", k.KeyID, minRSABits)
		}
		return pk, nil
	case *ecdsa.PublicKey:
		if !strings.HasPrefix(alg, "ES") {
			return nil, invalid("EC key %q cannot verify %s", k.KeyID, alg)
		}
		return pk, nil
	}
	return nil, invalid("key %q is not a public RSA or EC key", k.KeyID)
}

func (v *Verifier) fetch(ctx context.Context, url string) (*jose.JSONWebKeySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxJWKSBytes {
		return nil, errors.New("key set larger than 1 MiB")
	}
	var ks jose.JSONWebKeySet
	if err := json.Unmarshal(body, &ks); err != nil {
		return nil, fmt.Errorf("decode key set: %w", err)
	}
	return &ks, nil
}
