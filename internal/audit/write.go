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
// event commits or rolls back with the change it records. The trail is
// tenantLanes chains; a writer holds one lane's transaction-level advisory
// lock until it commits (the lane the transaction holds already, or a free
// one), so each lane stays gapless however many requests write at once, and
// that many write at the same time.
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

	var lane int
	if err := tx.QueryRow(ctx, `SELECT audit_lane($1, $2)`, t.lockKey(), t.lanes).Scan(&lane); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	// The database gives the time and the canonical text of details and ip, so
	// that Verify, reading them back, hashes exactly the same bytes.
	c := canonical{trail: t.laneText(lane), actorID: e.ActorID, actor: e.Actor, action: e.Action,
		objType: e.ObjectType, objID: e.ObjectID}
	var (
		seq     int64
		lastSeq *int64
		prev    []byte
		ipText  *string
	)
	err = tx.QueryRow(ctx, `SELECT clock_timestamp(), $2::jsonb::text, host($3::inet), nextval('audit_seq'), l.lane_seq, l.hash
		FROM (SELECT 1) v LEFT JOIN LATERAL (
			SELECT lane_seq, hash FROM `+t.table+` WHERE `+t.keyColumn+` = $1 AND lane = $4
			ORDER BY lane_seq DESC LIMIT 1) l ON true`,
		t.key, string(body), ip, lane).Scan(&c.at, &c.details, &ipText, &seq, &lastSeq, &prev)
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
	_, err = tx.Exec(ctx, `INSERT INTO `+t.table+` (`+t.keyColumn+`, seq, lane, lane_seq, at, actor_id, actor, action,
			object_type, object_id, ip, details, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::inet, $12::jsonb, $13, $14)`,
		t.key, seq, lane, c.seq, c.at, actorID, e.Actor, e.Action, e.ObjectType, e.ObjectID, ip, c.details, prev, hash)
	if err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	return nil
}
