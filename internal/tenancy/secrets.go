package tenancy

import (
	"fmt"

	"github.com/sigess/sigess/internal/secretbox"
)

// This file keeps an ente's secrets sealed in the database. Only the OIDC client
// secret is one today. Files, CLI and UI give plain values; every write seals
// them here, so no writer can forget to.

// WithSecrets makes s seal the enti's secrets with b when it writes settings
// and open them with b; nil (the default) keeps them plain. It returns s.
func (s *Service) WithSecrets(b *secretbox.Box) *Service {
	s.secrets = b
	return s
}

// sealSecrets returns next, the settings about to replace old, with their
// secrets sealed. A value sealed already is kept; so is old's sealed text when
// next holds the same secret in plain, so that applying the same files twice
// changes nothing.
func (s *Service) sealSecrets(old, next Settings) Settings {
	p, o := &next.SSO.OIDC.ClientSecret, old.SSO.OIDC.ClientSecret
	if *p == "" || secretbox.IsSealed(*p) {
		return next
	}
	if plain, err := s.secrets.Open(o); err == nil && secretbox.IsSealed(o) && plain == *p {
		*p = o
		return next
	}
	*p = s.secrets.Seal(*p)
	return next
}

// OIDCClientSecret returns the plain client secret of t's single sign-on.
func (s *Service) OIDCClientSecret(t *Tenant) (string, error) {
	secret, err := s.secrets.Open(t.Settings.SSO.OIDC.ClientSecret)
	if err != nil {
		return "", fmt.Errorf("tenancy.OIDCClientSecret(%s): %w", t.Slug, err)
	}
	return secret, nil
}
