package households

// Code is an entry of a code list with its labels.
type Code struct {
	Code    string `json:"code"`
	LabelIT string `json:"label_it"`
	LabelEN string `json:"label_en"`
}

// Label is the code's label in locale ("it" or "en").
func (c Code) Label(locale string) string {
	if locale == "en" {
		return c.LabelEN
	}
	return c.LabelIT
}

// Head is the relationship of the head of household (intestatario), to whom
// the others' relationships refer.
const Head = "head"

// Relationships are the relationships to the head of household.
var Relationships = []Code{
	{Head, "Intestatario", "Head of household"},
	{"spouse", "Coniuge", "Spouse"},
	{"partner", "Convivente more uxorio / unito civilmente", "Partner"},
	{"child", "Figlio/a", "Child"},
	{"parent", "Genitore", "Parent"},
	{"sibling", "Fratello/sorella", "Sibling"},
	{"grandparent", "Nonno/a", "Grandparent"},
	{"grandchild", "Nipote (di nonni)", "Grandchild"},
	{"other_relative", "Altro parente", "Other relative"},
	{"unrelated", "Convivente non parente", "Cohabitant, not related"},
	{"carer", "Assistente familiare / badante", "Carer"},
}

// ISEE kinds.
const (
	KindOrdinario      = "ordinario"
	KindSocioSanitario = "socio_sanitario"
	KindMinorenni      = "minorenni"
	KindUniversitario  = "universitario"
	KindCorrente       = "corrente"
)

// Kinds are the kinds of ISEE INPS issues.
var Kinds = []Code{
	{KindOrdinario, "ISEE ordinario", "Standard ISEE"},
	{KindSocioSanitario, "ISEE socio-sanitario", "Social and health care ISEE"},
	{KindMinorenni, "ISEE minorenni", "ISEE for minors"},
	{KindUniversitario, "ISEE università", "University ISEE"},
	{KindCorrente, "ISEE corrente", "Current ISEE"},
}

func known(codes []Code, c string) bool {
	for _, k := range codes {
		if k.Code == c {
			return true
		}
	}
	return false
}
