package siuss

import (
	"encoding/xml"
	"fmt"
	"strconv"
)

// Namespace is the target namespace of both schemas.
const Namespace = "http://inps.it/Casellario"

type enteXML struct {
	Codice        string `xml:"Codice,attr"`
	Denominazione string `xml:"Denominazione,attr,omitempty"`
	Indirizzo     string `xml:"Indirizzo,attr"`
	CFOperatore   string `xml:"CFOperatore,attr"`
}

type identificazioneXML struct {
	Nome string  `xml:"Nome,attr"`
	Ente enteXML `xml:"Ente"`
}

type anagraficaXML struct {
	Cognome                   string `xml:"Cognome,attr"`
	Nome                      string `xml:"Nome,attr"`
	AnnoNascita               string `xml:"AnnoNascita,attr"`
	LuogoNascita              string `xml:"LuogoNascita,attr"`
	Genere                    string `xml:"Genere,attr"`
	CodiceCittadinanza        string `xml:"CodiceCittadinanza,attr"`
	CodiceSecondaCittadinanza string `xml:"CodiceSecondaCittadinanza,attr,omitempty"`
}

type indirizzoXML struct {
	CodiceRegione string `xml:"CodiceRegione,attr,omitempty"`
	CodiceComune  string `xml:"CodiceComune,attr,omitempty"`
	CodiceNazione string `xml:"CodiceNazione,attr"`
}

type invaliditaXML struct {
	InvCiv []int `xml:"InvCiv"`
}

type sinaXML struct {
	Invalidita                  *invaliditaXML `xml:"InvaliditaCivile,omitempty"`
	Mobilita                    int            `xml:"Mobilita,attr"`
	AttivitaVitaQuotidiana      int            `xml:"AttivitaVitaQuotidiana,attr"`
	DisturbiAreaCognitiva       string         `xml:"DisturbiAreaCognitiva,attr,omitempty"`
	DisturbiComportamentali     int            `xml:"DisturbiComportamentali,attr"`
	NecessitaCureSanitarie      string         `xml:"NecessitaCureSanitarie,attr,omitempty"`
	AreaReddituale              int            `xml:"AreaReddituale,attr"`
	AreaSupporto                int            `xml:"AreaSupporto,attr"`
	FonteDerivazioneValutazione int            `xml:"FonteDerivazioneValutazione,attr"`
	StrumentoValutazione        int            `xml:"StrumentoValutazione,attr"`
	FonteDerivazioneInvalidita  string         `xml:"FonteDerivazioneInvalidita,attr,omitempty"`
}

type prestazioneXML struct {
	SINA                     *sinaXML `xml:"SINA,omitempty"`
	TipoOperazione           string   `xml:"TipoOperazione,attr"`
	PresenzaProvaMezzi       string   `xml:"PresenzaProvaMezzi,attr"`
	CaratterePrestazione     string   `xml:"CaratterePrestazione,attr,omitempty"`
	NumeroProtocolloDSU      string   `xml:"NumeroProtocolloDSU,attr,omitempty"`
	AnnoProtocolloDSU        string   `xml:"AnnoProtocolloDSU,attr,omitempty"`
	DataDSU                  string   `xml:"DataDSU,attr,omitempty"`
	CodicePrestazione        string   `xml:"CodicePrestazione,attr"`
	DenominazionePrestazione string   `xml:"DenominazionePrestazione,attr"`
	ProtocolloDomanda        string   `xml:"ProtocolloDomanda,attr"`
	DataEvento               string   `xml:"DataEvento,attr,omitempty"`
	DataInizioPrestazione    string   `xml:"DataInizioPrestazione,attr,omitempty"`
	DataFinePrestazione      string   `xml:"DataFinePrestazione,attr,omitempty"`
	ImportoPrestazione       string   `xml:"ImportoPrestazione,attr,omitempty"`
	PeriodoErogazione        string   `xml:"PeriodoErogazione,attr,omitempty"`
	ImportoMensile           string   `xml:"ImportoMensile,attr,omitempty"`
	ImportoQuotaEnte         string   `xml:"ImportoQuotaEnte,attr,omitempty"`
	ImportoQuotaUtente       string   `xml:"ImportoQuotaUtente,attr,omitempty"`
	ImportoQuotaSSN          string   `xml:"ImportoQuotaSSN,attr,omitempty"`
	ImportoQuotaRichiesta    string   `xml:"ImportoQuotaRichiesta,attr,omitempty"`
	ImportoSogliaISEE        string   `xml:"ImportoSogliaISEE,attr,omitempty"`
	OreServizioMensile       string   `xml:"OreServizioMensile,attr,omitempty"`
	PresaCarico              string   `xml:"PresaCarico,attr"`
	AreaUtenza               string   `xml:"AreaUtenza,attr,omitempty"`
}

type beneficiarioXML struct {
	CodiceFiscale string         `xml:"CodiceFiscale,attr"`
	Anagrafica    anagraficaXML  `xml:"Anagrafica"`
	Indirizzo     indirizzoXML   `xml:"Indirizzo"`
	Prestazione   prestazioneXML `xml:"PrestazioniSociali"`
}

type psFlussoXML struct {
	XMLName         xml.Name           `xml:"http://inps.it/Casellario Flusso"`
	Identificazione identificazioneXML `xml:"IdentificazioneFlusso"`
	Beneficiario    beneficiarioXML    `xml:"Beneficiario"`
}

type sinbaXML struct {
	Attrs       []xml.Attr `xml:",any,attr"`
	Prestazioni struct {
		Codici []string `xml:"CodicePrestazione"`
	} `xml:"Prestazioni"`
	Famiglia struct {
		Composizione []string `xml:"ComposizioneFamiglia"`
	} `xml:"Famiglia"`
}

type sinbaFlussoXML struct {
	XMLName         xml.Name           `xml:"http://inps.it/Casellario Flusso"`
	Identificazione identificazioneXML `xml:"IdentificazioneFlusso"`
	SINBA           sinbaXML           `xml:"SINBA"`
}

// marshal writes v as a flow document: the XML declaration, two-space
// indentation, a final newline.
func marshal(v any) (string, error) {
	out, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return "", fmt.Errorf("siuss: xml: %w", err)
	}
	return xml.Header + string(out) + "\n", nil
}

// euro formats cents as a decimal of euro with two digits (xs:decimal).
func euro(cents int64) string {
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}

// hoursHHMM formats hours as SIUSS's OreServizioMensile: HH.MM, hours and
// minutes (12.5 hours is 12.30).
func hoursHHMM(h float64) string {
	mins := int64(h*60 + 0.5)
	return fmt.Sprintf("%d.%02d", mins/60, mins%60)
}

func itoa(n int) string { return strconv.Itoa(n) }
