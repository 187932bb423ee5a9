package web_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/interventions"
	"github.com/sigess/sigess/internal/siuss"
)

// TestSIUSSFlowsAPI: an active intervention's flow is listed for the
// administrative office with its state, then with INPS's outcome; the state
// filter and bad input; a client without siuss:export is refused; another
// ente's client sees none of it.
func TestSIUSSFlowsAPI(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	s := approvedForSIUSS(t, a)
	w, it, dir, adm := s.world, s.it, s.dir, s.adm
	social := a.token(t, "latina", a.newAPIClient(t, "latina", "social_worker", "intake_operator", "auditor"))
	other := a.token(t, "viterbo", a.newAPIClient(t, "viterbo", "administrative"))

	// The intervention made active through the API.
	must(t, a.apiCall(t, http.MethodPost, s.path+"/transitions", adm, map[string]any{"to": "active"}), http.StatusOK)

	// Its flow, as internal/siuss writes it (its own tests cover the
	// generation; here the row is what the API lists).
	flows := siuss.NewService(pg.DB)
	id := fmt.Sprintf("E472.PS.%s.%07d", time.Now().Format("20060102"), rand.IntN(9_000_000)+1_000_000)
	err := pg.DB.InTenant(ctx, w.tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO siuss_flows (tenant_id, id_flusso, tipo, ts_flusso, intervention_id, event_seq, operation, tipo_operazione, xml)
			SELECT $1, $2, 'PS_PSA_SINA', date_trunc('milliseconds', clock_timestamp()), $3, max(seq), 'activation', 'I', '<Flusso/>'
			FROM intervention_events WHERE intervention_id = $3`, w.tenant, id, it.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	type page struct {
		Items []struct {
			IDFlusso       string `json:"id_flusso"`
			InterventionID string `json:"intervention_id"`
			State          string `json:"state"`
			Operation      string `json:"operation"`
			Outcome        *struct {
				Code        string `json:"code"`
				Description string `json:"description"`
			} `json:"outcome"`
		} `json:"items"`
		NextSince *int64 `json:"next_since"`
	}
	list := "/t/latina/api/v1/siuss/flows"
	p := decode[page](t, ok(t, a.apiCall(t, http.MethodGet, list+"?intervention_id="+it.ID.String(), adm, nil), http.StatusOK))
	if len(p.Items) != 1 || p.Items[0].IDFlusso != id || p.Items[0].State != "waiting" || p.Items[0].Operation != "activation" || p.Items[0].Outcome != nil {
		t.Fatalf("flows after activation: %+v", p)
	}
	if _, err := flows.RecordOutcome(ctx, w.tenant, id, siuss.Outcome{Code: "RICHIESTA_INVALIDA", Description: "Codice fiscale non presente in anagrafe tributaria"}); err != nil {
		t.Fatal(err)
	}
	p = decode[page](t, ok(t, a.apiCall(t, http.MethodGet, list+"?state=rejected&limit=100", adm, nil), http.StatusOK))
	var found bool
	for _, f := range p.Items {
		if f.IDFlusso == id {
			found = f.State == "rejected" && f.Outcome != nil && f.Outcome.Description == "Codice fiscale non presente in anagrafe tributaria"
		}
	}
	if !found {
		t.Errorf("state=rejected lacks %s with INPS's description: %+v", id, p)
	}
	p = decode[page](t, ok(t, a.apiCall(t, http.MethodGet, list+"?state=waiting&limit=100&intervention_id="+it.ID.String(), adm, nil), http.StatusOK))
	if len(p.Items) != 0 {
		t.Errorf("state=waiting lists the rejected flow: %+v", p)
	}
	// Paging: a full page carries next_since.
	p = decode[page](t, ok(t, a.apiCall(t, http.MethodGet, list+"?limit=1", adm, nil), http.StatusOK))
	if len(p.Items) != 1 || p.NextSince == nil {
		t.Errorf("a full page without next_since: %+v", p)
	}

	r := a.apiCall(t, http.MethodGet, list+"?state=lost&limit=500&since=-3&intervention_id=x", adm, nil)
	must(t, r, http.StatusUnprocessableEntity)
	if diff := cmp.Diff([]string{"state", "since", "limit", "intervention_id"}, problemFields(t, r)); diff != "" {
		t.Errorf("bad filters (-want +got):\n%s", diff)
	}
	must(t, a.apiCall(t, http.MethodGet, list, social, nil), http.StatusForbidden)
	must(t, a.apiCall(t, http.MethodGet, list, dir, nil), http.StatusForbidden) // interventions:read is not enough
	must(t, a.apiCall(t, http.MethodGet, list, "", nil), http.StatusUnauthorized)
	r = ok(t, a.apiCall(t, http.MethodGet, "/t/viterbo/api/v1/siuss/flows?limit=100", other, nil), http.StatusOK)
	if strings.Contains(r.Body, id) {
		t.Error("viterbo lists latina's flow")
	}
}

// ok is must that returns the response.
func ok(t *testing.T, r response, status int) response {
	t.Helper()
	must(t, r, status)
	return r
}

// siussSetup is an intervention of latina's interventionWorld requested and
// approved through the API by a client whose role may authorise, with
// everything activation needs filled in by an administrative client (its
// token adm), ready to activate.
type siussSetup struct {
	world    *caseWorld
	it       interventions.Intervention
	path     string // the intervention in the API
	dir, adm string // the clients' tokens
}

func approvedForSIUSS(t *testing.T, a *testApp) siussSetup {
	t.Helper()
	w, entry := interventionWorld(t, a)
	if err := a.Authz.SaveRole(context.Background(), w.tenant, authz.Role{Name: "direzione", LabelIT: "Direzione",
		Permissions: []string{"cases:read_all", "cases:write", "interventions:read", "interventions:request", "interventions:authorise"}}); err != nil {
		t.Fatal(err)
	}
	s := siussSetup{world: w, dir: a.token(t, "latina", a.newAPIClient(t, "latina", "direzione")),
		adm: a.token(t, "latina", a.newAPIClient(t, "latina", "administrative", "auditor"))}
	start := time.Now().AddDate(0, -1, 0).Format(time.DateOnly)
	base := "/t/latina/api/v1/interventions"
	r := a.apiCall(t, http.MethodPost, base, s.dir, map[string]any{"person_id": w.person, "case_id": w.c1.ID, "catalog_entry_id": entry, "start_date": start})
	must(t, r, http.StatusCreated)
	s.it = decode[interventions.Intervention](t, r)
	s.path = base + "/" + s.it.ID.String()
	must(t, a.apiCall(t, http.MethodPost, s.path+"/transitions", s.dir, map[string]any{"to": "approved"}), http.StatusOK)
	v := decode[interventions.View](t, a.apiCall(t, http.MethodGet, s.path, s.adm, nil))
	must(t, a.apiCall(t, http.MethodPatch, s.path, s.adm, map[string]any{"version": v.Version, "application_protocol": "PROT-2026-9",
		"monthly_amount_cents": 40000, "period_months": 6, "dsu_protocol": "INPS-ISEE-2026-00000009A-00", "dsu_year": 2026,
		"dsu_date": start, "isee_value_cents": 900000}), http.StatusOK)
	return s
}
