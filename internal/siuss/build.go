package siuss

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/assessment"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/interventions"
	"github.com/sigess/sigess/internal/istat"
	"github.com/sigess/sigess/internal/people"
)

// Input is everything a flow is written from: the ente, the operator who
// made the event, the event, the intervention as it was after it (the
// event's snapshot), its catalogue entry, the beneficiary and the case's
// latest assessment (nil when there is none).
type Input struct {
	Ente       Ente
	OperatorCF string // CFOperatore: the tax code of who made the event
	Operation  string // OpActivation, OpChange, OpClosure, OpCancellation
	EventDate  people.Date
	It         interventions.Intervention
	Entry      Entry
	Person     people.Person
	Assessment *assessment.Assessment
}

// Ente is the ente a flow is about.
type Ente struct {
	Name     string // Denominazione (cut to 100 characters)
	Belfiore string // Codice and Indirizzo; the first part of id_flusso
}

// Entry is what a flow needs of the catalogue entry.
type Entry struct {
	INPSCode string // CodicePrestazione
	INPSName string // DenominazionePrestazione (DenominazioneINPS)
	UserArea string // AreaUtenza 1..3
}

// The operations a flow reports.
const (
	OpActivation   = "activation"
	OpChange       = "change"
	OpClosure      = "closure"
	OpCancellation = "cancellation"
)

var (
	taxCodeRE  = regexp.MustCompile(`^[A-Za-z]{6}\d{2}[A-Za-z]\d{2}[A-Za-z][A-Za-z0-9]{3}[A-Za-z]$|^\d{11}$`)
	belfioreRE = regexp.MustCompile(`^[A-Z][0-9]{3}$`)
)

// Minor reports whether the beneficiary is under 18 on the event's day.
func (in *Input) Minor() bool {
	b, d := in.Person.BirthDate, in.EventDate
	if b.IsZero() || d.IsZero() {
		return false
	}
	return age(b, d) < 18
}

func age(b, d people.Date) int {
	a := d.Year - b.Year
	if d.Month < b.Month || (d.Month == b.Month && d.Day < b.Day) {
		a--
	}
	return a
}

// Missing lists what INPS requires that in lacks for the PS_PSA_SINA flow
// of its event, and for a minor the SINBA flow: no flow is written while
// the list is not empty. Field names are the intervention's (its form's and
// API's: application_protocol, means_test…), "person.<field>" for the
// beneficiary, "ente.belfiore_code", "operator.tax_code" and
// "assessment.sinba[.<Attribute>]"; messages are Italian.
func Missing(in *Input) []derrors.FieldError {
	return append(missingPS(in), missingSINBA(in)...)
}

func missingPS(in *Input) []derrors.FieldError {
	var fe []derrors.FieldError
	add := func(f, m string) { fe = append(fe, derrors.FieldError{Field: f, Message: m}) }
	if !belfioreRE.MatchString(in.Ente.Belfiore) {
		add("ente.belfiore_code", "l'ente non ha il codice catastale (Belfiore): un ambito deve avere quello del comune capofila")
	}
	if !taxCodeRE.MatchString(in.OperatorCF) {
		add("operator.tax_code", "l'operatore che ha registrato l'evento non ha il codice fiscale nel profilo")
	}
	p := in.Person
	if !taxCodeRE.MatchString(p.TaxCode) {
		add("person.tax_code", "il beneficiario non ha il codice fiscale")
	}
	if len(p.BirthPlace) != 4 {
		add("person.birth_place", "manca il luogo di nascita del beneficiario")
	}
	if p.Sex != "M" && p.Sex != "F" {
		add("person.sex", "manca il sesso del beneficiario")
	}
	if residence(p) == "" {
		add("person.residence", "manca il comune di residenza (o di domicilio) del beneficiario")
	}
	e := in.Entry
	if n := len(e.INPSCode); n < 5 || n > 10 {
		add("catalog.inps_code", "la voce di catalogo non ha il codice prestazione INPS")
	}
	if n := len([]rune(e.INPSName)); n < 10 || n > 200 {
		add("catalog.inps_name", "la denominazione INPS della prestazione deve avere da 10 a 200 caratteri")
	}
	d := in.It.Data
	if d.ApplicationProtocol == "" {
		add("application_protocol", "indicare il protocollo della domanda")
	}
	if d.MeansTest == "" {
		add("means_test", "indicare la prova dei mezzi")
	}
	if d.MeansTest == interventions.MeansTestISEE && (d.DSUProtocol == "" || d.DSUYear == nil || d.DSUDate.IsZero()) {
		add("dsu_protocol", "per una prestazione soggetta a ISEE indicare protocollo, anno e data della DSU")
	}
	if d.Character == "" {
		add("character", "indicare se l'intervento è periodico od occasionale")
	}
	if d.StartDate.IsZero() {
		add("start_date", "indicare la data di inizio")
	}
	if in.It.Unit == interventions.UnitHours {
		if d.MonthlyHours == nil || *d.MonthlyHours <= 0 {
			add("monthly_hours", "indicare le ore mensili di servizio")
		}
	} else if pos(d.MonthlyAmountCents) == 0 && pos(d.TotalAmountCents) == 0 {
		add("monthly_amount_cents", "indicare l'importo mensile o l'importo totale")
	}
	if d.TakenInCharge && e.UserArea == "" {
		add("catalog.user_area", "con la presa in carico serve l'area di utenza della voce di catalogo")
	}
	if in.Operation == OpClosure && in.It.ClosedOn.IsZero() {
		add("closed_on", "manca la data di chiusura")
	}
	return fe
}

func missingSINBA(in *Input) []derrors.FieldError {
	if !in.Minor() || in.Operation == OpCancellation {
		return nil
	}
	a := in.Assessment
	if a == nil || a.SINBA == nil || a.PersonID != in.Person.ID {
		return []derrors.FieldError{{Field: "assessment.sinba", Message: "per un minore serve una valutazione con i dati SINBA"}}
	}
	var fe []derrors.FieldError
	for _, f := range assessment.SINBAFields() {
		if f.Required && a.SINBA.Attributes[f.Name] == "" {
			fe = append(fe, derrors.FieldError{Field: "assessment.sinba." + f.Name, Message: "dato obbligatorio per il flusso SINBA"})
		}
	}
	if len(a.SINBA.Family) == 0 {
		fe = append(fe, derrors.FieldError{Field: "assessment.sinba.family", Message: "indicare la composizione della famiglia"})
	}
	return fe
}

func pos(v *int64) int64 {
	if v == nil || *v < 0 {
		return 0
	}
	return *v
}

// residence is the ISTAT code of the beneficiary's comune: residence, or
// domicile without one.
func residence(p people.Person) string {
	if p.Residence != "" {
		return p.Residence
	}
	return p.Domicile
}

func cut(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

func date(d people.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

func ente(in *Input, idFlusso string) identificazioneXML {
	return identificazioneXML{Nome: idFlusso, Ente: enteXML{Codice: in.Ente.Belfiore, Denominazione: cut(in.Ente.Name, 100),
		Indirizzo: in.Ente.Belfiore, CFOperatore: strings.ToUpper(in.OperatorCF)}}
}

// quotes splits amount among the shares: ente and user rounded to the cent,
// the health service the rest, so that the three add up to amount.
func quotes(amount int64, d interventions.Data) (ente, user, ssn string) {
	if d.ShareEnte == nil || d.ShareUser == nil || d.ShareHealth == nil || amount <= 0 {
		return "", "", ""
	}
	e := int64(math.Round(float64(amount) * *d.ShareEnte / 100))
	u := int64(math.Round(float64(amount) * *d.ShareUser / 100))
	h := amount - e - u
	if h < 0 {
		h = 0
	}
	return euro(e), euro(u), euro(h)
}

// BuildPS writes the PS_PSA_SINA flow idFlusso of in. in must have nothing
// Missing.
func BuildPS(in *Input, idFlusso string) (string, error) {
	p, d := in.Person, in.It.Data
	res := residence(p)
	ind := indirizzoXML{CodiceNazione: "380", CodiceComune: res}
	if c, ok := istat.ByCode(res); ok {
		ind.CodiceRegione = c.RegionCode
	}
	citizenship := p.Citizenship
	if citizenship == "" {
		citizenship = "380"
	}
	genere := "1"
	if p.Sex == "F" {
		genere = "2"
	}
	ps := prestazioneXML{
		TipoOperazione: "I", PresenzaProvaMezzi: d.MeansTest, CaratterePrestazione: d.Character,
		CodicePrestazione: in.Entry.INPSCode, DenominazionePrestazione: cut(in.Entry.INPSName, 200),
		ProtocolloDomanda: d.ApplicationProtocol, DataEvento: date(in.EventDate), DataInizioPrestazione: date(d.StartDate),
		PresaCarico: "2",
	}
	if in.Operation == OpCancellation {
		ps.TipoOperazione = "C"
	}
	if d.MeansTest == interventions.MeansTestISEE {
		ps.NumeroProtocolloDSU, ps.DataDSU = d.DSUProtocol, date(d.DSUDate)
		if d.DSUYear != nil {
			ps.AnnoProtocolloDSU = fmt.Sprintf("%04d", *d.DSUYear)
		}
	}
	if in.Operation == OpClosure {
		ps.DataFinePrestazione = date(in.It.ClosedOn)
		if !d.EndDate.IsZero() && d.EndDate.Time().Before(in.It.ClosedOn.Time()) {
			ps.DataFinePrestazione = date(d.EndDate)
		}
	}
	if v := pos(d.TotalAmountCents); v > 0 {
		ps.ImportoPrestazione = euro(v)
	}
	if v := pos(d.MonthlyAmountCents); v > 0 {
		ps.ImportoMensile = euro(v)
		if d.PeriodMonths != nil {
			ps.PeriodoErogazione = itoa(*d.PeriodMonths)
		}
	}
	base := pos(d.MonthlyAmountCents)
	if base == 0 {
		base = pos(d.TotalAmountCents)
	}
	ps.ImportoQuotaEnte, ps.ImportoQuotaUtente, ps.ImportoQuotaSSN = quotes(base, d)
	if v := pos(d.RequestedAmountCents); v > 0 {
		ps.ImportoQuotaRichiesta = euro(v)
	}
	if t := in.It.ISEEThresholdCents; t != nil && *t > 0 {
		ps.ImportoSogliaISEE = euro(*t)
	}
	if d.MonthlyHours != nil && *d.MonthlyHours > 0 {
		ps.OreServizioMensile = hoursHHMM(*d.MonthlyHours)
	}
	if d.TakenInCharge {
		ps.PresaCarico, ps.AreaUtenza = "1", in.Entry.UserArea
	} else if in.Entry.UserArea != "" {
		ps.AreaUtenza = in.Entry.UserArea
	}
	if a := in.Assessment; a != nil && a.PersonID == p.ID && a.SINA.Mobility > 0 {
		ps.SINA = sina(a.SINA)
	}
	doc := psFlussoXML{Identificazione: ente(in, idFlusso), Beneficiario: beneficiarioXML{
		CodiceFiscale: strings.ToUpper(p.TaxCode),
		Anagrafica: anagraficaXML{Cognome: cut(p.LastName, 36), Nome: cut(p.FirstName, 36),
			AnnoNascita: fmt.Sprintf("%04d", p.BirthDate.Year), LuogoNascita: p.BirthPlace, Genere: genere,
			CodiceCittadinanza: citizenship, CodiceSecondaCittadinanza: p.SecondCitizenship},
		Indirizzo:   ind,
		Prestazione: ps,
	}}
	return marshal(doc)
}

func sina(s assessment.SINA) *sinaXML {
	opt := func(v int) string {
		if v <= 0 {
			return ""
		}
		return itoa(v)
	}
	x := &sinaXML{Mobilita: s.Mobility, AttivitaVitaQuotidiana: s.DailyLiving, DisturbiAreaCognitiva: opt(s.Cognitive),
		DisturbiComportamentali: s.Behavioural, NecessitaCureSanitarie: opt(s.HealthCare), AreaReddituale: s.Income,
		AreaSupporto: s.Support, FonteDerivazioneValutazione: s.Source, StrumentoValutazione: s.Instrument,
		FonteDerivazioneInvalidita: opt(s.InvaliditySource)}
	if len(s.CivilInvalidity) > 0 {
		x.Invalidita = &invaliditaXML{InvCiv: s.CivilInvalidity}
	}
	return x
}

// BeneficiaryID is the IDBeneficiario of a SINBA flow: a pseudonym of the
// person, stable per ente (SINBA carries no tax code), 20 hex digits.
func BeneficiaryID(tenant, person uuid.UUID) string {
	h := sha256.Sum256(append(tenant[:], person[:]...))
	return strings.ToUpper(hex.EncodeToString(h[:10]))
}

// ageBand is FasciaEtaBeneficiario: 1 for 0-3 years … 6 for 15-18.
func ageBand(years int) string {
	b := years/3 + 1
	if b < 1 {
		b = 1
	}
	if b > 6 {
		b = 6
	}
	return itoa(b)
}

// iseeBand is FasciaISEEBeneficiario of an ISEE value in cents.
func iseeBand(cents int64) string {
	for i, limit := range []int64{0, 300000, 600000, 900000, 1200000, 1500000, 2000000} {
		if cents <= limit {
			return itoa(i + 1)
		}
	}
	return "8"
}

// BuildSINBA writes the SINBA flow idFlusso of in (a minor's): the
// assessment's SINBA attributes in the schema's order, then what SIGeSS
// knows itself (age band, ISEE band, birth year, residence).
func BuildSINBA(in *Input, tenant uuid.UUID, idFlusso string) (string, error) {
	p, a := in.Person, in.Assessment
	attrs := []xml.Attr{{Name: xml.Name{Local: "IDBeneficiario"}, Value: BeneficiaryID(tenant, p.ID)}}
	for _, f := range assessment.SINBAFields() {
		if v := a.SINBA.Attributes[f.Name]; v != "" {
			attrs = append(attrs, xml.Attr{Name: xml.Name{Local: f.Name}, Value: v})
		}
	}
	attr := func(n, v string) { attrs = append(attrs, xml.Attr{Name: xml.Name{Local: n}, Value: v}) }
	attr("FasciaEtaBeneficiario", ageBand(age(p.BirthDate, in.EventDate)))
	if v := in.It.ISEEValueCents; v != nil {
		attr("FasciaISEEBeneficiario", iseeBand(*v))
	}
	attr("AnnoNascita", fmt.Sprintf("%04d", p.BirthDate.Year))
	if c, ok := istat.ByCode(residence(p)); ok {
		attr("CodiceRegioneResidenza", c.RegionCode)
	}
	attr("CodiceNazioneResidenza", "380")
	s := sinbaXML{Attrs: attrs}
	s.Prestazioni.Codici = []string{in.Entry.INPSCode}
	s.Famiglia.Composizione = a.SINBA.Family
	return marshal(sinbaFlussoXML{Identificazione: ente(in, idFlusso), SINBA: s})
}

// rome is the time zone of the ente's days (id_flusso's AAAAMMGG).
var rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return l
}()
