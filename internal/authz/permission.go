package authz

import "strings"

// Permissions, "object:action". Tenant scope:
const (
	PermUnitsManage      = "units:manage"
	PermOperatorsManage  = "operators:manage"
	PermRolesManage      = "roles:manage"
	PermBrandingManage   = "branding:manage"
	PermSettingsManage   = "settings:manage"
	PermAuditRead        = "audit:read"
	PermAPIClientsManage = "api_clients:manage"

	PermPeopleRead     = "people:read"
	PermPeopleWrite    = "people:write"
	PermAccessesRead   = "accesses:read"
	PermAccessesWrite  = "accesses:write"
	PermReferralsWrite = "referrals:write"

	PermCasesExists   = "cases:exists"
	PermCasesReadOwn  = "cases:read_own"
	PermCasesReadUnit = "cases:read_unit"
	PermCasesReadAll  = "cases:read_all"
	PermCasesWrite    = "cases:write"
	PermCasesAssign   = "cases:assign"
	PermReservedRead  = "reserved:read"

	PermDiaryRead        = "diary:read"
	PermDiaryWrite       = "diary:write"
	PermAssessmentsWrite = "assessments:write"
	PermPlansWrite       = "plans:write"

	PermInterventionsRead      = "interventions:read"
	PermInterventionsRequest   = "interventions:request"
	PermInterventionsAuthorise = "interventions:authorise"
	PermInterventionsDeliver   = "interventions:deliver"

	PermCatalogManage  = "catalog:manage"
	PermWorkflowManage = "workflow:manage"
	PermSIUSSExport    = "siuss:export"

	PermAgendaUse  = "agenda:use"
	PermAgendaUnit = "agenda:unit"
)

// Region scope:
const (
	PermEntiRead           = "enti:read"
	PermEntiProvision      = "enti:provision"
	PermTenantAdminsAssign = "tenant_admins:assign"
	PermTemplatesPublish   = "templates:publish"
	PermStatsRead          = "stats:read"
)

// Platform scope:
const (
	PermRegionsManage      = "regions:manage"
	PermRegionAdminsManage = "region_admins:manage"
)

// PermissionInfo describes a permission for the roles editor.
type PermissionInfo struct {
	Name    string // "object:action"
	Scope   string // ScopeTenant, ScopeRegion or ScopePlatform
	LabelIT string
	LabelEN string
}

var permissions = []PermissionInfo{
	{PermUnitsManage, ScopeTenant, "Gestire le unità organizzative", "Manage units"},
	{PermOperatorsManage, ScopeTenant, "Gestire gli operatori", "Manage operators"},
	{PermRolesManage, ScopeTenant, "Gestire i ruoli", "Manage roles"},
	{PermBrandingManage, ScopeTenant, "Gestire l'aspetto dell'ente", "Manage branding"},
	{PermSettingsManage, ScopeTenant, "Gestire le impostazioni", "Manage settings"},
	{PermAuditRead, ScopeTenant, "Consultare il registro delle attività", "Read the audit trail"},
	{PermAPIClientsManage, ScopeTenant, "Gestire i client API", "Manage API clients"},
	{PermPeopleRead, ScopeTenant, "Consultare le anagrafiche", "Read people"},
	{PermPeopleWrite, ScopeTenant, "Registrare e modificare le anagrafiche", "Register and edit people"},
	{PermAccessesRead, ScopeTenant, "Consultare gli accessi", "Read accesses"},
	{PermAccessesWrite, ScopeTenant, "Registrare gli accessi", "Record accesses"},
	{PermReferralsWrite, ScopeTenant, "Inviare e accogliere segnalazioni", "Send and accept referrals"},
	{PermCasesExists, ScopeTenant, "Sapere se esiste una cartella", "See that a case exists"},
	{PermCasesReadOwn, ScopeTenant, "Consultare le cartelle assegnate", "Read assigned cases"},
	{PermCasesReadUnit, ScopeTenant, "Consultare le cartelle della propria unità", "Read the cases of one's units"},
	{PermCasesReadAll, ScopeTenant, "Consultare tutte le cartelle dell'ente", "Read every case of the ente"},
	{PermCasesWrite, ScopeTenant, "Modificare le cartelle", "Edit cases"},
	{PermCasesAssign, ScopeTenant, "Assegnare le cartelle", "Assign cases"},
	{PermReservedRead, ScopeTenant, "Accedere ai dati riservati", "Access reserved data"},
	{PermDiaryRead, ScopeTenant, "Consultare il diario", "Read the diary"},
	{PermDiaryWrite, ScopeTenant, "Scrivere nel diario", "Write in the diary"},
	{PermAssessmentsWrite, ScopeTenant, "Compilare le valutazioni", "Write assessments"},
	{PermPlansWrite, ScopeTenant, "Redigere i PAI", "Write care plans"},
	{PermInterventionsRead, ScopeTenant, "Consultare gli interventi", "Read interventions"},
	{PermInterventionsRequest, ScopeTenant, "Richiedere interventi", "Request interventions"},
	{PermInterventionsAuthorise, ScopeTenant, "Autorizzare interventi", "Authorise interventions"},
	{PermInterventionsDeliver, ScopeTenant, "Gestire attivazioni ed erogazioni", "Manage activations and deliveries"},
	{PermCatalogManage, ScopeTenant, "Gestire il catalogo interventi", "Manage the catalogue"},
	{PermWorkflowManage, ScopeTenant, "Gestire il flusso di lavoro", "Manage the workflow"},
	{PermSIUSSExport, ScopeTenant, "Trasmettere i flussi SIUSS", "Export to SIUSS"},
	{PermAgendaUse, ScopeTenant, "Usare la propria agenda", "Use one's agenda"},
	{PermAgendaUnit, ScopeTenant, "Gestire le agende degli operatori delle proprie unità", "Manage the agendas of one's units' operators"},
	{PermEntiRead, ScopeRegion, "Consultare gli enti", "Read enti"},
	{PermEntiProvision, ScopeRegion, "Attivare gli enti", "Provision enti"},
	{PermTenantAdminsAssign, ScopeRegion, "Nominare gli amministratori degli enti", "Assign enti's administrators"},
	{PermTemplatesPublish, ScopeRegion, "Pubblicare i modelli di configurazione", "Publish configuration templates"},
	{PermStatsRead, ScopeRegion, "Consultare le statistiche aggregate", "Read aggregated statistics"},
	{PermRegionsManage, ScopePlatform, "Gestire le regioni", "Manage regions"},
	{PermRegionAdminsManage, ScopePlatform, "Gestire gli amministratori regionali", "Manage regional administrators"},
}

// permissionScope maps every permission to its scope.
var permissionScope = func() map[string]string {
	m := make(map[string]string, len(permissions))
	for _, p := range permissions {
		m[p.Name] = p.Scope
	}
	return m
}()

// Permissions lists every permission, tenant ones first, for the roles editor.
func Permissions() []PermissionInfo {
	return append([]PermissionInfo(nil), permissions...)
}

// splitPermission splits "object:action"; ok is false if perm is not known.
func splitPermission(perm string) (obj, act string, ok bool) {
	if _, known := permissionScope[perm]; !known {
		return "", "", false
	}
	obj, act, _ = strings.Cut(perm, ":")
	return obj, act, true
}
