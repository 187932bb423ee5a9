// Package casbin embeds the authorization model and the built-in roles'
// policy, so that the binary carries them; internal/authz parses them at start.
package casbin

import _ "embed"

// Model is model.conf: RBAC with domains (ente, region, platform).
//
//go:embed model.conf
var Model string

// Policy is policy.csv: the permissions of the built-in roles, in domain "*".
//
//go:embed policy.csv
var Policy string
