package casefile

import (
	"fmt"
	"regexp"
	"slices"
)

// Workflow is an ente's case state machine: its states and the transitions
// between them, each allowed to some roles.
type Workflow struct {
	States      []State      `json:"states"`
	Transitions []Transition `json:"transitions"`
}

// State is one state of the workflow. A case enters the Initial state when
// opened; entering a Terminal state closes it (closed_at, reason), leaving one
// reopens it. Entering the state named taken_in_charge records taken_at.
type State struct {
	Name     string `json:"name"`
	LabelIT  string `json:"label_it"`
	LabelEN  string `json:"label_en"`
	Initial  bool   `json:"initial,omitempty"`
	Terminal bool   `json:"terminal,omitempty"`
}

// Transition is a permitted change of state: by an operator holding one of
// Roles (any role that may write cases when Roles is empty), with a reason
// when RequiresReason.
type Transition struct {
	From           string   `json:"from"`
	To             string   `json:"to"`
	Roles          []string `json:"roles,omitempty"`
	RequiresReason bool     `json:"requires_reason,omitempty"`
}

// The default workflow's states that the service names.
const (
	StateTakenInCharge = "taken_in_charge"
)

// DefaultWorkflow is DOMAIN.md's: open → referred → taken in charge → closed
// → reopened, closing always with a reason.
func DefaultWorkflow() Workflow {
	both := []string{"coordinator", "social_worker"}
	coord := []string{"coordinator"}
	return Workflow{
		States: []State{
			{Name: "open", LabelIT: "Aperta", LabelEN: "Open", Initial: true},
			{Name: "referred", LabelIT: "Inviata", LabelEN: "Referred"},
			{Name: "taken_in_charge", LabelIT: "Presa in carico", LabelEN: "Taken in charge"},
			{Name: "closed", LabelIT: "Chiusa", LabelEN: "Closed", Terminal: true},
			{Name: "reopened", LabelIT: "Riaperta", LabelEN: "Reopened"},
		},
		Transitions: []Transition{
			{From: "open", To: "referred", Roles: coord},
			{From: "open", To: "taken_in_charge", Roles: both},
			{From: "open", To: "closed", Roles: coord, RequiresReason: true},
			{From: "referred", To: "taken_in_charge", Roles: both},
			{From: "referred", To: "closed", Roles: coord, RequiresReason: true},
			{From: "taken_in_charge", To: "referred", Roles: coord, RequiresReason: true},
			{From: "taken_in_charge", To: "closed", Roles: both, RequiresReason: true},
			{From: "closed", To: "reopened", Roles: both, RequiresReason: true},
			{From: "reopened", To: "taken_in_charge", Roles: both},
			{From: "reopened", To: "closed", Roles: both, RequiresReason: true},
		},
	}
}

var stateName = regexp.MustCompile(`^[a-z_]{2,40}$`)

// Validate checks that w is usable: named, labelled and distinct states,
// exactly one initial, at least one terminal, transitions between known states
// (no duplicates, no self-loops), every role known (validRole; nil accepts
// any), and every state reachable from the initial one.
func (w Workflow) Validate(validRole func(string) bool) error {
	var fe fieldErrors
	if len(w.States) == 0 {
		fe.add("states", "il flusso deve avere almeno uno stato")
		return fe.err()
	}
	known := map[string]bool{}
	initial, terminal := "", 0
	for i, st := range w.States {
		field := fmt.Sprintf("states.%d", i)
		switch {
		case !stateName.MatchString(st.Name):
			fe.add(field+".name", "il nome dello stato deve avere da 2 a 40 lettere minuscole o trattini bassi")
		case known[st.Name]:
			fe.add(field+".name", fmt.Sprintf("lo stato %q è ripetuto", st.Name))
		}
		known[st.Name] = true
		if st.LabelIT == "" || st.LabelEN == "" {
			fe.add(field+".label", fmt.Sprintf("lo stato %q deve avere un'etichetta in italiano e in inglese", st.Name))
		}
		if st.Initial {
			if initial != "" {
				fe.add("initial", "il flusso deve avere un solo stato iniziale")
			}
			initial = st.Name
		}
		if st.Terminal {
			terminal++
		}
	}
	if initial == "" {
		fe.add("initial", "il flusso deve avere uno stato iniziale")
	}
	if terminal == 0 {
		fe.add("terminal", "il flusso deve avere almeno uno stato finale (di chiusura)")
	}
	seen := map[[2]string]bool{}
	next := map[string][]string{}
	for i, t := range w.Transitions {
		field := fmt.Sprintf("transitions.%d", i)
		if !known[t.From] || !known[t.To] {
			fe.add(field, fmt.Sprintf("il passaggio %q → %q usa uno stato che non esiste", t.From, t.To))
			continue
		}
		if t.From == t.To {
			fe.add(field, fmt.Sprintf("il passaggio %q → %q non cambia stato", t.From, t.To))
		}
		if seen[[2]string{t.From, t.To}] {
			fe.add(field, fmt.Sprintf("il passaggio %q → %q è ripetuto", t.From, t.To))
		}
		seen[[2]string{t.From, t.To}] = true
		for _, r := range t.Roles {
			if validRole != nil && !validRole(r) {
				fe.add(field+".roles", fmt.Sprintf("il ruolo %q non esiste", r))
			}
		}
		next[t.From] = append(next[t.From], t.To)
	}
	if initial != "" && len(fe) == 0 {
		reached := map[string]bool{initial: true}
		queue := []string{initial}
		for len(queue) > 0 {
			st := queue[0]
			queue = queue[1:]
			for _, n := range next[st] {
				if !reached[n] {
					reached[n] = true
					queue = append(queue, n)
				}
			}
		}
		for _, st := range w.States {
			if !reached[st.Name] {
				fe.add("transitions", fmt.Sprintf("lo stato %q non è raggiungibile dallo stato iniziale", st.Name))
			}
		}
	}
	return fe.err()
}

// Initial returns the initial state's name.
func (w Workflow) Initial() string {
	for _, st := range w.States {
		if st.Initial {
			return st.Name
		}
	}
	return ""
}

// State returns the state named name.
func (w Workflow) State(name string) (State, bool) {
	i := slices.IndexFunc(w.States, func(st State) bool { return st.Name == name })
	if i < 0 {
		return State{}, false
	}
	return w.States[i], true
}

// From returns the transitions out of state.
func (w Workflow) From(state string) []Transition {
	var ts []Transition
	for _, t := range w.Transitions {
		if t.From == state {
			ts = append(ts, t)
		}
	}
	return ts
}

// Allowed returns the transitions out of state that roles may take.
func (w Workflow) Allowed(state string, roles []string) []Transition {
	var ts []Transition
	for _, t := range w.From(state) {
		if t.allows(roles) {
			ts = append(ts, t)
		}
	}
	return ts
}

func (t Transition) allows(roles []string) bool {
	if len(t.Roles) == 0 {
		return true
	}
	for _, r := range roles {
		if slices.Contains(t.Roles, r) {
			return true
		}
	}
	return false
}

// find returns the transition from → to.
func (w Workflow) find(from, to string) (Transition, bool) {
	for _, t := range w.Transitions {
		if t.From == from && t.To == to {
			return t, true
		}
	}
	return Transition{}, false
}
