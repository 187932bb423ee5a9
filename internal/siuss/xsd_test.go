package siuss

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/assessment"
	"github.com/sigess/sigess/internal/interventions"
	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/siuss/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// validate checks doc against the schema of tipo with xmllint: a missing
// xmllint fails the test (scripts/services.sh installs libxml2-utils).
func validate(t *testing.T, tipo, doc string) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatalf("xmllint not found (apt-get install libxml2-utils, or run scripts/services.sh): %v", err)
	}
	dir := t.TempDir()
	xsd := schema.PSPSASINA
	if tipo == TipoSINBA {
		xsd = schema.SINBA
	}
	for name, body := range map[string][]byte{"schema.xsd": xsd, "flow.xml": []byte(doc)} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(bin, "--noout", "--schema", filepath.Join(dir, "schema.xsd"), filepath.Join(dir, "flow.xml")).CombinedOutput()
	if err != nil {
		t.Fatalf("%s flow does not validate: %v\n%s\n%s", tipo, err, out, doc)
	}
}

func golden(t *testing.T, name, doc string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden.xml")
	if *update {
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != doc {
		t.Errorf("%s differs from %s:\n%s", name, path, doc)
	}
}

func ptr[T any](v T) *T { return &v }

// sample is a fixed input: an adult with an ISEE-tested, periodic benefit,
// taken in charge, with a SINA assessment.
func sample() *Input {
	person := uuid.MustParse("00000000-0000-4000-8000-000000000001")
	return &Input{
		Ente:       Ente{Name: "Comune di Roma", Belfiore: "H501"},
		OperatorCF: "VRDLGU70A01H501X",
		Operation:  OpActivation,
		EventDate:  people.Date{Year: 2026, Month: 2, Day: 2},
		It: interventions.Intervention{ID: uuid.MustParse("00000000-0000-4000-8000-000000000002"), PersonID: person,
			Unit: interventions.UnitEuro, ISEEThresholdCents: ptr(int64(1500000)),
			Data: interventions.Data{ApplicationProtocol: "PG/2026/0001234", StartDate: people.Date{Year: 2026, Month: 2, Day: 1},
				Character: interventions.CharacterPeriodic, MonthlyAmountCents: ptr(int64(30000)), PeriodMonths: ptr(6),
				ShareEnte: ptr(80.0), ShareUser: ptr(20.0), ShareHealth: ptr(0.0), MeansTest: interventions.MeansTestISEE,
				DSUProtocol: "INPS-ISEE-2026-00012345A-00", DSUYear: ptr(2026), DSUDate: people.Date{Year: 2026, Month: 1, Day: 15},
				ISEEValueCents: ptr(int64(720000)), TakenInCharge: true}},
		Entry: Entry{INPSCode: "A1.04", INPSName: "Contributi economici per alloggio", UserArea: "3"},
		Person: people.Person{ID: person, TaxCode: "RSSMRA80A01H501U", FirstName: "Mario", LastName: "Rossi", Sex: "M",
			BirthDate: people.Date{Year: 1980, Month: 1, Day: 1}, BirthPlace: "H501", Citizenship: "380", Residence: "058091"},
		Assessment: &assessment.Assessment{PersonID: person, SINA: assessment.SINA{Mobility: 2, DailyLiving: 2, Cognitive: 1,
			Behavioural: 1, Income: 3, Support: 2, Source: 2, Instrument: 1, CivilInvalidity: []int{1, 6}, InvaliditySource: 1}},
	}
}

func minor() *Input {
	in := sample()
	in.Person.FirstName, in.Person.BirthDate, in.Person.TaxCode = "Luca", people.Date{Year: 2014, Month: 6, Day: 10}, "RSSLCU14H10H501Q"
	in.Assessment.SINA = assessment.SINA{}
	in.Assessment.SINBA = &assessment.SINBA{Family: []string{"1", "3"}, Attributes: map[string]string{
		"MinoreStranieroNoAcc": "2", "CondizioneMinore": "1", "LuogoVita": "1", "ScuolaFrequentata": "6",
		"CondizioneLavoro": "1", "Disabilita": "2", "DataPrimaSegnalazione": "09/2025", "FonteSegnalazione": "13",
		"ValutazioneMinore": "2", "ValutazioneFamigliaMinore": "12", "SegnalazioneAutoritaGiudiziaria": "2",
		"ProvvedimentoGiudiziario": "2"}}
	in.Entry = Entry{INPSCode: "A2.06", INPSName: "Interventi di supporto educativo domiciliare", UserArea: "1"}
	return in
}

// TestGoldenFlows writes representative flows from fixed inputs and checks
// each against its golden file and its XSD.
func TestGoldenFlows(t *testing.T) {
	tenant := uuid.MustParse("00000000-0000-4000-8000-0000000000aa")
	cases := []struct {
		name, tipo string
		in         func() *Input
	}{
		{"activation_sina", TipoPS, sample},
		{"change", TipoPS, func() *Input {
			in := sample()
			in.Operation, in.EventDate = OpChange, people.Date{Year: 2026, Month: 3, Day: 10}
			in.It.MonthlyAmountCents, in.Assessment = ptr(int64(35050)), nil
			return in
		}},
		{"closure", TipoPS, func() *Input {
			in := sample()
			in.Operation, in.EventDate, in.It.ClosedOn = OpClosure, people.Date{Year: 2026, Month: 7, Day: 31}, people.Date{Year: 2026, Month: 7, Day: 31}
			return in
		}},
		{"cancellation", TipoPS, func() *Input {
			in := sample()
			in.Operation, in.Assessment = OpCancellation, nil
			in.It.Unit, in.It.MonthlyAmountCents, in.It.MonthlyHours = interventions.UnitHours, nil, ptr(12.5)
			in.It.MeansTest, in.It.TakenInCharge = interventions.MeansTestNone, false
			return in
		}},
		{"minor_ps", TipoPS, minor},
		{"minor_sinba", TipoSINBA, minor},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in()
			if fe := Missing(in); len(fe) > 0 {
				t.Fatalf("missing: %v", fe)
			}
			var doc string
			var err error
			if c.tipo == TipoSINBA {
				doc, err = BuildSINBA(in, tenant, "H501.SINBA.20260202.0000002")
			} else {
				doc, err = BuildPS(in, "H501.PS.20260202.0000001")
			}
			if err != nil {
				t.Fatal(err)
			}
			validate(t, c.tipo, doc)
			golden(t, c.name, doc)
		})
	}
}

// TestMissing: each datum INPS requires, when absent, is named.
func TestMissing(t *testing.T) {
	in := sample()
	in.Ente.Belfiore, in.OperatorCF, in.Person.TaxCode = "", "", ""
	in.It.MeansTest, in.It.MonthlyAmountCents, in.It.ApplicationProtocol = "", nil, ""
	var got []string
	for _, f := range Missing(in) {
		got = append(got, f.Field)
	}
	want := "ente.belfiore_code operator.tax_code person.tax_code application_protocol means_test monthly_amount_cents"
	if strings.Join(got, " ") != want {
		t.Errorf("missing = %v, want %s", got, want)
	}
	m := minor()
	m.Assessment.SINBA.Attributes["LuogoVita"] = ""
	m.Assessment.SINBA.Family = nil
	got = nil
	for _, f := range Missing(m) {
		got = append(got, f.Field)
	}
	if strings.Join(got, " ") != "assessment.sinba.LuogoVita assessment.sinba.family" {
		t.Errorf("minor missing = %v", got)
	}
	m.Assessment = nil
	if fe := Missing(m); len(fe) != 1 || fe[0].Field != "assessment.sinba" {
		t.Errorf("minor without assessment: %v", fe)
	}
}
