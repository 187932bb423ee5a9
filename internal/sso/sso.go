// Package sso signs operators in through an ente's OpenID Connect provider — a
// regional identity provider or a SPID/CIE gateway — with the authorization
// code flow and PKCE.
//
// It returns the verified identity only; finding the existing operator account
// it belongs to (by e-mail or codice fiscale) is the caller's business, and no
// account is ever created from a login.
package sso

import (
	"fmt"
	"strings"

	"github.com/sigess/sigess/internal/derrors"
)

// ErrInvalidToken is an ID token that failed verification: bad signature,
// another issuer or audience, expired, or a nonce that is not this login's.
// It is a derrors.ErrForbidden.
var ErrInvalidToken = fmt.Errorf("%w: l'accesso tramite il gestore delle identità non è riuscito (token non valido)", derrors.ErrForbidden)

// Config is one ente's OpenID provider, from its tenant settings.
type Config struct {
	Issuer       string   // the provider's issuer URL, as its discovery document states it
	ClientID     string   // SIGeSS's client id at the provider
	ClientSecret string   // sent with client_secret_basic, or client_secret_post if the provider wants it
	Scopes       []string // default: openid email profile
}

// scopes returns the scopes to ask for; openid is always among them.
func (c Config) scopes() []string {
	if len(c.Scopes) == 0 {
		return []string{"openid", "email", "profile"}
	}
	for _, s := range c.Scopes {
		if s == "openid" {
			return c.Scopes
		}
	}
	return append([]string{"openid"}, c.Scopes...)
}

func (c Config) validate() error {
	if c.Issuer == "" || c.ClientID == "" {
		return fmt.Errorf("%w: la configurazione SSO dell'ente è incompleta (issuer e client id sono obbligatori)", derrors.ErrInvalid)
	}
	return nil
}

// Identity is who the provider says signed in.
type Identity struct {
	Issuer        string
	Subject       string // the provider's stable id for the person
	Email         string
	EmailVerified bool   // the provider's email_verified claim; false when it sends none
	TaxCode       string // codice fiscale, upper case, without the SPID "TINIT-" prefix
	Name          string
}

// claims are the ID token and userinfo claims SIGeSS reads.
type claims struct {
	Subject       string `json:"sub"`
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"` // some providers send "true"
	Name          string `json:"name"`
	GivenName     string `json:"given_name"`
	FamilyName    string `json:"family_name"`
	FiscalNumber  string `json:"fiscal_number"` // SPID and CIE gateways
	TaxCode       string `json:"tax_code"`
}

// merge fills the fields of id that are still empty from c.
func (c claims) merge(id *Identity) {
	if id.Email == "" && c.Email != "" {
		id.Email = c.Email
		id.EmailVerified = c.EmailVerified == true || c.EmailVerified == "true"
	}
	if id.Name == "" {
		id.Name = strings.TrimSpace(c.Name)
		if id.Name == "" {
			id.Name = strings.TrimSpace(c.GivenName + " " + c.FamilyName)
		}
	}
	if id.TaxCode == "" {
		tc := c.FiscalNumber
		if tc == "" {
			tc = c.TaxCode
		}
		id.TaxCode = NormalizeTaxCode(tc)
	}
}

// NormalizeTaxCode turns a fiscal_number claim into a bare codice fiscale:
// SPID sends "TINIT-RSSMRA80A01H501U" (ETSI EN 319 412-1 form).
func NormalizeTaxCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	return strings.TrimPrefix(s, "TINIT-")
}
