package authz

import (
	"strings"
	"testing"
)

func TestParseBuiltinRejects(t *testing.T) {
	for _, tc := range []struct {
		name, policy, wantErr string
	}{
		{"unknown role", "p, janitor, *, people, read", `"janitor" is not a built-in role`},
		{"unknown permission", "p, auditor, *, people, fly", `"people:fly" is not a tenant permission`},
		{"permission of another scope", "p, auditor, *, stats, read", `"stats:read" is not a tenant permission`},
		{"a domain other than *", "p, auditor, t:1, audit, read", `want "p, role, *, object, action"`},
		{"too few fields", "p, auditor, *, audit", `want "p, role, *, object, action"`},
		{"a role left without permissions", "p, auditor, *, audit, read", "has no permission"},
	} {
		_, err := parseBuiltin(tc.policy)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: err = %v, want one containing %q", tc.name, err, tc.wantErr)
		}
	}
}

// TestEmbeddedPolicy: the embedded policy parses, every built-in role has
// permissions of its own scope only, and every permission has labels.
func TestEmbeddedPolicy(t *testing.T) {
	roles, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) != len(builtinRoles) {
		t.Fatalf("%d built-in roles parsed, want %d", len(roles), len(builtinRoles))
	}
	for _, r := range roles {
		if !r.Builtin || r.LabelIT == "" || r.LabelEN == "" {
			t.Errorf("role %s: Builtin %v, labels %q %q", r.Name, r.Builtin, r.LabelIT, r.LabelEN)
		}
		for _, p := range r.Permissions {
			if permissionScope[p] != r.Scope {
				t.Errorf("role %s (%s) has %s of scope %q", r.Name, r.Scope, p, permissionScope[p])
			}
		}
	}
	seen := map[string]bool{}
	for _, p := range permissions {
		if seen[p.Name] {
			t.Errorf("permission %s listed twice", p.Name)
		}
		seen[p.Name] = true
		if p.LabelIT == "" || p.LabelEN == "" || strings.Count(p.Name, ":") != 1 {
			t.Errorf("permission %+v: want object:action and both labels", p)
		}
	}
}
