package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/siuss"
)

// TestSIUSSPages: the administrative office sees an intervention's flow in
// the list and on the intervention's page, then INPS's description once it
// is rejected; a resend while the beneficiary lacks the tax code is refused
// naming it (nothing sent) and the intervention's page says what INPS
// lacks; once fixed, the resend makes a new waiting flow superseding the
// rejected one; each read and the resend are audited; a social worker
// without siuss:export gets 403; an unknown flow is 404.
func TestSIUSSPages(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	s := approvedForSIUSS(t, a)
	w, it := s.world, s.it
	cf := func() string { return "RSSMRA80A01H" + strings.ToUpper(uuid.NewString()[:3]) + "Z" }
	pg.Exec(t, w.tenant, `UPDATE people SET tax_code = $2, residence = '058091' WHERE id = $1`, w.person, cf())

	// The administrative office, with a tax code (CFOperatore), activates it.
	admAcct := a.seed(t, "latina", false, "administrative")
	pg.Exec(t, w.tenant, `UPDATE operators SET tax_code = $2 WHERE id = $1`, admAcct.ID,
		"VRDLGU70A01H"+strings.ToUpper(uuid.NewString()[:3])+"X")
	adm := a.client(t)
	adm.login("/t/latina", admAcct)
	itPage := "/t/latina/interventions/" + it.ID.String()
	must(t, adm.get(itPage), http.StatusOK, `value="active"`)
	must(t, adm.post(itPage+"/transitions", url.Values{"to": {"active"}}), http.StatusSeeOther)

	// The activation's flow, as the app's event hook writes it (the
	// harness's interventions service has no hook).
	flows := siuss.NewService(pg.DB)
	var res *siuss.Result
	err := pg.DB.InTenant(ctx, w.tenant, func(tx pgx.Tx) error {
		var seq int
		if err := tx.QueryRow(ctx, `SELECT max(seq) FROM intervention_events WHERE intervention_id = $1`, it.ID).Scan(&seq); err != nil {
			return err
		}
		var err error
		res, err = flows.Generate(ctx, tx, w.tenant, it.ID, seq)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Flows) != 1 {
		t.Fatalf("activation produced no flow: %+v", res)
	}
	list := func() []siuss.Flow {
		t.Helper()
		fs, err := flows.List(ctx, w.tenant, siuss.Filter{InterventionID: it.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}
	old := list()[0].IDFlusso

	ui := "/t/latina/siuss"
	flowPage := ui + "/" + old
	must(t, adm.get("/t/latina/"), http.StatusOK, `href="/t/latina/siuss"`)
	must(t, adm.get(ui), http.StatusOK, old, "In attesa", "PS_PSA_SINA", "Attivazione (I)", itPage)
	must(t, adm.get(itPage), http.StatusOK, "Flussi SIUSS", old, "In attesa")

	const why = "Codice fiscale non presente in anagrafe tributaria"
	if _, err := flows.RecordOutcome(ctx, w.tenant, old, siuss.Outcome{Code: siuss.OutcomeDataNotFound, Description: why}); err != nil {
		t.Fatal(err)
	}
	r := adm.get(ui + "?state=rejected")
	must(t, r, http.StatusOK, old, "Scartato", why)
	if r = adm.get(ui + "?state=waiting"); strings.Contains(r.Body, old) {
		t.Error("state=waiting lists the rejected flow")
	}
	if r = adm.get(ui + "?intervention=" + uuid.NewString()); strings.Contains(r.Body, old) {
		t.Error("another intervention's filter lists the flow")
	}
	must(t, adm.get(ui+"?intervention=x"), http.StatusUnprocessableEntity, "Indicare un identificativo di intervento valido")
	r = adm.get(flowPage)
	must(t, r, http.StatusOK, why, "Invia di nuovo", "invia da sola un nuovo flusso di variazione", "&lt;?xml", "DATI_NON_TROVATI", flowPage+"/xml")
	must(t, adm.get(itPage), http.StatusOK, "Scartato", why)
	r = adm.get(flowPage + "/xml")
	must(t, r, http.StatusOK, "<?xml", `Nome="`+old+`"`)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") {
		t.Errorf("XML download Content-Type %q", ct)
	}

	// Still missing: refused naming the field, nothing sent; the
	// intervention's page says what INPS lacks.
	pg.Exec(t, w.tenant, `UPDATE people SET tax_code = NULL WHERE id = $1`, w.person)
	r = adm.post(flowPage+"/resend", nil)
	must(t, r, http.StatusUnprocessableEntity, "mancano ancora dati richiesti da INPS", "Codice fiscale del beneficiario")
	if fs := list(); len(fs) != 1 {
		t.Fatalf("a refused resend sent flows: %+v", fs)
	}
	must(t, adm.get(itPage), http.StatusOK, "Per l&#39;invio a INPS mancano:", "Codice fiscale del beneficiario")

	// Fixed: the resend is a new waiting flow superseding the rejected one.
	pg.Exec(t, w.tenant, `UPDATE people SET tax_code = $2 WHERE id = $1`, w.person, cf())
	r = adm.post(flowPage+"/resend", nil)
	must(t, r, http.StatusSeeOther)
	fs := list()
	if len(fs) != 2 || fs[0].IDFlusso != old || fs[0].SupersededBy == nil || *fs[0].SupersededBy != fs[1].ID ||
		fs[1].State != siuss.StateWaiting || fs[1].Operation != siuss.OpActivation {
		t.Fatalf("after the resend: %+v", fs)
	}
	if !strings.HasPrefix(r.Location, ui+"/"+fs[1].IDFlusso) {
		t.Errorf("resend goes to %s", r.Location)
	}
	must(t, adm.get(r.Location), http.StatusOK, "inviato di nuovo", "In attesa")
	must(t, adm.get(flowPage), http.StatusOK, "Sostituito dal flusso", fs[1].IDFlusso)
	if r = adm.get(flowPage); strings.Contains(r.Body, `action="`+flowPage+`/resend"`) {
		t.Error("a replaced flow still offers Invia di nuovo")
	}
	must(t, adm.post(flowPage+"/resend", nil), http.StatusConflict, "solo un flusso scartato")
	r = adm.get(itPage)
	must(t, r, http.StatusOK, old, fs[1].IDFlusso)
	if strings.Contains(r.Body, "Per l&#39;invio a INPS mancano") {
		t.Error("the intervention's page still says data are missing")
	}
	must(t, adm.get(ui+"/H501.PS.20260101.0000099"), http.StatusNotFound)
	must(t, adm.post(ui+"/H501.PS.20260101.0000099/resend", nil), http.StatusNotFound)

	// Audited in the same transactions.
	for _, action := range []string{"siuss.flows_listed", "siuss.flow_viewed", "siuss.flow_resent"} {
		var n int
		err := pg.DB.InTenant(ctx, w.tenant, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = $1 AND actor_id = $2`, action, admAcct.ID).Scan(&n)
		})
		if err != nil || n == 0 {
			t.Errorf("%s: %d audit events (%v)", action, n, err)
		}
	}

	// Another ente's administrative office finds none of it.
	vit := a.client(t)
	vit.login("/t/viterbo", a.seed(t, "viterbo", false, "administrative"))
	if r = vit.get("/t/viterbo/siuss"); r.Status != http.StatusOK || strings.Contains(r.Body, old) {
		t.Errorf("viterbo's list: %d, lists latina's flow: %v", r.Status, strings.Contains(r.Body, old))
	}
	must(t, vit.get("/t/viterbo/siuss/"+old), http.StatusNotFound)
	must(t, vit.get("/t/viterbo/siuss/"+old+"/xml"), http.StatusNotFound)
	must(t, vit.post("/t/viterbo/siuss/"+fs[1].IDFlusso+"/resend", nil), http.StatusNotFound)

	// A social worker (no siuss:export) may not see them.
	sw := a.client(t)
	sw.login("/t/latina", w.swA)
	must(t, sw.get(ui), http.StatusForbidden)
	must(t, sw.get(flowPage), http.StatusForbidden)
	must(t, sw.get(flowPage+"/xml"), http.StatusForbidden)
	must(t, sw.post(flowPage+"/resend", url.Values{}), http.StatusForbidden)
	if r = sw.get("/t/latina/"); strings.Contains(r.Body, `href="/t/latina/siuss"`) {
		t.Error("the social worker's navigation links the SIUSS flows")
	}
}
