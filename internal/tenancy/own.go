package tenancy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// This file holds what an ente's own admin changes about the ente, in the ente's
// own scope: its settings and its coat of arms. Row-level security and a trigger
// (migrations/0002) keep such a transaction to the ente's row and to its settings.

// MaxLogoBytes is the largest coat of arms accepted.
const MaxLogoBytes = 512 << 10

// UpdateOwnSettings applies kvs (dotted setting keys only: not name, status or
// codes, which belong to the region) to the ente's settings, all or none, and
// returns the changes made.
func (s *Service) UpdateOwnSettings(ctx context.Context, tenant uuid.UUID, kvs []KeyValue) ([]string, error) {
	var diff []string
	var slug string
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		t, err := tenantByID(ctx, tx, tenant)
		if err != nil {
			return err
		}
		slug = t.Slug
		next := t.Settings
		for _, kv := range kvs {
			if next, err = next.Set(kv.Key, kv.Value); err != nil {
				return fmt.Errorf("%w: %w", err, ErrInvalid)
			}
		}
		next = s.sealSecrets(t.Settings, next)
		if diff = DiffSettings(t.Settings, next); len(diff) == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE tenants SET settings = $2, updated_at = now() WHERE id = $1`, tenant, next)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy.UpdateOwnSettings(%s): %w", tenant, err)
	}
	if len(diff) > 0 {
		s.changed(ctx, slug)
	}
	return diff, nil
}

// logoTypes are the image formats accepted for a coat of arms, by sniffed type.
var logoTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/webp": true, "image/svg+xml": true}

// SetLogo stores the ente's coat of arms and points its branding at it. The
// content type is sniffed from the bytes, never taken from the client.
func (s *Service) SetLogo(ctx context.Context, tenant uuid.UUID, data []byte) (string, error) {
	ct := sniffImage(data)
	switch {
	case len(data) == 0:
		return "", fmt.Errorf("%w: %w", &FieldError{Path: "logo", Message: "choose an image file"}, ErrInvalid)
	case len(data) > MaxLogoBytes:
		return "", fmt.Errorf("%w: %w", &FieldError{Path: "logo", Message: "must be at most 512 KB"}, ErrInvalid)
	case !logoTypes[ct]:
		return "", fmt.Errorf("%w: %w", &FieldError{Path: "logo", Message: "must be a PNG, JPEG, WebP or SVG image"}, ErrInvalid)
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:8])
	var slug string
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		t, err := tenantByID(ctx, tx, tenant)
		if err != nil {
			return err
		}
		slug = t.Slug
		_, err = tx.Exec(ctx, `INSERT INTO tenant_assets (tenant_id, name, content_type, data, sha256) VALUES ($1, 'logo', $2, $3, $4)
			ON CONFLICT (tenant_id, name) DO UPDATE SET content_type = $2, data = $3, sha256 = $4, updated_at = now()`,
			tenant, ct, data, sum[:])
		if err != nil {
			return err
		}
		next := t.Settings
		next.Branding.Logo = digest
		_, err = tx.Exec(ctx, `UPDATE tenants SET settings = $2, updated_at = now() WHERE id = $1`, tenant, next)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("tenancy.SetLogo(%s): %w", tenant, err)
	}
	s.changed(ctx, slug)
	return digest, nil
}

// Asset is a file an ente publishes about itself.
type Asset struct {
	ContentType string
	Data        []byte
	Digest      string
}

// Asset returns the ente's file called name (e.g. "logo").
func (s *Service) Asset(ctx context.Context, tenant uuid.UUID, name string) (*Asset, error) {
	var a Asset
	var sum []byte
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT content_type, data, sha256 FROM tenant_assets WHERE tenant_id = $1 AND name = $2`,
			tenant, name).Scan(&a.ContentType, &a.Data, &sum)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("tenancy.Asset(%s, %s): %w", tenant, name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("tenancy.Asset(%s, %s): %w", tenant, name, err)
	}
	a.Digest = hex.EncodeToString(sum[:8])
	return &a, nil
}

// sniffImage tells the image type from the bytes. http.DetectContentType does
// not recognise SVG, which is XML text starting with an <svg> element.
func sniffImage(data []byte) string {
	ct := http.DetectContentType(data)
	if ct == "text/xml; charset=utf-8" || ct == "text/plain; charset=utf-8" {
		head := data[:min(len(data), 1024)]
		if bytes.Contains(head, []byte("<svg")) {
			return "image/svg+xml"
		}
	}
	return ct
}

func tenantByID(ctx context.Context, q querier, id uuid.UUID) (*Tenant, error) {
	var slug string
	if err := q.QueryRow(ctx, `SELECT slug FROM tenants WHERE id = $1`, id).Scan(&slug); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	return tenantBySlug(ctx, q, slug)
}
