// Package db opens the PostgreSQL pool and runs every transaction in a scope —
// one tenant, one region, the platform — set transaction-locally for row-level
// security, so that a pooled connection never carries a scope into the next use.
package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is the runtime connection pool.
type DB struct {
	Pool *pgxpool.Pool
}

// Open connects to url (the runtime login role) with at most maxConns connections
// and checks that the server answers.
func Open(ctx context.Context, url string, maxConns int) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("db.Open: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = int32(maxConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("db.Open: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("db.Open: %s: %w", cfg.ConnConfig.Host, err)
	}
	return &DB{Pool: pool}, nil
}

// Close closes the pool.
func (d *DB) Close() { d.Pool.Close() }

// Scope is what a transaction may see under row-level security. The zero Scope
// sees no tenant data.
type Scope struct {
	Tenant      uuid.UUID // app.tenant_id: one ente's rows
	Region      string    // app.region: the enti of one region (ISTAT region code)
	Platform    bool      // app.platform: regions and the tenant registry
	OutboxRelay bool      // app.outbox_relay: every tenant's outbox, for the relay only
}

// InTenant runs fn in a transaction that sees only tenant's rows.
func (d *DB) InTenant(ctx context.Context, tenant uuid.UUID, fn func(pgx.Tx) error) error {
	if tenant == uuid.Nil {
		return errors.New("db.InTenant: no tenant")
	}
	return d.Transact(ctx, Scope{Tenant: tenant}, fn)
}

// InRegion runs fn in a transaction that sees the tenant registry of one region.
func (d *DB) InRegion(ctx context.Context, region string, fn func(pgx.Tx) error) error {
	if region == "" {
		return errors.New("db.InRegion: no region")
	}
	return d.Transact(ctx, Scope{Region: region}, fn)
}

// InPlatform runs fn in a transaction that sees regions and every tenant's
// registry row, but no tenant-owned data; use SwitchTenant inside it to write a
// tenant's rows during provisioning.
func (d *DB) InPlatform(ctx context.Context, fn func(pgx.Tx) error) error {
	return d.Transact(ctx, Scope{Platform: true}, fn)
}

// Transact runs fn in a transaction with scope set, committing if fn returns nil.
// Serialization failures and deadlocks are retried a few times, so fn must not
// have effects outside the transaction.
func (d *DB) Transact(ctx context.Context, scope Scope, fn func(pgx.Tx) error) error {
	const attempts = 3
	var err error
	for i := 0; i < attempts; i++ {
		err = d.transactOnce(ctx, scope, fn)
		if !retryable(err) {
			return err
		}
	}
	return fmt.Errorf("db.Transact: gave up after %d attempts: %w", attempts, err)
}

func (d *DB) transactOnce(ctx context.Context, scope Scope, fn func(pgx.Tx) error) (err error) {
	tx, err := d.Pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(ctx)
		}
	}()
	if err := setScope(ctx, tx, scope); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	return nil
}

func setScope(ctx context.Context, tx pgx.Tx, s Scope) error {
	tenant := ""
	if s.Tenant != uuid.Nil {
		tenant = s.Tenant.String()
	}
	_, err := tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true), set_config('app.region', $2, true),
		set_config('app.platform', $3, true), set_config('app.outbox_relay', $4, true)`,
		tenant, s.Region, onOff(s.Platform), onOff(s.OutboxRelay))
	if err != nil {
		return fmt.Errorf("db: set scope: %w", err)
	}
	return nil
}

// SwitchTenantSQL points the rest of a platform or regional transaction at the
// rows of tenant $1 (a UUID as text; ” for none). Provisioning queues it in
// batches to write many enti's units in one transaction.
const SwitchTenantSQL = `SELECT set_config('app.tenant_id', $1, true)`

// SwitchTenant runs SwitchTenantSQL.
func SwitchTenant(ctx context.Context, tx pgx.Tx, tenant uuid.UUID) error {
	if _, err := tx.Exec(ctx, SwitchTenantSQL, tenant.String()); err != nil {
		return fmt.Errorf("db.SwitchTenant(%s): %w", tenant, err)
	}
	return nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return ""
}

func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// IsUniqueViolation reports whether err is a unique-constraint violation.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}
