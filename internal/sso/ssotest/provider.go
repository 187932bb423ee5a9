// Package ssotest runs a real OpenID Connect provider in-process, for tests of
// single sign-on: discovery, JWKS, an authorization endpoint that approves at
// once, a token endpoint that checks client credentials and PKCE, and userinfo.
// Knobs make it issue bad tokens for negative tests.
package ssotest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// User is a person the provider can sign in.
type User struct {
	Subject string
	Email   string
	TaxCode string // sent as the fiscal_number claim, as given ("TINIT-…" like SPID, or bare)
	Name    string
	Claims  map[string]any // extra or overriding ID token and userinfo claims
}

// Provider is an OpenID provider on a local httptest.Server.
type Provider struct {
	// DefaultUser is the subject signed in when /authorize has no login_hint.
	DefaultUser string

	srv *httptest.Server
	key *rsa.PrivateKey
	kid string

	mu           sync.Mutex
	clients      map[string]client // by id
	users        map[string]User   // by subject
	codes        map[string]grant
	access       map[string]string // access token → subject
	tamper       func(map[string]any)
	signer       *rsa.PrivateKey
	userInfoOnly bool // profile claims only in /userinfo
}

type client struct {
	secret       string
	redirectURIs map[string]bool
}

// grant is what an authorization code stands for.
type grant struct {
	clientID, redirectURI string
	subject, nonce        string
	challenge             string
	expires               time.Time
}

// NewProvider generates a signing key and starts the provider; Close it when
// done.
func NewProvider() *Provider {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("ssotest: " + err.Error())
	}
	p := &Provider{
		key:     key,
		kid:     rand.Text()[:8],
		clients: map[string]client{},
		users:   map[string]User{},
		codes:   map[string]grant{},
		access:  map[string]string{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /userinfo", p.userinfo)
	p.srv = httptest.NewServer(mux)
	return p
}

// Close stops the provider.
func (p *Provider) Close() { p.srv.Close() }

// Issuer is the provider's issuer URL.
func (p *Provider) Issuer() string { return p.srv.URL }

// RegisterClient admits a client with its secret and one more redirect URI;
// call it again to add redirect URIs.
func (p *Provider) RegisterClient(id, secret, redirectURI string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.clients[id]
	if !ok {
		c = client{redirectURIs: map[string]bool{}}
	}
	c.secret = secret
	c.redirectURIs[redirectURI] = true
	p.clients[id] = c
}

// AddUser adds or replaces a user; the first user added becomes DefaultUser
// unless it is set.
func (p *Provider) AddUser(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users[u.Subject] = u
	if p.DefaultUser == "" {
		p.DefaultUser = u.Subject
	}
}

// Tamper makes the provider pass the claims of every later ID token through
// fn before signing them (set a wrong aud, iss, exp or nonce); nil undoes it.
func (p *Provider) Tamper(fn func(claims map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper = fn
}

// SignWith makes the provider sign every later ID token with key, under the
// key id its JWKS publishes for its own key; nil undoes it.
func (p *Provider) SignWith(key *rsa.PrivateKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.signer = key
}

// ClaimsOnlyInUserInfo makes later ID tokens carry only the required claims,
// so that e-mail, name and tax code come from /userinfo alone.
func (p *Provider) ClaimsOnlyInUserInfo(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.userInfoOnly = on
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	iss := p.Issuer()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/token",
		"jwks_uri":                              iss + "/jwks",
		"userinfo_endpoint":                     iss + "/userinfo",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"claims_supported":                      []string{"sub", "email", "email_verified", "name", "fiscal_number"},
	})
}
