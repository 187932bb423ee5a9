package cli

import (
	"context"
	"fmt"
	"sort"

	"github.com/sigess/sigess/internal/app"
	"github.com/sigess/sigess/internal/catalog"
	"github.com/sigess/sigess/internal/templates"
	"github.com/sigess/sigess/internal/tenancy"
)

// demoCatalogRegion is the region whose demo enti share a catalogue template.
const demoCatalogRegion = "12"

// demoCatalogName names the demo catalogue template of Lazio.
const demoCatalogName = "Catalogo regionale dei servizi sociali"

func demoShare(v float64) *float64 { return &v }

// demoCatalogItems are the items of the demo template, by key. The INPS
// codes are shaped like SIUSS's; they are examples, not an official coding.
var demoCatalogItems = []struct {
	key string
	f   catalog.Fields
}{
	{"sad", catalog.Fields{Name: "Assistenza domiciliare socio-assistenziale", INPSCode: "A2.01", UserArea: "2", Unit: "hours",
		MeansTest: "1", ISEEThreshold: demoShare(20000), ShareEnte: 80, ShareUser: 20, Character: "1"}},
	{"adi", catalog.Fields{Name: "Assistenza domiciliare integrata con i servizi sanitari", INPSCode: "A2.02", UserArea: "2", Unit: "hours",
		MeansTest: "1", ISEEThreshold: demoShare(30000), ShareEnte: 50, ShareUser: 10, ShareHealth: 40, Character: "1"}},
	{"pasti", catalog.Fields{Name: "Pasti a domicilio", INPSCode: "A2.06", UserArea: "2", Unit: "accesses",
		MeansTest: "1", ISEEThreshold: demoShare(15000), ShareEnte: 60, ShareUser: 40, Character: "1"}},
	{"trasporto", catalog.Fields{Name: "Trasporto sociale", INPSCode: "A2.05", UserArea: "2", Unit: "accesses",
		MeansTest: "4", ShareEnte: 100, Character: "1"}},
	{"centro-diurno", catalog.Fields{Name: "Centro diurno per anziani", INPSCode: "A3.02", UserArea: "2", Unit: "days",
		MeansTest: "1", ISEEThreshold: demoShare(25000), ShareEnte: 70, ShareUser: 30, Character: "1"}},
	{"rsa", catalog.Fields{Name: "Retta per ricovero in RSA, quota sociale", INPSCode: "A3.01", UserArea: "2", Unit: "days",
		MeansTest: "1", ShareEnte: 50, ShareUser: 50, Character: "1"}},
	{"contributo-reddito", catalog.Fields{Name: "Contributo economico per il sostegno al reddito", INPSCode: "A1.01", UserArea: "3", Unit: "euro",
		MeansTest: "1", ISEEThreshold: demoShare(9360), ShareEnte: 100, Character: "2"}},
	{"contributo-affitto", catalog.Fields{Name: "Contributo economico per il canone di locazione", INPSCode: "A1.02", UserArea: "3", Unit: "euro",
		MeansTest: "1", ISEEThreshold: demoShare(14000), ShareEnte: 100, Character: "2"}},
}

// seedDemoCatalog publishes Lazio's demo catalogue template (once) and makes
// every demo ente of Lazio adopt it (once): a second run changes nothing.
func seedDemoCatalog(ctx context.Context, a *app.App, d *tenancy.Desired) error {
	inRegion := false
	for _, r := range d.Regions {
		inRegion = inRegion || r.Code == demoCatalogRegion
	}
	if !inRegion {
		return nil
	}
	who := templates.Actor{Email: "demo"}
	list, err := a.Templates.List(ctx, demoCatalogRegion, templates.KindCatalog)
	if err != nil {
		return err
	}
	var tmpl *templates.Template
	for i := range list {
		if list[i].Name == demoCatalogName {
			tmpl = &list[i]
		}
	}
	if tmpl == nil {
		if tmpl, err = a.Templates.Create(ctx, demoCatalogRegion, templates.KindCatalog, demoCatalogName,
			"Le prestazioni sociali di riferimento per gli enti del Lazio.", who); err != nil {
			return err
		}
	}
	if tmpl.LatestVersion == 0 {
		for _, it := range demoCatalogItems {
			if _, err := a.Templates.SaveItem(ctx, demoCatalogRegion, tmpl.ID, it.key, it.f.Values(), who); err != nil {
				return fmt.Errorf("demo catalogue item %s: %w", it.key, err)
			}
		}
		if _, _, err := a.Templates.Publish(ctx, demoCatalogRegion, tmpl.ID, "Prima versione", who); err != nil {
			return err
		}
	}
	slugs := make([]string, 0, len(d.Enti))
	for _, t := range d.Enti {
		slugs = append(slugs, t.Tenant.Slug)
	}
	sort.Strings(slugs)
	for _, slug := range slugs {
		t, err := a.Tenants.Get(ctx, slug)
		if err != nil {
			return err
		}
		if t.Region != demoCatalogRegion {
			continue
		}
		offers, err := a.Templates.Offers(ctx, t.ID, templates.KindCatalog)
		if err != nil {
			return err
		}
		for _, o := range offers {
			if o.ID == tmpl.ID && o.Adopted == nil {
				if _, err := a.Templates.Adopt(ctx, t.ID, tmpl.ID, who); err != nil {
					return fmt.Errorf("demo catalogue of %s: %w", slug, err)
				}
			}
		}
	}
	return nil
}
