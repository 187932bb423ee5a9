package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// hashVersion is the first field of the canonical encoding, so that a future
// change of encoding can coexist with the events hashed before it.
const hashVersion = "sigess-audit-v1"

// genesis is the prev_hash of a trail's first event.
var genesis = make([]byte, sha256.Size)

// canonical is what is hashed of an event, every field as text the database
// gives back unchanged: at in UTC with microseconds, ip as host(ip), details as
// jsonb's own text form (keys sorted, spacing fixed).
type canonical struct {
	trail   string // the trail's lane (trail.laneText)
	seq     int64  // the place in the lane: lane_seq
	at      time.Time
	actorID uuid.UUID
	actor   string
	action  string
	objType string
	objID   string
	ip      string
	details string
}

// chainHash returns SHA-256 over prev and the length-prefixed fields of c.
func chainHash(prev []byte, c canonical) []byte {
	h := sha256.New()
	h.Write(prev)
	actorID := ""
	if c.actorID != uuid.Nil {
		actorID = c.actorID.String()
	}
	var n [4]byte
	for _, f := range []string{
		hashVersion, c.trail, strconv.FormatInt(c.seq, 10),
		c.at.UTC().Format("2006-01-02T15:04:05.000000Z"),
		actorID, c.actor, c.action, c.objType, c.objID, c.ip, c.details,
	} {
		binary.BigEndian.PutUint32(n[:], uint32(len(f)))
		h.Write(n[:])
		h.Write([]byte(f))
	}
	return h.Sum(nil)
}
