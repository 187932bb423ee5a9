package authz

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	casbinconf "github.com/sigess/sigess/configs/casbin"
)

// Role is a named set of permissions: built-in (configs/casbin/policy.csv) or
// an ente's custom role (table roles).
type Role struct {
	Name        string // "coordinator" or a custom name
	LabelIT     string
	LabelEN     string // a custom role has one label, given in both
	Description string
	Scope       string // ScopeTenant, ScopeRegion or ScopePlatform
	Builtin     bool
	Permissions []string
}

// builtinRoles are the built-in roles but for their permissions, which
// policy.csv gives, in the order the UI lists them.
var builtinRoles = []Role{
	{Name: "tenant_admin", Scope: ScopeTenant, LabelIT: "Amministratore dell'ente", LabelEN: "Ente administrator",
		Description: "Unità, operatori, ruoli, catalogo, flusso di lavoro, aspetto e impostazioni dell'ente; registro delle attività in lettura."},
	{Name: "coordinator", Scope: ScopeTenant, LabelIT: "Coordinatore", LabelEN: "Coordinator",
		Description: "Tutto sulle cartelle delle proprie unità, dati riservati compresi; assegna le cartelle e autorizza gli interventi."},
	{Name: "social_worker", Scope: ScopeTenant, LabelIT: "Assistente sociale", LabelEN: "Social worker",
		Description: "Le cartelle assegnate a sé o alla propria équipe: diario, valutazioni, PAI, richieste di intervento."},
	{Name: "intake_operator", Scope: ScopeTenant, LabelIT: "Operatore di accoglienza", LabelEN: "Intake operator",
		Description: "Anagrafiche, accessi e segnalazioni; vede che una cartella esiste, non il suo contenuto."},
	{Name: "administrative", Scope: ScopeTenant, LabelIT: "Amministrativo", LabelEN: "Administrative officer",
		Description: "Dati amministrativi degli interventi, erogazioni, SIUSS; niente diario, niente dati riservati."},
	{Name: "auditor", Scope: ScopeTenant, LabelIT: "Revisore (DPO)", LabelEN: "Auditor (DPO)",
		Description: "Il registro delle attività, in sola lettura."},
	{Name: "region_admin", Scope: ScopeRegion, LabelIT: "Amministratore regionale", LabelEN: "Regional administrator",
		Description: "Attiva gli enti, pubblica i modelli, consulta le statistiche aggregate."},
	{Name: "region_analyst", Scope: ScopeRegion, LabelIT: "Analista regionale", LabelEN: "Regional analyst",
		Description: "Solo le statistiche aggregate."},
	{Name: "platform_admin", Scope: ScopePlatform, LabelIT: "Amministratore della piattaforma", LabelEN: "Platform administrator",
		Description: "Regioni e loro amministratori."},
}

// builtin is the built-in roles with their permissions, parsed once from the
// embedded policy; the error is returned by NewEnforcer.
var builtin = sync.OnceValues(func() ([]Role, error) {
	return parseBuiltin(casbinconf.Policy)
})

// Builtin returns the built-in roles with their permissions: tenant roles, then
// region roles, then the platform's. It panics if the embedded policy is bad,
// which the package's tests rule out.
func Builtin() []Role {
	roles, err := builtin()
	if err != nil {
		panic(err)
	}
	out := make([]Role, len(roles))
	for i, r := range roles {
		r.Permissions = slices.Clone(r.Permissions)
		out[i] = r
	}
	return out
}

// builtinRole returns the built-in role name of scope kind, if there is one.
func builtinRole(roles []Role, kind, name string) (Role, bool) {
	for _, r := range roles {
		if r.Name == name && (kind == "" || r.Scope == kind) {
			return r, true
		}
	}
	return Role{}, false
}

// parseBuiltin reads policy.csv: every line "p, role, *, object, action", for a
// role of builtinRoles and a permission of that role's scope.
func parseBuiltin(policy string) ([]Role, error) {
	roles := slices.Clone(builtinRoles)
	index := map[string]int{}
	for i, r := range roles {
		index[r.Name] = i
	}
	r := csv.NewReader(strings.NewReader(policy))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("authz: configs/casbin/policy.csv: %w", err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) != 5 || rec[0] != "p" || rec[2] != "*" {
			return nil, fmt.Errorf("authz: configs/casbin/policy.csv:%d: want \"p, role, *, object, action\", got %q", line, strings.Join(rec, ", "))
		}
		i, ok := index[rec[1]]
		if !ok {
			return nil, fmt.Errorf("authz: configs/casbin/policy.csv:%d: %q is not a built-in role", line, rec[1])
		}
		perm := rec[3] + ":" + rec[4]
		if scope, ok := permissionScope[perm]; !ok || scope != roles[i].Scope {
			return nil, fmt.Errorf("authz: configs/casbin/policy.csv:%d: %q is not a %s permission", line, perm, roles[i].Scope)
		}
		roles[i].Builtin = true
		roles[i].Permissions = append(roles[i].Permissions, perm)
	}
	for _, r := range roles {
		if len(r.Permissions) == 0 {
			return nil, fmt.Errorf("authz: configs/casbin/policy.csv: built-in role %s has no permission", r.Name)
		}
	}
	return roles, nil
}
