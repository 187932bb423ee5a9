// Package assessment keeps the assessments of a case: the SINA dimensions of
// PS_PSA_SINA201812.xsd with their source and instrument, and for a minor the
// SINBA data of SINBA.xsd. Assessments are never changed: a new one supersedes
// the last, and the case shows the latest and the history. Values are kept as
// the schemas' codes, so that a SIUSS flow is written from a row as it is.
// Who may read or write is the case file's decision (casefile AccessTo),
// asked in the transaction that reads or writes, which also writes the trail.
package assessment

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/people"
)

// Assessment is one assessment of a case's person, as written.
type Assessment struct {
	ID         uuid.UUID   `json:"id"`
	CaseID     uuid.UUID   `json:"case_id"`
	PersonID   uuid.UUID   `json:"person_id"`
	Seq        int         `json:"seq"` // 1, 2, … in the case: the highest is the latest
	AssessedOn people.Date `json:"assessed_on"`
	SINA       SINA        `json:"sina"`
	SINBA      *SINBA      `json:"sinba"` // nil for an adult, or when not recorded
	Notes      string      `json:"notes"`
	AuthorID   uuid.UUID   `json:"author_id"`
	AuthorName string      `json:"author_name"`
	CreatedAt  time.Time   `json:"created_at"`
}

// SINA is the SINAType of PS_PSA_SINA201812.xsd: every value is the schema's
// code. Cognitive, HealthCare and InvaliditySource are optional there: 0 is
// "not given".
type SINA struct {
	Mobility         int    `json:"mobility"`                    // Mobilita 1..3
	DailyLiving      int    `json:"daily_living"`                // AttivitaVitaQuotidiana 1..3
	Cognitive        int    `json:"cognitive,omitempty"`         // DisturbiAreaCognitiva 1..3
	Behavioural      int    `json:"behavioural"`                 // DisturbiComportamentali 1..2
	HealthCare       int    `json:"health_care,omitempty"`       // NecessitaCureSanitarie 1..3
	Income           int    `json:"income"`                      // AreaReddituale 1..3
	Support          int    `json:"support"`                     // AreaSupporto 1..3
	Source           int    `json:"source"`                      // FonteDerivazioneValutazione 1..4
	Instrument       int    `json:"instrument"`                  // StrumentoValutazione 1..7
	InstrumentOther  string `json:"instrument_other,omitempty"`  // the instrument's name when Instrument is 7
	CivilInvalidity  []int  `json:"civil_invalidity"`            // InvCiv 1..8
	InvaliditySource int    `json:"invalidity_source,omitempty"` // FonteDerivazioneInvalidita 1..2
}

// SINBA is the SinbaType of SINBA.xsd an assessment of a minor keeps:
// Attributes maps the schema's attribute names (CondizioneMinore, LuogoVita,
// DataPrimaSegnalazione…) to their codes or values; Family lists the codes
// of ComposizioneFamiglia. Fields lists what may be given.
type SINBA struct {
	Attributes map[string]string `json:"attributes"`
	Family     []string          `json:"family"`
}

// Input is a new assessment. A zero AssessedOn is today.
type Input struct {
	AssessedOn people.Date
	SINA       SINA
	SINBA      *SINBA
	Notes      string
}

// Dimension is one SINA dimension: its field name (JSON and form), its
// attribute in the schema, how many levels it has and whether it is required.
type Dimension struct {
	Field, Attribute string
	Levels           int
	Required         bool
}

// Dimensions are the seven SINA dimensions, in the schema's order.
var Dimensions = []Dimension{
	{"mobility", "Mobilita", 3, true},
	{"daily_living", "AttivitaVitaQuotidiana", 3, true},
	{"cognitive", "DisturbiAreaCognitiva", 3, false},
	{"behavioural", "DisturbiComportamentali", 2, true},
	{"health_care", "NecessitaCureSanitarie", 3, false},
	{"income", "AreaReddituale", 3, true},
	{"support", "AreaSupporto", 3, true},
}

// Value returns the code of dimension field in s (0 when not given).
func (s SINA) Value(field string) int {
	switch field {
	case "mobility":
		return s.Mobility
	case "daily_living":
		return s.DailyLiving
	case "cognitive":
		return s.Cognitive
	case "behavioural":
		return s.Behavioural
	case "health_care":
		return s.HealthCare
	case "income":
		return s.Income
	case "support":
		return s.Support
	}
	return 0
}

// Set sets the code of dimension field in s.
func (s *SINA) Set(field string, v int) {
	switch field {
	case "mobility":
		s.Mobility = v
	case "daily_living":
		s.DailyLiving = v
	case "cognitive":
		s.Cognitive = v
	case "behavioural":
		s.Behavioural = v
	case "health_care":
		s.HealthCare = v
	case "income":
		s.Income = v
	case "support":
		s.Support = v
	}
}

// Codes of the SINA source, instrument and civil invalidity, as the schema
// numbers them (FonteDerivazioneValutazione, StrumentoValutazione, InvCiv,
// FonteDerivazioneInvalidita); the web layer names them.
const (
	Sources             = 4 // 1 UVM, 2 cartella sociale, 3 altra documentazione, 4 raccolta diretta
	Instruments         = 7 // 1 SVAMA, 2 AGED, 3 RUG, 4 SOSIA, 5 Schema polare, 6 VALGRAF, 7 altro
	InstrumentOther     = 7
	CivilInvalidities   = 8
	InvaliditySources   = 2
	minorAgeYears       = 18
	maxNotes            = 5000
	maxInstrumentOther  = 200
	maxSINBAFamilyCodes = 6
)

// Subject is the case an assessment is about, as the pages need it: its
// number and its person, and whether the person is a minor today.
type Subject struct {
	CaseID     uuid.UUID   `json:"case_id"`
	CaseNumber string      `json:"case_number"`
	PersonID   uuid.UUID   `json:"person_id"`
	PersonName string      `json:"person_name"`
	BirthDate  people.Date `json:"birth_date"`
	Minor      bool        `json:"minor"`
}

// Cases tells what a viewer may do with a case (casefile.Service implements
// it), inside the caller's transaction.
type Cases interface {
	AccessTo(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, v casefile.Viewer) (casefile.Access, error)
}

// minorOn reports whether someone born on birth is under 18 on day.
func minorOn(birth, day people.Date) bool {
	adult := people.Date{Year: birth.Year + minorAgeYears, Month: birth.Month, Day: birth.Day}
	return day.Time().Before(adult.Time())
}
