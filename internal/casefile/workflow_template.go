package casefile

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/templates"
)

// The fields of a workflow template item (templates.KindWorkflow). An item is
// one state (type "state": name, label_it, label_en, initial, terminal) or one
// transition (type "transition": from, to, roles — role names separated by
// commas, empty for any role that may write cases — and needs_reason).
// Booleans are "true" or "false".
const (
	WFType        = "type"
	WFName        = "name"
	WFLabelIT     = "label_it"
	WFLabelEN     = "label_en"
	WFInitial     = "initial"
	WFTerminal    = "terminal"
	WFFrom        = "from"
	WFTo          = "to"
	WFRoles       = "roles"
	WFNeedsReason = "needs_reason"

	WFTypeState      = "state"
	WFTypeTransition = "transition"
)

// WorkflowItemFields are every field of a workflow item, in form order.
var WorkflowItemFields = []string{WFType, WFName, WFLabelIT, WFLabelEN, WFInitial, WFTerminal, WFFrom, WFTo, WFRoles, WFNeedsReason}

// roleNameRE is a role name (authz); whether the ente has the role is
// checked when its workflow is saved.
var roleNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// CheckWorkflowItem validates one item's values and returns them normalised:
// only its type's fields, booleans as "true"/"false", roles sorted and
// deduplicated. Errors name the fields.
func CheckWorkflowItem(values map[string]string) (map[string]string, error) {
	var fe fieldErrors
	get := func(f string) string { return strings.TrimSpace(values[f]) }
	flag := func(f string) string {
		switch strings.ToLower(get(f)) {
		case "true", "1", "on", "yes", "si", "sì":
			return "true"
		case "", "false", "0", "off", "no":
			return "false"
		}
		fe.add(f, "il valore deve essere sì o no")
		return "false"
	}
	state := func(f string) string {
		v := get(f)
		if !stateName.MatchString(v) {
			fe.add(f, "il nome dello stato deve avere da 2 a 40 lettere minuscole o trattini bassi")
		}
		return v
	}
	label := func(f string) string {
		v := get(f)
		switch n := len([]rune(v)); {
		case n == 0:
			fe.add(f, "l'etichetta è obbligatoria")
		case n > 100:
			fe.add(f, "l'etichetta può avere al massimo 100 caratteri")
		}
		return v
	}
	out := map[string]string{}
	switch get(WFType) {
	case WFTypeState:
		out[WFType] = WFTypeState
		out[WFName] = state(WFName)
		out[WFLabelIT] = label(WFLabelIT)
		out[WFLabelEN] = label(WFLabelEN)
		out[WFInitial] = flag(WFInitial)
		out[WFTerminal] = flag(WFTerminal)
	case WFTypeTransition:
		out[WFType] = WFTypeTransition
		out[WFFrom] = state(WFFrom)
		out[WFTo] = state(WFTo)
		if out[WFFrom] != "" && out[WFFrom] == out[WFTo] {
			fe.add(WFTo, "il passaggio deve portare a un altro stato")
		}
		var roles []string
		for _, r := range strings.Split(get(WFRoles), ",") {
			r = strings.TrimSpace(r)
			if r == "" {
				continue
			}
			if !roleNameRE.MatchString(r) {
				fe.add(WFRoles, fmt.Sprintf("il ruolo %q non è un nome di ruolo valido", r))
				continue
			}
			if !slices.Contains(roles, r) {
				roles = append(roles, r)
			}
		}
		slices.Sort(roles)
		out[WFRoles] = strings.Join(roles, ",")
		out[WFNeedsReason] = flag(WFNeedsReason)
	default:
		fe.add(WFType, "scegliere se la voce è uno stato o un passaggio di stato")
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// WorkflowItemLabel names an item for people: the state's name, or the
// transition's from → to.
func WorkflowItemLabel(values map[string]string) string {
	if values[WFType] == WFTypeTransition {
		return values[WFFrom] + " → " + values[WFTo]
	}
	return "stato " + values[WFName]
}

// ComposeWorkflow builds a workflow from items' values, in order: states
// from the state items, transitions from the transition items.
func ComposeWorkflow(items []map[string]string) Workflow {
	w := Workflow{States: []State{}, Transitions: []Transition{}}
	for _, v := range items {
		switch v[WFType] {
		case WFTypeState:
			w.States = append(w.States, State{Name: v[WFName], LabelIT: v[WFLabelIT], LabelEN: v[WFLabelEN],
				Initial: v[WFInitial] == "true", Terminal: v[WFTerminal] == "true"})
		case WFTypeTransition:
			t := Transition{From: v[WFFrom], To: v[WFTo], RequiresReason: v[WFNeedsReason] == "true"}
			if v[WFRoles] != "" {
				t.Roles = strings.Split(v[WFRoles], ",")
			}
			w.Transitions = append(w.Transitions, t)
		}
	}
	return w
}

// WorkflowTemplateKind is the case workflow as a kind of regional template
// (templates.KindWorkflow). The ente's copies are its workflow_template_items;
// once Adopt or Sync wrote them, Finish composes the ente's workflow from the
// active ones, validates it (Workflow.Validate, the ente's roles, the states
// cases are in) and saves it — or refuses the whole change.
type WorkflowTemplateKind struct {
	// Roles returns the role names of an ente, to check the transitions'
	// roles; nil accepts any well-formed name.
	Roles func(ctx context.Context, tenant uuid.UUID) ([]string, error)
}

var (
	_ templates.Kind     = WorkflowTemplateKind{}
	_ templates.Finisher = WorkflowTemplateKind{}
)

// Check validates an item of a workflow template.
func (WorkflowTemplateKind) Check(values map[string]string) (map[string]string, error) {
	return CheckWorkflowItem(values)
}

// Label names an item.
func (WorkflowTemplateKind) Label(values map[string]string) string { return WorkflowItemLabel(values) }

// WorkflowCopy is an ente's copy of a workflow template item.
type WorkflowCopy struct {
	ID         uuid.UUID         `json:"id"`
	TemplateID uuid.UUID         `json:"template_id"`
	Key        string            `json:"key"`
	Version    int               `json:"version"`
	Values     map[string]string `json:"values"`
	Overridden []string          `json:"overridden"`
	Active     bool              `json:"active"`
}

// Label names the copy.
func (c WorkflowCopy) Label() string { return WorkflowItemLabel(c.Values) }

// Overrides reports whether the ente changed field.
func (c WorkflowCopy) Overrides(field string) bool { return slices.Contains(c.Overridden, field) }

const workflowCopyColumns = `id, template_id, template_key, template_version, item_values, overridden, active`

func scanWorkflowCopy(row pgx.Row) (WorkflowCopy, error) {
	var c WorkflowCopy
	err := row.Scan(&c.ID, &c.TemplateID, &c.Key, &c.Version, &c.Values, &c.Overridden, &c.Active)
	return c, err
}

// workflowCopies returns the ente's copies (of template, or of every
// template when it is uuid.Nil) in the order they were added.
func workflowCopies(ctx context.Context, tx pgx.Tx, template uuid.UUID) ([]WorkflowCopy, error) {
	rows, err := tx.Query(ctx, `SELECT `+workflowCopyColumns+` FROM workflow_template_items
		WHERE ($1 = '00000000-0000-0000-0000-000000000000'::uuid OR template_id = $1) ORDER BY template_id, position`, template)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (WorkflowCopy, error) { return scanWorkflowCopy(r) })
}

// Copies returns the ente's copies of template's items, by key.
func (WorkflowTemplateKind) Copies(ctx context.Context, tx pgx.Tx, template uuid.UUID) (map[string]templates.Copy, error) {
	cs, err := workflowCopies(ctx, tx, template)
	if err != nil {
		return nil, err
	}
	out := make(map[string]templates.Copy, len(cs))
	for _, c := range cs {
		out[c.Key] = templates.Copy{ID: c.ID, Key: c.Key, Values: c.Values, Overridden: c.Overridden, Active: c.Active}
	}
	return out, nil
}

// Add copies a new item for the ente, after the ones it has.
func (WorkflowTemplateKind) Add(ctx context.Context, tx pgx.Tx, tenant, template uuid.UUID, version int, key string, values map[string]string) (uuid.UUID, error) {
	vals, err := CheckWorkflowItem(values)
	if err != nil {
		return uuid.Nil, err
	}
	var id uuid.UUID
	err = tx.QueryRow(ctx, `INSERT INTO workflow_template_items (tenant_id, template_id, template_key, template_version, position, item_values)
		VALUES ($1, $2, $3, $4, (SELECT coalesce(max(position), 0) + 1 FROM workflow_template_items WHERE template_id = $2), $5)
		RETURNING id`, tenant, template, key, version, vals).Scan(&id)
	if err != nil {
		return uuid.Nil, fmt.Errorf("casefile: add workflow item %q: %w", key, err)
	}
	return id, nil
}

// Apply writes the template's new values into the ente's copy.
func (WorkflowTemplateKind) Apply(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, c templates.Copy, version int, set map[string]string, active *bool) error {
	vals := make(map[string]string, len(c.Values)+len(set))
	for f, v := range c.Values {
		vals[f] = v
	}
	for f, v := range set {
		vals[f] = v
	}
	vals, err := CheckWorkflowItem(vals)
	if err != nil {
		return fmt.Errorf("casefile: template values for %s: %w", c.ID, err)
	}
	on := c.Active
	if active != nil {
		on = *active
	}
	_, err = tx.Exec(ctx, `UPDATE workflow_template_items SET item_values = $2, active = $3, template_version = $4, updated_at = now()
		WHERE id = $1`, c.ID, vals, on, version)
	return err
}

// Finish composes the ente's workflow from its copies and saves it, or
// refuses it with what is wrong (the adoption or synchronisation is undone).
func (k WorkflowTemplateKind) Finish(ctx context.Context, tx pgx.Tx, tenant, _ uuid.UUID, a templates.Actor) error {
	var valid func(string) bool
	if k.Roles != nil {
		names, err := k.Roles(ctx, tenant)
		if err != nil {
			return err
		}
		valid = func(r string) bool { return slices.Contains(names, r) }
	}
	return composeAndStore(ctx, tx, tenant, valid, a.ID, a.Email, a.IP)
}

// ErrWorkflowFromTemplate refuses a whole new workflow to an ente that
// follows a regional template: its transitions are changed one by one.
const ErrWorkflowFromTemplate = "il flusso segue un modello regionale: i passaggi di stato si modificano dalla pagina dei modelli regionali del flusso"

// ErrWorkflowRefused prefixes the problems of a workflow composed from a
// template that cannot be used.
var ErrWorkflowRefused = errors.New("il flusso risultante dal modello non è valido")

// composeAndStore makes the ente's workflow from its active copies.
func composeAndStore(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, validRole func(string) bool, by uuid.UUID, email, ip string) error {
	cs, err := workflowCopies(ctx, tx, uuid.Nil)
	if err != nil {
		return err
	}
	items := make([]map[string]string, 0, len(cs))
	for _, c := range cs {
		if c.Active {
			items = append(items, c.Values)
		}
	}
	w := ComposeWorkflow(items)
	if err := w.Validate(validRole); err != nil {
		return refused(err)
	}
	if err := storeWorkflow(ctx, tx, tenant, w, by, email, ip); err != nil {
		return refused(err)
	}
	return nil
}

// refused names the problems of a composed workflow on the "workflow" field,
// so that a page shows them together.
func refused(err error) error {
	fs := Fields(err)
	if len(fs) == 0 {
		return err
	}
	msgs := make([]string, len(fs))
	for i, f := range fs {
		msgs[i] = f.Message
	}
	return &ValidationError{Fields: []FieldError{{Field: "workflow",
		Message: ErrWorkflowRefused.Error() + ": " + strings.Join(msgs, "; ")}}}
}

// WorkflowCopies returns the ente's copies of workflow template items (for
// holders of workflow:manage).
func (s *Service) WorkflowCopies(ctx context.Context, tenant uuid.UUID, v Viewer) ([]WorkflowCopy, error) {
	if !v.Perms["workflow:manage"] {
		return nil, fmt.Errorf("casefile.WorkflowCopies(%s): %w: non puoi modificare il flusso delle cartelle", tenant, derrors.ErrForbidden)
	}
	var out []WorkflowCopy
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		out, err = workflowCopies(ctx, tx, uuid.Nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("casefile.WorkflowCopies(%s): %w", tenant, err)
	}
	return out, nil
}

// OverrideWorkflowItem sets fields of the ente's copy id (e.g. the roles of a
// transition): each field changed is marked as overridden, so that a new
// version of the template keeps it. The resulting workflow is validated
// (validRole: the ente's role names) and saved in the same transaction;
// invalid values or an invalid workflow change nothing.
func (s *Service) OverrideWorkflowItem(ctx context.Context, tenant, id uuid.UUID, set map[string]string, validRole func(string) bool, v Viewer) (*WorkflowCopy, error) {
	c, err := s.changeWorkflowItem(ctx, tenant, id, "workflow.item_overridden", validRole, v, func(_ pgx.Tx, c WorkflowCopy) (map[string]string, []string, error) {
		vals := maps.Clone(c.Values)
		for f, val := range set {
			if _, ok := c.Values[f]; ok && f != WFType {
				vals[f] = val
			}
		}
		vals, err := CheckWorkflowItem(vals)
		if err != nil {
			return nil, nil, err
		}
		if vals[WFType] == WFTypeTransition && vals[WFRoles] != "" && validRole != nil {
			var fe fieldErrors
			for _, r := range strings.Split(vals[WFRoles], ",") {
				if !validRole(r) {
					fe.add(WFRoles, fmt.Sprintf("il ruolo %q non esiste", r))
				}
			}
			if err := fe.err(); err != nil {
				return nil, nil, err
			}
		}
		overridden := c.Overridden
		for _, f := range WorkflowItemFields {
			if vals[f] != c.Values[f] && !c.Overrides(f) {
				overridden = append(overridden, f)
			}
		}
		return vals, overridden, nil
	})
	if err != nil {
		return nil, fmt.Errorf("casefile.OverrideWorkflowItem(%s, %s): %w", tenant, id, err)
	}
	return c, nil
}

// ErrNotOverridden is an item to restore that the ente did not change.
var ErrNotOverridden = fmt.Errorf("%w: il passaggio non è stato modificato rispetto al modello", derrors.ErrConflict)

// RestoreWorkflowItem gives the ente's copy id back the template's values,
// in the version the ente follows, and stops overriding them; the workflow
// is validated and saved as by OverrideWorkflowItem.
func (s *Service) RestoreWorkflowItem(ctx context.Context, tenant, id uuid.UUID, validRole func(string) bool, v Viewer) (*WorkflowCopy, error) {
	c, err := s.changeWorkflowItem(ctx, tenant, id, "workflow.item_restored", validRole, v, func(tx pgx.Tx, c WorkflowCopy) (map[string]string, []string, error) {
		if len(c.Overridden) == 0 || s.templates == nil {
			return nil, nil, ErrNotOverridden
		}
		tv, err := s.templates.ItemValues(ctx, tx, c.TemplateID, c.Key)
		if err != nil {
			return nil, nil, err
		}
		vals := maps.Clone(c.Values)
		for _, f := range c.Overridden {
			vals[f] = tv[f]
		}
		return vals, []string{}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("casefile.RestoreWorkflowItem(%s, %s): %w", tenant, id, err)
	}
	return c, nil
}

// TemplateValues reads an adopted template's values of an item in the
// version the ente follows (templates.Service implements it).
type TemplateValues interface {
	ItemValues(ctx context.Context, tx pgx.Tx, template uuid.UUID, key string) (map[string]string, error)
}

// UseTemplates lets RestoreWorkflowItem read the templates' values.
func (s *Service) UseTemplates(t TemplateValues) { s.templates = t }

// changeWorkflowItem locks the ente's copy id, gives it the values and the
// overridden fields change computes, and saves the workflow composed anew
// (validated whole), writing action; a change that changes nothing writes
// nothing.
func (s *Service) changeWorkflowItem(ctx context.Context, tenant, id uuid.UUID, action string, validRole func(string) bool, v Viewer,
	change func(tx pgx.Tx, c WorkflowCopy) (map[string]string, []string, error)) (*WorkflowCopy, error) {
	if !v.Perms["workflow:manage"] {
		return nil, fmt.Errorf("%w: non puoi modificare il flusso delle cartelle", derrors.ErrForbidden)
	}
	var out *WorkflowCopy
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		c, err := scanWorkflowCopy(tx.QueryRow(ctx, `SELECT `+workflowCopyColumns+` FROM workflow_template_items WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: voce del flusso non trovata", derrors.ErrNotFound)
		}
		if err != nil {
			return err
		}
		vals, overridden, err := change(tx, c)
		if err != nil {
			return err
		}
		changed := []string{}
		for _, f := range WorkflowItemFields {
			if vals[f] != c.Values[f] {
				changed = append(changed, f)
			}
		}
		same := len(changed) == 0 && slices.Equal(overridden, c.Overridden)
		c.Values, c.Overridden = vals, overridden
		out = &c
		if same {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE workflow_template_items SET item_values = $2, overridden = $3, updated_by = $4, updated_at = now()
			WHERE id = $1`, id, vals, overridden, nullID(v.ID)); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, tenant, audit.Event{Action: action, ActorID: v.ID, Actor: v.Email, IP: v.IP,
			ObjectType: "workflow_template_item", ObjectID: id.String(), Details: map[string]any{"key": c.Key, "fields": changed}}); err != nil {
			return err
		}
		return composeAndStore(ctx, tx, tenant, validRole, v.ID, v.Email, v.IP)
	})
	return out, err
}
