package audit

import (
	"strconv"

	"github.com/google/uuid"
)

// trail is the rows of table whose keyColumn equals key: lanes hash chains,
// each gapless in lane_seq, whose events seq orders across lanes.
type trail struct {
	table     string
	keyColumn string
	key       any
	keyText   string // key as hashed and as named in errors
	lanes     int
}

// Lanes of a trail: an ente's audit writes go tenantLanes at a time (each
// waits for its lane's commit, not for the ente's); a console's are few.
const (
	tenantLanes  = 8
	consoleLanes = 1
)

func tenantTrail(tenant uuid.UUID) trail {
	return trail{table: "audit_events", keyColumn: "tenant_id", key: tenant, keyText: tenant.String(), lanes: tenantLanes}
}

func consoleTrail(region string) trail {
	return trail{table: "console_audit_events", keyColumn: "region_code", key: region, keyText: region, lanes: consoleLanes}
}

// lockKey names the trail in its lanes' advisory locks (audit_lane in
// migrations/0019_audit_lanes.sql).
func (t trail) lockKey() string { return "audit:" + t.table + ":" + t.keyText }

// laneText is the trail's name as lane's hashes cover it: the key itself for
// lane 0 (so the events written before lanes hash as they did), "key/lane"
// for the others.
func (t trail) laneText(lane int) string {
	if lane == 0 {
		return t.keyText
	}
	return t.keyText + "/" + strconv.Itoa(lane)
}

// String names the trail in errors: the tenant id, the region or "platform".
func (t trail) String() string {
	if t.table == "console_audit_events" {
		if t.keyText == "" {
			return "platform"
		}
		return "region " + t.keyText
	}
	return "tenant " + t.keyText
}
