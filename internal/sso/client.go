package sso

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// discoveryTTL is how long a provider's discovery document is trusted before
// it is fetched again; its signing keys are refreshed by go-oidc on their own
// whenever a token names an unknown key.
const discoveryTTL = time.Hour

// Client runs logins against any number of providers, one per ente, and is
// safe for concurrent use.
type Client struct {
	http *http.Client

	mu        sync.Mutex
	providers map[string]discovered // by issuer
}

type discovered struct {
	provider *oidc.Provider
	at       time.Time
}

// New returns a Client that talks to providers with httpClient
// (http.DefaultClient if nil).
func New(httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	return &Client{http: httpClient, providers: map[string]discovered{}}
}

// provider returns the discovered provider of issuer, from the cache when fresh.
// A failed discovery is not cached.
func (c *Client) provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	c.mu.Lock()
	d, ok := c.providers[issuer]
	c.mu.Unlock()
	if ok && time.Since(d.at) < discoveryTTL {
		return d.provider, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, c.http), issuer)
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	c.mu.Lock()
	c.providers[issuer] = discovered{provider: p, at: time.Now()}
	c.mu.Unlock()
	return p, nil
}

func (c *Client) oauth2Config(p *oidc.Provider, cfg Config, redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		Endpoint:     p.Endpoint(),
		RedirectURL:  redirectURL,
		Scopes:       cfg.scopes(),
	}
}

// AuthURL returns the provider URL to send the browser to, and the PKCE
// verifier. The caller keeps state, nonce and verifier in the session, checks
// state when the browser comes back to redirectURL, and passes verifier and
// nonce to Exchange.
func (c *Client) AuthURL(ctx context.Context, cfg Config, redirectURL, state, nonce string) (url, verifier string, err error) {
	if err := cfg.validate(); err != nil {
		return "", "", fmt.Errorf("sso.AuthURL(%s): %w", cfg.Issuer, err)
	}
	if state == "" || nonce == "" {
		return "", "", fmt.Errorf("sso.AuthURL(%s): state and nonce are required", cfg.Issuer)
	}
	p, err := c.provider(ctx, cfg.Issuer)
	if err != nil {
		return "", "", fmt.Errorf("sso.AuthURL(%s): %w", cfg.Issuer, err)
	}
	verifier = oauth2.GenerateVerifier()
	url = c.oauth2Config(p, cfg, redirectURL).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	return url, verifier, nil
}

// Exchange redeems the authorization code that the provider sent to
// redirectURL and returns the identity in the verified ID token, completed from
// the userinfo endpoint when the token lacks e-mail, name or codice fiscale.
// A token that fails verification returns an error wrapping ErrInvalidToken.
func (c *Client) Exchange(ctx context.Context, cfg Config, redirectURL, code, verifier, nonce string) (*Identity, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("sso.Exchange(%s): %w", cfg.Issuer, err)
	}
	if nonce == "" {
		return nil, fmt.Errorf("sso.Exchange(%s): no nonce", cfg.Issuer)
	}
	p, err := c.provider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("sso.Exchange(%s): %w", cfg.Issuer, err)
	}
	ctx = oidc.ClientContext(ctx, c.http)
	oc := c.oauth2Config(p, cfg, redirectURL)
	tok, err := oc.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("sso.Exchange(%s): token endpoint: %w", cfg.Issuer, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return nil, fmt.Errorf("sso.Exchange(%s): %w: the token response has no id_token", cfg.Issuer, ErrInvalidToken)
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("sso.Exchange(%s): %w: %w", cfg.Issuer, ErrInvalidToken, err)
	}
	if idt.Nonce != nonce {
		return nil, fmt.Errorf("sso.Exchange(%s): %w: nonce does not match this login", cfg.Issuer, ErrInvalidToken)
	}
	var cl claims
	if err := idt.Claims(&cl); err != nil {
		return nil, fmt.Errorf("sso.Exchange(%s): %w: claims: %w", cfg.Issuer, ErrInvalidToken, err)
	}
	id := &Identity{Issuer: idt.Issuer, Subject: idt.Subject}
	cl.merge(id)
	if (id.Email == "" || id.Name == "" || id.TaxCode == "") && p.UserInfoEndpoint() != "" {
		if err := c.completeFromUserInfo(ctx, p, oc.TokenSource(ctx, tok), id); err != nil {
			return nil, fmt.Errorf("sso.Exchange(%s): %w", cfg.Issuer, err)
		}
	}
	return id, nil
}

// completeFromUserInfo fills id's empty fields from the userinfo endpoint,
// which must speak of the same subject as the ID token.
func (c *Client) completeFromUserInfo(ctx context.Context, p *oidc.Provider, ts oauth2.TokenSource, id *Identity) error {
	ui, err := p.UserInfo(ctx, ts)
	if err != nil {
		return fmt.Errorf("userinfo: %w", err)
	}
	if ui.Subject != id.Subject {
		return fmt.Errorf("%w: userinfo is about subject %q, the ID token about %q", ErrInvalidToken, ui.Subject, id.Subject)
	}
	var cl claims
	if err := ui.Claims(&cl); err != nil {
		return fmt.Errorf("userinfo: %w", err)
	}
	cl.merge(id)
	return nil
}
