package ssotest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &p.key.PublicKey, KeyID: p.kid, Algorithm: string(jose.RS256), Use: "sig"},
	}})
}

// authorize approves every request from a registered client at once, for the
// user named by login_hint (subject or e-mail) or DefaultUser. Like a real
// provider it never redirects to an unregistered redirect_uri, and it insists
// on PKCE with S256.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirectURI := q.Get("redirect_uri")
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.clients[q.Get("client_id")]
	if !ok || !c.redirectURIs[redirectURI] {
		http.Error(w, "unknown client_id or redirect_uri", http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(redirectURI)
	fail := func(code string) {
		v := back.Query()
		v.Set("error", code)
		v.Set("state", q.Get("state"))
		back.RawQuery = v.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type")
		return
	case !strings.Contains(" "+q.Get("scope")+" ", " openid "):
		fail("invalid_scope")
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		fail("invalid_request")
		return
	}
	subject := p.DefaultUser
	if hint := q.Get("login_hint"); hint != "" {
		subject = ""
		for _, u := range p.users {
			if u.Subject == hint || strings.EqualFold(u.Email, hint) {
				subject = u.Subject
			}
		}
	}
	if _, ok := p.users[subject]; !ok {
		fail("access_denied")
		return
	}
	code := rand.Text()
	p.codes[code] = grant{clientID: q.Get("client_id"), redirectURI: redirectURI, subject: subject,
		nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), expires: time.Now().Add(time.Minute)}
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token redeems an authorization code once, for the client it was issued to,
// with the PKCE verifier of its challenge.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic { // RFC 6749 §2.3.1: form-encoded inside the header
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.clients[id]
	if !ok || subtle.ConstantTimeCompare([]byte(c.secret), []byte(secret)) != 1 {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	code := r.PostForm.Get("code")
	g, ok := p.codes[code]
	delete(p.codes, code)
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case !ok || g.clientID != id || time.Now().After(g.expires):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "unknown or used code"})
		return
	case g.redirectURI != r.PostForm.Get("redirect_uri"):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "redirect_uri mismatch"})
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "PKCE verifier mismatch"})
		return
	}
	idToken, err := p.idToken(g)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error", "error_description": err.Error()})
		return
	}
	access := rand.Text()
	p.access[access] = g.subject
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": idToken,
	})
}

// idToken signs the ID token of g; p.mu is held.
func (p *Provider) idToken(g grant) (string, error) {
	now := time.Now()
	claims := map[string]any{
		"iss": p.Issuer(), "sub": g.subject, "aud": g.clientID,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	}
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	if !p.userInfoOnly {
		for k, v := range p.userClaims(p.users[g.subject]) {
			claims[k] = v
		}
	}
	if p.tamper != nil {
		p.tamper(claims)
	}
	key := p.key
	if p.signer != nil {
		key = p.signer
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: p.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// userClaims are the profile claims of u.
func (p *Provider) userClaims(u User) map[string]any {
	c := map[string]any{}
	if u.Email != "" {
		c["email"], c["email_verified"] = u.Email, true
	}
	if u.Name != "" {
		c["name"] = u.Name
	}
	if u.TaxCode != "" {
		c["fiscal_number"] = u.TaxCode
	}
	for k, v := range u.Claims {
		c[k] = v
	}
	return c
}

func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	defer p.mu.Unlock()
	subject, known := p.access[token]
	if !ok || !known {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	c := p.userClaims(p.users[subject])
	c["sub"] = subject
	writeJSON(w, http.StatusOK, c)
}
