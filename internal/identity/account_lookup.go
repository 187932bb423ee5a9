package identity

import (
	"context"
	"fmt"

	"github.com/google/uuid"
)

// HasAccount reports whether an account with email exists anywhere on the
// platform, so that an administrator adding it to an ente can be told that
// Create will add a membership to the existing account rather than make one.
func (s *Service) HasAccount(ctx context.Context, email string) (bool, error) {
	id, err := s.operatorIDByEmail(ctx, normalizeEmail(email))
	if err != nil {
		return false, fmt.Errorf("identity.HasAccount(%s): %w", email, err)
	}
	return id != uuid.Nil, nil
}
