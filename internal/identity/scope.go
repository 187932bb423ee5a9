package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/db"
)

// checkScope refuses a scope that is not exactly one ente, region or the platform.
func checkScope(scope db.Scope) error {
	n := 0
	if scope.Tenant != uuid.Nil {
		n++
	}
	if scope.Region != "" {
		n++
	}
	if scope.Platform {
		n++
	}
	if n != 1 || scope.OutboxRelay {
		return errors.New("the scope must be exactly one ente, one region or the platform")
	}
	return nil
}

// scopeKey names a scope in Redis keys and tokens.
func scopeKey(scope db.Scope) string {
	switch {
	case scope.Region != "":
		return "r:" + scope.Region
	case scope.Platform:
		return "p"
	default:
		return "t:" + scope.Tenant.String()
	}
}

// writeAudit appends e to the trail of scope: the ente's, the region's console
// or the platform's console. tx must be in scope.
func writeAudit(ctx context.Context, tx pgx.Tx, scope db.Scope, e audit.Event) error {
	switch {
	case scope.Region != "":
		return audit.WriteConsole(ctx, tx, scope.Region, e)
	case scope.Platform:
		return audit.WriteConsole(ctx, tx, "", e)
	default:
		return audit.Write(ctx, tx, scope.Tenant, e)
	}
}

// Record writes e, in a transaction of its own, to the audit trail of scope
// (the ente's, or the console's for a region or the platform): logouts and
// other events the web layer sees first.
func (s *Service) Record(ctx context.Context, scope db.Scope, e audit.Event) error {
	if err := checkScope(scope); err != nil {
		return fmt.Errorf("identity.Record(%s, %s): %w", scopeKey(scope), e.Action, err)
	}
	err := s.db.Transact(ctx, scope, func(tx pgx.Tx) error { return writeAudit(ctx, tx, scope, e) })
	if err != nil {
		return fmt.Errorf("identity.Record(%s, %s): %w", scopeKey(scope), e.Action, err)
	}
	return nil
}

// clientEvent is an audit event by the operator a (or about it, when a is nil) from c.
func clientEvent(action string, a *account, email string, c Client, details map[string]any) audit.Event {
	e := audit.Event{Action: action, Actor: email, IP: c.IP, Details: details}
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	if c.UserAgent != "" {
		e.Details["user_agent"] = c.UserAgent
	}
	if a != nil {
		e.ActorID = a.ID
		e.Actor = a.Email
		e.ObjectType = "operator"
		e.ObjectID = a.ID.String()
	}
	return e
}

// adminEvent is an audit event by an administrator about operator id.
func adminEvent(action string, by Actor, id fmt.Stringer, details map[string]any) audit.Event {
	if details == nil {
		details = map[string]any{}
	}
	if by.UserAgent != "" {
		details["user_agent"] = by.UserAgent
	}
	return audit.Event{Action: action, ActorID: by.ID, Actor: by.Email, ObjectType: "operator",
		ObjectID: id.String(), IP: by.IP, Details: details}
}
