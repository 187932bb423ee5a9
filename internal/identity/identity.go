// Package identity keeps the operators of the platform: their accounts and
// memberships in enti and regions, their credentials (argon2id passwords, TOTP,
// recovery codes), logging in with rate limits and lockout, and password resets.
//
// An operator is one account however many enti it works for; what an ente knows
// about it (roles, units, whether it may still work there) is its membership.
// Every change and every failed login is written to the audit trail of the
// scope it happened in.
package identity

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/secretbox"
)

// Operator is an account.
type Operator struct {
	ID            uuid.UUID
	Email         string
	Name          string
	TaxCode       string
	Profile       string // professional profile: social worker, educator, administrative…
	Locale        string // "it" or "en"
	Status        string // "active" or "disabled"
	MFAEnabled    bool
	HasPassword   bool
	PlatformAdmin bool
	CreatedAt     time.Time
}

// Member is an operator as one ente sees it.
type Member struct {
	Operator
	Roles            []string
	Units            []uuid.UUID
	MembershipStatus string // "active" or "disabled": disabled shuts it out of this ente only
}

// RegionAdmin is an operator as a region sees it.
type RegionAdmin struct {
	Operator
	Roles []string // region_admin, region_analyst
}

// NewOperator is what an administrator fills in to add an operator.
type NewOperator struct {
	Email    string
	Name     string
	TaxCode  string
	Profile  string
	Password string // optional: without it the operator sets one through a setup link
	Roles    []string
	Units    []uuid.UUID
}

// MemberUpdate is what an ente's administrator may change about a member.
type MemberUpdate struct {
	Name    string
	Profile string
	TaxCode string
	Roles   []string
	Units   []uuid.UUID
	Status  string // membership status: "active" or "disabled"
}

// Client is who is asking, for rate limits and the audit trail.
type Client struct {
	IP        string
	UserAgent string
}

// Actor is who is doing an administrative action.
type Actor struct {
	ID    uuid.UUID
	Email string
	Client
}

// Limits bound guessing. A zero field takes its default.
type Limits struct {
	IPAttempts      int           // login attempts per client address per IPWindow (30)
	IPWindow        time.Duration // (10 minutes)
	AccountFailures int           // failed logins of one account in one scope per AccountWindow before lockout (5)
	AccountWindow   time.Duration // (15 minutes)
	LockFor         time.Duration // how long a locked account stays locked (15 minutes)
	ResetRequests   int           // password-reset requests per client address per ResetWindow (10)
	ResetWindow     time.Duration // (1 hour)
	ResetLinkTTL    time.Duration // validity of a reset link (1 hour)
	SetupLinkTTL    time.Duration // validity of a setup link (72 hours)
	EnrollmentTTL   time.Duration // how long a TOTP enrolment may wait for its first code (15 minutes)
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.IPAttempts, 30)
	defDur(&l.IPWindow, 10*time.Minute)
	def(&l.AccountFailures, 5)
	defDur(&l.AccountWindow, 15*time.Minute)
	defDur(&l.LockFor, 15*time.Minute)
	def(&l.ResetRequests, 10)
	defDur(&l.ResetWindow, time.Hour)
	defDur(&l.ResetLinkTTL, time.Hour)
	defDur(&l.SetupLinkTTL, 72*time.Hour)
	defDur(&l.EnrollmentTTL, 15*time.Minute)
	return l
}

// Options configure a Service.
type Options struct {
	// Notify is called after commit when the roles or memberships of a scope
	// changed (authorization cache invalidation); may be nil.
	Notify func(ctx context.Context, scope db.Scope)
	Limits Limits
	Now    func() time.Time // nil = time.Now
	Argon  ArgonParams      // zero = DefaultArgon; tests may lower it
	// KeyPrefix namespaces every Redis key of the service ("sigess:" if empty).
	KeyPrefix string
	// Secrets seals TOTP secrets in the database; nil keeps them plain.
	Secrets *secretbox.Box
}

// Service manages operators and authenticates them.
type Service struct {
	db      *db.DB
	rdb     *redis.Client
	notify  func(ctx context.Context, scope db.Scope)
	limits  Limits
	now     func() time.Time
	argon   ArgonParams
	prefix  string
	secrets *secretbox.Box

	dummyOnce sync.Once
	dummy     string // a hash to verify unknown e-mails against, so they cost the same time
}

// NewService returns a Service over d (the runtime pool) and rdb.
func NewService(d *db.DB, rdb *redis.Client, opts Options) *Service {
	s := &Service{db: d, rdb: rdb, notify: opts.Notify, limits: opts.Limits.withDefaults(),
		now: opts.Now, argon: opts.Argon, prefix: opts.KeyPrefix, secrets: opts.Secrets}
	if s.now == nil {
		s.now = time.Now
	}
	if s.argon == (ArgonParams{}) {
		s.argon = DefaultArgon
	}
	if s.prefix == "" {
		s.prefix = "sigess:"
	}
	return s
}

func (s *Service) changed(ctx context.Context, scope db.Scope) {
	if s.notify != nil {
		s.notify(ctx, scope)
	}
}
