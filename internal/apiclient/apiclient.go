// Package apiclient keeps an ente's API clients — machines that call its API
// with roles, as operators do — and authenticates them with OAuth2 client
// credentials (RFC 6749 §4.4): a client secret buys a short-lived opaque bearer
// token.
//
// A client belongs to one ente: it is stored in a tenant table under row-level
// security, looked up only in the scope of the ente asked, and its tokens name
// that ente, so a client or token of one ente is worth nothing on another.
//
// Secrets are 256 random bits kept as their SHA-256. Slow password hashes
// (argon2id, as for operators) protect secrets people choose and reuse; a
// secret nobody chose cannot be guessed from its SHA-256, and hashing it
// cheaply keeps the token endpoint from being an easy way to burn CPU.
//
// Access tokens follow the sessions' pattern: the client holds an opaque
// random token, Redis holds what it stands for under the token's SHA-256, for
// one hour. A revoked client's tokens stop working at once, since every use
// checks the client is still active.
package apiclient

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

// The statuses of a client.
const (
	StatusActive  = "active"
	StatusRevoked = "revoked"
)

// Client is an API client of one ente.
type Client struct {
	ID         uuid.UUID // the OAuth2 client_id
	Tenant     uuid.UUID
	Name       string
	Roles      []string // sorted
	Status     string   // StatusActive or StatusRevoked
	CreatedBy  uuid.UUID
	CreatedAt  time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time // last token issued or used; nil if never
}

// Credentials are a new client with its secret, which is shown this once:
// only its hash is stored.
type Credentials struct {
	Client
	Secret string
}

// NewClient is what an administrator fills in to create a client.
type NewClient struct {
	Name  string
	Roles []string
}

// Actor is who creates or revokes a client, for the audit trail: an operator,
// or the command line (no ID).
type Actor struct {
	ID        uuid.UUID
	Email     string // or a label: "cli"
	IP        string
	UserAgent string
}

// Token is an access token issued to a client.
type Token struct {
	AccessToken string
	ExpiresIn   time.Duration
}

// Errors of authentication.
var (
	// ErrInvalidClient is an unknown client, a wrong secret, a revoked client or
	// a client of another ente: OAuth2's invalid_client, which never says which.
	ErrInvalidClient = fmt.Errorf("%w: client_id o client_secret non validi", derrors.ErrForbidden)
	// ErrInvalidToken is an access token that is unknown, expired, or of a
	// client revoked since.
	ErrInvalidToken = errors.New("access token non valido o scaduto")
	// ErrRateLimited is too many token requests from one client address.
	ErrRateLimited = fmt.Errorf("%w: troppe richieste di token da questo indirizzo; riprova tra qualche minuto", derrors.ErrForbidden)
)

// FieldError is an invalid field of a NewClient: Field is the form field
// ("name", "roles"), Message is for the user. It wraps derrors.ErrInvalid.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Unwrap makes errors.Is(err, derrors.ErrInvalid) hold.
func (e *FieldError) Unwrap() error { return derrors.ErrInvalid }

// Options configure a Service. A zero field takes its default.
type Options struct {
	// Notify is called after commit when the clients of an ente changed, so
	// that authorization reloads their roles; may be nil.
	Notify func(ctx context.Context, scope db.Scope)
	// KeyPrefix namespaces every Redis key of the service ("sigess:").
	KeyPrefix  string
	TokenTTL   time.Duration // lifetime of an access token (1 hour)
	IPAttempts int           // token requests per client address per IPWindow (30)
	IPWindow   time.Duration // (10 minutes)
	Now        func() time.Time
}

// Service manages API clients and their tokens.
type Service struct {
	db   *db.DB
	rdb  *redis.Client
	opts Options
}

// NewService returns a Service over d (the runtime pool) and rdb.
func NewService(d *db.DB, rdb *redis.Client, opts Options) *Service {
	if opts.KeyPrefix == "" {
		opts.KeyPrefix = "sigess:"
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = time.Hour
	}
	if opts.IPAttempts <= 0 {
		opts.IPAttempts = 30
	}
	if opts.IPWindow <= 0 {
		opts.IPWindow = 10 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{db: d, rdb: rdb, opts: opts}
}

func (s *Service) changed(ctx context.Context, tenant uuid.UUID) {
	if s.opts.Notify != nil {
		s.opts.Notify(ctx, db.Scope{Tenant: tenant})
	}
}
