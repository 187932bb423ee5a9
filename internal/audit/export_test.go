package audit

import (
	"time"

	"github.com/google/uuid"
)

// Genesis and OneChainHash let the external tests write events as the
// one-chain writer did before lanes (migration 0019): the hash of an event
// of tenant's trail at seq, with no actor id, ip or details.
var Genesis = genesis

func OneChainHash(prev []byte, tenant uuid.UUID, seq int64, at time.Time, actor, action, objType, objID string) []byte {
	return chainHash(prev, canonical{trail: tenant.String(), seq: seq, at: at, actor: actor, action: action,
		objType: objType, objID: objID, details: "{}"})
}
