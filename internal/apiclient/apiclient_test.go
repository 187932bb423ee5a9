package apiclient_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/apiclient"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

// env is one test's service, with its own Redis key prefix, and the scopes
// it notified.
type env struct {
	*apiclient.Service
	rdb    *redis.Client
	prefix string
	mu     sync.Mutex
	notes  []db.Scope
}

func newEnv(t *testing.T, opts apiclient.Options) *env {
	t.Helper()
	url, err := testenv.RedisURL(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	o, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(o)
	t.Cleanup(func() { rdb.Close() })
	e := &env{rdb: rdb, prefix: "sigess-test-" + uuid.NewString()[:8] + ":"}
	opts.KeyPrefix = e.prefix
	opts.Notify = func(_ context.Context, s db.Scope) { e.mu.Lock(); e.notes = append(e.notes, s); e.mu.Unlock() }
	e.Service = apiclient.NewService(pg.DB, rdb, opts)
	return e
}

func (e *env) notified() []db.Scope {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.notes)
}

var admin = apiclient.Actor{Email: "admin@example.it", IP: "192.0.2.1"}

// auditActions lists the actions of tenant's trail about object id.
func auditActions(t *testing.T, tenant uuid.UUID, id uuid.UUID) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT action FROM audit_events WHERE object_id = $1 ORDER BY seq`, id.String())
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCreateValidates(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, apiclient.Options{})
	tenant := pg.NewTenant(t)
	if err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO roles (tenant_id, name, label, permissions) VALUES ($1, 'anagrafe', 'Anagrafe', '{people:read}')`, tenant)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Create(ctx, tenant, apiclient.NewClient{Name: "Esistente", Roles: []string{"auditor"}}, admin); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		in        apiclient.NewClient
		wantField string // "" = created
	}{
		{"no name", apiclient.NewClient{Name: "  ", Roles: []string{"auditor"}}, "name"},
		{"long name", apiclient.NewClient{Name: strings.Repeat("à", 101), Roles: []string{"auditor"}}, "name"},
		{"no role", apiclient.NewClient{Name: "Gestionale"}, "roles"},
		{"unknown role", apiclient.NewClient{Name: "Gestionale", Roles: []string{"auditor", "nessuno"}}, "roles"},
		{"region role", apiclient.NewClient{Name: "Gestionale", Roles: []string{"region_admin"}}, "roles"},
		{"name of an active client", apiclient.NewClient{Name: "Esistente", Roles: []string{"auditor"}}, "name"},
		{"custom role", apiclient.NewClient{Name: "Anagrafe", Roles: []string{"anagrafe"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cr, err := e.Create(ctx, tenant, tc.in, admin)
			var fe *apiclient.FieldError
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("Create: %v", err)
				}
				if len(cr.Secret) < 43 || cr.ID == uuid.Nil {
					t.Errorf("credentials %q / %s: want a 256-bit secret and an id", cr.Secret, cr.ID)
				}
				return
			}
			if !errors.As(err, &fe) || fe.Field != tc.wantField || !errors.Is(err, derrors.ErrInvalid) {
				t.Fatalf("Create: %v; want a FieldError on %q wrapping ErrInvalid", err, tc.wantField)
			}
		})
	}
	clients, err := e.List(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range clients {
		names = append(names, c.Name)
	}
	if diff := cmp.Diff([]string{"Anagrafe", "Esistente"}, names); diff != "" {
		t.Errorf("clients after the refused ones (-want +got):\n%s", diff)
	}
}

func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, apiclient.Options{})
	tenant, other := pg.NewTenant(t), pg.NewTenant(t)

	cr, err := e.Create(ctx, tenant, apiclient.NewClient{Name: " Anagrafe ", Roles: []string{"intake_operator", "auditor", "auditor"}}, admin)
	if err != nil {
		t.Fatal(err)
	}
	if cr.Name != "Anagrafe" || !slices.Equal(cr.Roles, []string{"auditor", "intake_operator"}) || cr.Status != apiclient.StatusActive {
		t.Errorf("created %+v; want the name trimmed, roles sorted without repeats, active", cr.Client)
	}
	if diff := cmp.Diff([]db.Scope{{Tenant: tenant}}, e.notified()); diff != "" {
		t.Errorf("notified after Create (-want +got):\n%s", diff)
	}

	// Authorization sees the client in its ente only.
	as, err := e.RoleAssignments(ctx, db.Scope{Tenant: tenant})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[uuid.UUID][]string{cr.ID: {"auditor", "intake_operator"}}, as); diff != "" {
		t.Errorf("RoleAssignments (-want +got):\n%s", diff)
	}
	for _, scope := range []db.Scope{{Tenant: other}, {Region: "12"}, {Platform: true}} {
		if as, err := e.RoleAssignments(ctx, scope); err != nil || len(as) != 0 {
			t.Errorf("RoleAssignments(%+v) = %v, %v; want none", scope, as, err)
		}
	}

	// The token: right secret, and nothing else.
	for _, tc := range []struct {
		name           string
		tenant         uuid.UUID
		client, secret string
	}{
		{"wrong secret", tenant, cr.ID.String(), cr.Secret + "x"},
		{"empty secret", tenant, cr.ID.String(), ""},
		{"not an id", tenant, "anagrafe", cr.Secret},
		{"unknown id", tenant, uuid.NewString(), cr.Secret},
		{"another ente", other, cr.ID.String(), cr.Secret},
	} {
		if _, err := e.IssueToken(ctx, tc.tenant, tc.client, tc.secret, "192.0.2.9"); !errors.Is(err, apiclient.ErrInvalidClient) {
			t.Errorf("%s: IssueToken: %v; want ErrInvalidClient", tc.name, err)
		}
	}
	tok, err := e.IssueToken(ctx, tenant, cr.ID.String(), cr.Secret, "192.0.2.9")
	if err != nil {
		t.Fatal(err)
	}
	if tok.ExpiresIn != time.Hour || len(tok.AccessToken) < 43 {
		t.Errorf("token %+v; want an opaque token valid one hour", tok)
	}
	c, err := e.Authenticate(ctx, tenant, tok.AccessToken)
	if err != nil || c.ID != cr.ID || c.LastUsedAt == nil {
		t.Fatalf("Authenticate = %+v, %v; want the client, last used set", c, err)
	}
	if _, err := e.Authenticate(ctx, other, tok.AccessToken); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("token on another ente: %v; want ErrNotFound", err)
	}
	if _, err := e.Authenticate(ctx, tenant, tok.AccessToken+"x"); !errors.Is(err, apiclient.ErrInvalidToken) {
		t.Errorf("unknown token: %v; want ErrInvalidToken", err)
	}
	// Redis holds the token's hash, not the token.
	if n, err := e.rdb.Exists(ctx, e.prefix+"apiclient:token:"+tok.AccessToken).Result(); err != nil || n != 0 {
		t.Errorf("the token itself is a Redis key (%d, %v)", n, err)
	}

	// Revoked: its token and secret stop working at once.
	if err := e.Revoke(ctx, other, cr.ID, admin); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Revoke from another ente: %v; want ErrNotFound", err)
	}
	if err := e.Revoke(ctx, tenant, cr.ID, admin); err != nil {
		t.Fatal(err)
	}
	if err := e.Revoke(ctx, tenant, cr.ID, admin); err != nil {
		t.Errorf("second Revoke: %v; want nothing to do", err)
	}
	if _, err := e.Authenticate(ctx, tenant, tok.AccessToken); !errors.Is(err, apiclient.ErrInvalidToken) {
		t.Errorf("token of a revoked client: %v; want ErrInvalidToken", err)
	}
	if _, err := e.IssueToken(ctx, tenant, cr.ID.String(), cr.Secret, "192.0.2.9"); !errors.Is(err, apiclient.ErrInvalidClient) {
		t.Errorf("revoked client's secret: %v; want ErrInvalidClient", err)
	}
	if as, _ := e.RoleAssignments(ctx, db.Scope{Tenant: tenant}); len(as) != 0 {
		t.Errorf("RoleAssignments after revoking: %v; want none", as)
	}
	got, err := e.Get(ctx, tenant, cr.ID)
	if err != nil || got.Status != apiclient.StatusRevoked || got.RevokedAt == nil {
		t.Errorf("Get after revoking = %+v, %v", got, err)
	}
	if len(e.notified()) != 2 {
		t.Errorf("notified %v; want once for Create, once for the first Revoke", e.notified())
	}
	// The name is free again.
	if _, err := e.Create(ctx, tenant, apiclient.NewClient{Name: "Anagrafe", Roles: []string{"auditor"}}, admin); err != nil {
		t.Errorf("a new client with a revoked one's name: %v", err)
	}

	want := []string{"api_client.created", "api_client.auth_failed", "api_client.revoked", "api_client.auth_failed"}
	if diff := cmp.Diff(want, auditActions(t, tenant, cr.ID)); diff != "" {
		t.Errorf("audit trail (-want +got):\n%s", diff)
	}
}

func TestTokenExpires(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, apiclient.Options{TokenTTL: 100 * time.Millisecond})
	tenant := pg.NewTenant(t)
	cr, err := e.Create(ctx, tenant, apiclient.NewClient{Name: "Breve", Roles: []string{"auditor"}}, admin)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.IssueToken(ctx, tenant, cr.ID.String(), cr.Secret, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Authenticate(ctx, tenant, tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if _, err := e.Authenticate(ctx, tenant, tok.AccessToken); !errors.Is(err, apiclient.ErrInvalidToken) {
		t.Errorf("expired token: %v; want ErrInvalidToken", err)
	}
}

func TestTokenRateLimit(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, apiclient.Options{IPAttempts: 3})
	tenant := pg.NewTenant(t)
	cr, err := e.Create(ctx, tenant, apiclient.NewClient{Name: "Insistente", Roles: []string{"auditor"}}, admin)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := e.IssueToken(ctx, tenant, cr.ID.String(), "sbagliato", "198.51.100.7"); !errors.Is(err, apiclient.ErrInvalidClient) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	if _, err := e.IssueToken(ctx, tenant, cr.ID.String(), cr.Secret, "198.51.100.7"); !errors.Is(err, apiclient.ErrRateLimited) {
		t.Errorf("fourth attempt, right secret: %v; want ErrRateLimited", err)
	}
	if _, err := e.IssueToken(ctx, tenant, cr.ID.String(), cr.Secret, "198.51.100.8"); err != nil {
		t.Errorf("another address: %v; want a token", err)
	}
}
