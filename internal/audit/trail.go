package audit

import "github.com/google/uuid"

// trail is one hash chain: the rows of table whose keyColumn equals key.
type trail struct {
	table     string
	keyColumn string
	key       any
	keyText   string // key as hashed and as named in errors
}

func tenantTrail(tenant uuid.UUID) trail {
	return trail{table: "audit_events", keyColumn: "tenant_id", key: tenant, keyText: tenant.String()}
}

func consoleTrail(region string) trail {
	return trail{table: "console_audit_events", keyColumn: "region_code", key: region, keyText: region}
}

// lockKey names the advisory lock that serialises the writers of one trail.
func (t trail) lockKey() string { return "audit:" + t.table + ":" + t.keyText }

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
