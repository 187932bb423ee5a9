package tenancy

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
)

// This file holds the registry work of the consoles: regions for the platform
// admin, and an ente's units for its tenant admin.

var (
	regionCode = regexp.MustCompile(`^[0-9]{2}$`)
	slugRe     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// Regions lists every region by code.
func (s *Service) Regions(ctx context.Context) ([]*Region, error) {
	var out []*Region
	err := s.db.InPlatform(ctx, func(tx pgx.Tx) error {
		m, err := listRegions(ctx, tx)
		for _, r := range m {
			out = append(out, r)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy.Regions: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

// Region finds a region by its slug (lazio) or its ISTAT code (12).
func (s *Service) Region(ctx context.Context, key string) (*Region, error) {
	rs, err := s.Regions(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if r.Slug == key || r.Code == key {
			return r, nil
		}
	}
	return nil, fmt.Errorf("tenancy.Region(%s): %w", key, ErrNotFound)
}

// CreateRegion registers a region (platform scope). The code is ISTAT's.
func (s *Service) CreateRegion(ctx context.Context, code, slug, name string) (*Region, error) {
	r := &Region{Code: strings.TrimSpace(code), Slug: strings.TrimSpace(slug), Name: strings.TrimSpace(name)}
	switch {
	case !regionCode.MatchString(r.Code):
		return nil, fmt.Errorf("%w: %w", &FieldError{Path: "code", Message: "must be the two-digit ISTAT region code"}, ErrInvalid)
	case !slugRe.MatchString(r.Slug):
		return nil, fmt.Errorf("%w: %w", &FieldError{Path: "slug", Message: "must be lowercase letters, digits and dashes"}, ErrInvalid)
	case r.Name == "":
		return nil, fmt.Errorf("%w: %w", &FieldError{Path: "name", Message: "must not be empty"}, ErrInvalid)
	}
	err := s.db.InPlatform(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO regions (code, slug, name) VALUES ($1, $2, $3)`, r.Code, r.Slug, r.Name)
		return err
	})
	if db.IsUniqueViolation(err) {
		return nil, fmt.Errorf("%w: %w", &FieldError{Path: "code", Message: "a region with this code or slug exists"}, ErrConflict)
	}
	if err != nil {
		return nil, fmt.Errorf("tenancy.CreateRegion(%s): %w", code, err)
	}
	return r, nil
}

// SaveUnit creates (u.ID == uuid.Nil) or changes one of the ente's units, in
// the ente's scope. The parent is given by code; a unit cannot be its own
// ancestor.
func (s *Service) SaveUnit(ctx context.Context, tenant uuid.UUID, u Unit) (*Unit, error) {
	u.Code, u.Name, u.Address = strings.TrimSpace(u.Code), strings.TrimSpace(u.Name), strings.TrimSpace(u.Address)
	switch {
	case !slugRe.MatchString(u.Code) || len(u.Code) > 63:
		return nil, fmt.Errorf("%w: %w", &FieldError{Path: "code", Message: "must be lowercase letters, digits and dashes"}, ErrInvalid)
	case !slices.Contains(UnitKinds, u.Kind):
		return nil, fmt.Errorf("%w: %w", &FieldError{Path: "kind", Message: "choose a kind"}, ErrInvalid)
	case u.Name == "" || len(u.Name) > 200:
		return nil, fmt.Errorf("%w: %w", &FieldError{Path: "name", Message: "must not be empty"}, ErrInvalid)
	}
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		units, err := unitsOf(ctx, tx, tenant)
		if err != nil {
			return err
		}
		var parent *uuid.UUID
		if u.Parent != "" {
			p := findUnit(units, func(x Unit) bool { return x.Code == u.Parent })
			if p == nil {
				return fmt.Errorf("%w: %w", &FieldError{Path: "parent", Message: "no such unit"}, ErrInvalid)
			}
			for a := p; a != nil; a = parentOf(units, a) {
				if a.ID == u.ID {
					return fmt.Errorf("%w: %w", &FieldError{Path: "parent", Message: "a unit cannot be inside itself"}, ErrInvalid)
				}
			}
			parent = &p.ID
		}
		if u.ID == uuid.Nil {
			u.ID = uuid.New()
			_, err = tx.Exec(ctx, insertUnitSQL, tenant, u.ID, u.Code, parent, u.Kind, u.Name, u.Address)
			return err
		}
		if findUnit(units, func(x Unit) bool { return x.ID == u.ID }) == nil {
			return ErrNotFound
		}
		_, err = tx.Exec(ctx, updateUnitSQL, tenant, u.ID, parent, u.Kind, u.Name, u.Address)
		return err
	})
	if db.IsUniqueViolation(err) {
		return nil, fmt.Errorf("%w: %w", &FieldError{Path: "code", Message: "another unit has this code"}, ErrConflict)
	}
	if err != nil {
		return nil, fmt.Errorf("tenancy.SaveUnit(%s, %s): %w", tenant, u.Code, err)
	}
	return &u, nil
}

func parentOf(units []Unit, u *Unit) *Unit {
	if u.Parent == "" {
		return nil
	}
	return findUnit(units, func(x Unit) bool { return x.Code == u.Parent })
}

func findUnit(units []Unit, match func(Unit) bool) *Unit {
	for i := range units {
		if match(units[i]) {
			return &units[i]
		}
	}
	return nil
}
