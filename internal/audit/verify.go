package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// ErrBroken is the error Verify wraps when the chain does not hold.
var ErrBroken = errors.New("audit trail broken")

// Verify walks each lane of tenant's trail from its first event and returns
// how many events it checked. An event whose lane_seq, prev_hash or hash does
// not follow from the ones before it in its lane — a row changed, removed or
// inserted outside Write — ends the walk with an error wrapping ErrBroken that
// names its lane and place.
func Verify(ctx context.Context, tx pgx.Tx, tenant uuid.UUID) (int64, error) {
	n, err := verify(ctx, tx, tenantTrail(tenant))
	if err != nil {
		return n, fmt.Errorf("audit.Verify(%s): %w", tenant, err)
	}
	return n, nil
}

// VerifyConsole is Verify for a console's trail (region "" = platform).
func VerifyConsole(ctx context.Context, tx pgx.Tx, region string) (int64, error) {
	n, err := verify(ctx, tx, consoleTrail(region))
	if err != nil {
		return n, fmt.Errorf("audit.VerifyConsole(%q): %w", region, err)
	}
	return n, nil
}

func verify(ctx context.Context, tx pgx.Tx, t trail) (int64, error) {
	rows, err := tx.Query(ctx, `SELECT lane, lane_seq, at, actor_id, actor, action, object_type, object_id,
			coalesce(host(ip), ''), details::text, prev_hash, hash
		FROM `+t.table+` WHERE `+t.keyColumn+` = $1 ORDER BY lane, lane_seq`, t.key)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var (
		total, n int64 // events checked in all, and in this lane
		lane     = -1
		prev     []byte
	)
	for rows.Next() {
		var (
			c              canonical
			rowLane        int
			actorID        *uuid.UUID
			prevHash, hash []byte
		)
		if err := rows.Scan(&rowLane, &c.seq, &c.at, &actorID, &c.actor, &c.action, &c.objType, &c.objID,
			&c.ip, &c.details, &prevHash, &hash); err != nil {
			return total, err
		}
		if rowLane != lane {
			lane, n, prev = rowLane, 0, genesis
		}
		c.trail = t.laneText(lane)
		if actorID != nil {
			c.actorID = *actorID
		}
		switch {
		case c.seq != n+1:
			return total, fmt.Errorf("%w in lane %d at %d: expected %d (events missing)", ErrBroken, lane, c.seq, n+1)
		case !bytes.Equal(prevHash, prev):
			return total, fmt.Errorf("%w in lane %d at %d: prev_hash does not match the hash of %d", ErrBroken, lane, c.seq, n)
		case !bytes.Equal(hash, chainHash(prev, c)):
			return total, fmt.Errorf("%w in lane %d at %d: the event was changed after it was written", ErrBroken, lane, c.seq)
		}
		prev = hash
		n++
		total++
	}
	return total, rows.Err()
}
