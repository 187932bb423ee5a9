package apiclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

const clientColumns = `id, tenant_id, name, roles, status, coalesce(created_by, '00000000-0000-0000-0000-000000000000'),
	created_at, revoked_at, last_used_at`

func scanClient(row pgx.CollectableRow) (Client, error) {
	var c Client
	err := row.Scan(&c.ID, &c.Tenant, &c.Name, &c.Roles, &c.Status, &c.CreatedBy, &c.CreatedAt, &c.RevokedAt, &c.LastUsedAt)
	return c, err
}

// clientByID reads a client of the ente of tx; ErrNotFound if it has none
// with that id.
func clientByID(ctx context.Context, tx pgx.Tx, id uuid.UUID) (*Client, error) {
	rows, err := tx.Query(ctx, `SELECT `+clientColumns+` FROM api_clients WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	c, err := pgx.CollectExactlyOneRow(rows, scanClient)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: client API non trovato", derrors.ErrNotFound)
	}
	return &c, err
}

// Create adds a client to tenant with a new secret, returned this once. A
// missing name or role, or a role the ente does not have, is a *FieldError;
// a name an active client of the ente has already, too. Audited as
// "api_client.created".
func (s *Service) Create(ctx context.Context, tenant uuid.UUID, in NewClient, by Actor) (*Credentials, error) {
	cr, err := s.create(ctx, tenant, in, by)
	if err != nil {
		return nil, fmt.Errorf("apiclient.Create(%s, %q): %w", tenant, in.Name, err)
	}
	return cr, nil
}

func (s *Service) create(ctx context.Context, tenant uuid.UUID, in NewClient, by Actor) (*Credentials, error) {
	if tenant == uuid.Nil {
		return nil, errors.New("no tenant")
	}
	in.Name = strings.TrimSpace(in.Name)
	in.Roles = slices.Compact(slices.Sorted(slices.Values(in.Roles)))
	switch {
	case in.Name == "":
		return nil, &FieldError{"name", "il nome è obbligatorio"}
	case len([]rune(in.Name)) > 100:
		return nil, &FieldError{"name", "il nome può avere al massimo 100 caratteri"}
	case len(in.Roles) == 0:
		return nil, &FieldError{"roles", "scegli almeno un ruolo"}
	}
	secret := newSecret()
	var c *Client
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if err := checkRoles(ctx, tx, in.Roles); err != nil {
			return err
		}
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM api_clients WHERE name = $1 AND status = 'active')`,
			in.Name).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return &FieldError{"name", "esiste già un client attivo con questo nome"}
		}
		var createdBy *uuid.UUID
		if by.ID != uuid.Nil {
			createdBy = &by.ID
		}
		var id uuid.UUID
		if err := tx.QueryRow(ctx, `INSERT INTO api_clients (tenant_id, name, secret_hash, roles, created_by)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, tenant, in.Name, hashSecret(secret), in.Roles, createdBy).Scan(&id); err != nil {
			if db.IsUniqueViolation(err) { // created by another request meanwhile
				return &FieldError{"name", "esiste già un client attivo con questo nome"}
			}
			return err
		}
		var err error
		if c, err = clientByID(ctx, tx, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("api_client.created", by, c, map[string]any{"name": c.Name, "roles": c.Roles}))
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx, tenant)
	return &Credentials{Client: *c, Secret: secret}, nil
}

// checkRoles refuses roles that are neither built-in ente roles nor custom
// roles of the ente of tx.
func checkRoles(ctx context.Context, tx pgx.Tx, roles []string) error {
	var rest []string
	for _, r := range roles {
		if !slices.ContainsFunc(authz.Builtin(), func(b authz.Role) bool { return b.Name == r && b.Scope == authz.ScopeTenant }) {
			rest = append(rest, r)
		}
	}
	if len(rest) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT name FROM roles WHERE name = ANY($1)`, rest)
	if err != nil {
		return err
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, r := range rest {
		if !slices.Contains(found, r) {
			return &FieldError{"roles", "ruolo sconosciuto: " + r}
		}
	}
	return nil
}

// List returns the clients of tenant, active ones first, then by name.
func (s *Service) List(ctx context.Context, tenant uuid.UUID) ([]Client, error) {
	var out []Client
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+clientColumns+` FROM api_clients
			ORDER BY status = 'active' DESC, name, created_at`)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, scanClient)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("apiclient.List(%s): %w", tenant, err)
	}
	return out, nil
}

// Get returns the client id of tenant; ErrNotFound if tenant has none such.
func (s *Service) Get(ctx context.Context, tenant, id uuid.UUID) (*Client, error) {
	var c *Client
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		c, err = clientByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("apiclient.Get(%s, %s): %w", tenant, id, err)
	}
	return c, nil
}

// Revoke shuts client id of tenant out for good: its secret and its tokens
// stop working at once. Revoking a revoked client changes nothing; a client
// tenant does not have is ErrNotFound. Audited as "api_client.revoked".
func (s *Service) Revoke(ctx context.Context, tenant, id uuid.UUID, by Actor) error {
	changed := false
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		c, err := clientByID(ctx, tx, id)
		if err != nil || c.Status == StatusRevoked {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE api_clients SET status = 'revoked', revoked_at = now() WHERE id = $1`, id); err != nil {
			return err
		}
		changed = true
		return audit.Write(ctx, tx, tenant, event("api_client.revoked", by, c, map[string]any{"name": c.Name}))
	})
	if err != nil {
		return fmt.Errorf("apiclient.Revoke(%s, %s): %w", tenant, id, err)
	}
	if changed {
		s.changed(ctx, tenant)
	}
	return nil
}

// RoleAssignments returns the roles of every active client of scope's ente,
// so that authorization decides for clients as for operators (client ids
// and operator ids are both random UUIDs). Regions and the platform have no
// clients.
func (s *Service) RoleAssignments(ctx context.Context, scope db.Scope) (map[uuid.UUID][]string, error) {
	out := map[uuid.UUID][]string{}
	if scope.Tenant == uuid.Nil || scope.Region != "" || scope.Platform {
		return out, nil
	}
	err := s.db.InTenant(ctx, scope.Tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, roles FROM api_clients WHERE status = 'active'`)
		if err != nil {
			return err
		}
		var (
			id    uuid.UUID
			roles []string
		)
		_, err = pgx.ForEachRow(rows, []any{&id, &roles}, func() error {
			out[id] = slices.Clone(roles)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("apiclient.RoleAssignments(%s): %w", scope.Tenant, err)
	}
	return out, nil
}

// event is an audit event by by about client c.
func event(action string, by Actor, c *Client, details map[string]any) audit.Event {
	if by.UserAgent != "" {
		details["user_agent"] = by.UserAgent
	}
	return audit.Event{Action: action, ActorID: by.ID, Actor: by.Email, ObjectType: "api_client",
		ObjectID: c.ID.String(), IP: by.IP, Details: details}
}
