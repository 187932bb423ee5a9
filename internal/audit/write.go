package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

var actionPattern = regexp.MustCompile(`^[a-z_]+\.[a-z_]+$`)

// Write appends e to tenant's trail. tx must be in tenant's scope, so that the
// event commits or rolls back with the change it records. Writers of one trail
// are serialised by a transaction-level advisory lock, so the chain stays
// gapless however many requests write at once.
func Write(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, e Event) error {
	if tenant == uuid.Nil {
		return fmt.Errorf("audit.Write(%s): no tenant", e.Action)
	}
	if err := write(ctx, tx, tenantTrail(tenant), e); err != nil {
		return fmt.Errorf("audit.Write(%s, %s): %w", tenant, e.Action, err)
	}
	return nil
}

// WriteConsole appends e to a console's trail: region "" is the platform's (tx
// in platform scope), otherwise tx must be in that region's scope.
func WriteConsole(ctx context.Context, tx pgx.Tx, region string, e Event) error {
	if err := write(ctx, tx, consoleTrail(region), e); err != nil {
		return fmt.Errorf("audit.WriteConsole(%q, %s): %w", region, e.Action, err)
	}
	return nil
}

func write(ctx context.Context, tx pgx.Tx, t trail, e Event) error {
	if !actionPattern.MatchString(e.Action) {
		return fmt.Errorf("action %q is not domain.verb", e.Action)
	}
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	body, err := json.Marshal(details)
	if err != nil {
		return fmt.Errorf("details: %w", err)
	}
	var ip *string
	if a, err := netip.ParseAddr(e.IP); err == nil {
		s := a.Unmap().String()
		ip = &s
	}
	var actorID *uuid.UUID
	if e.ActorID != uuid.Nil {
		actorID = &e.ActorID
	}

	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, t.lockKey()); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	// The database gives the time and the canonical text of details and ip, so
	// that Verify, reading them back, hashes exactly the same bytes.
	c := canonical{trail: t.keyText, actorID: e.ActorID, actor: e.Actor, action: e.Action,
		objType: e.ObjectType, objID: e.ObjectID}
	var (
		lastSeq *int64
		prev    []byte
		ipText  *string
	)
	err = tx.QueryRow(ctx, `SELECT clock_timestamp(), $2::jsonb::text, host($3::inet), l.seq, l.hash
		FROM (SELECT 1) v LEFT JOIN LATERAL (
			SELECT seq, hash FROM `+t.table+` WHERE `+t.keyColumn+` = $1 ORDER BY seq DESC LIMIT 1) l ON true`,
		t.key, string(body), ip).Scan(&c.at, &c.details, &ipText, &lastSeq, &prev)
	if err != nil {
		return fmt.Errorf("last event: %w", err)
	}
	c.seq = 1
	if lastSeq != nil {
		c.seq = *lastSeq + 1
	} else {
		prev = genesis
	}
	if ipText != nil {
		c.ip = *ipText
	}
	hash := chainHash(prev, c)
	_, err = tx.Exec(ctx, `INSERT INTO `+t.table+` (`+t.keyColumn+`, seq, at, actor_id, actor, action,
			object_type, object_id, ip, details, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::inet, $10::jsonb, $11, $12)`,
		t.key, c.seq, c.at, actorID, e.Actor, e.Action, e.ObjectType, e.ObjectID, ip, c.details, prev, hash)
	if err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	return nil
}
