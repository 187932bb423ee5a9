package cli

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/app"
	"github.com/sigess/sigess/internal/identity"
	"github.com/sigess/sigess/internal/tenancy"
	"github.com/sigess/sigess/tenants"
)

// DefaultDemoPassword is the demo operators' password when SIGESS_DEMO_PASSWORD
// is not set. It is printed by `sigess demo` and `make run`: demo data only.
const DefaultDemoPassword = "sigess-demo-2026"

// demoRoles are the demo operators of every ente: one per built-in role, with
// the local part of their e-mail and the kinds of unit they work in.
var demoRoles = []struct {
	role, alias, name, profile string
	units                      []string
}{
	{"tenant_admin", "admin", "Amministratore", "Amministratore di sistema", nil},
	{"coordinator", "coordinatore", "Coordinatrice", "Assistente sociale coordinatrice", []string{"social_service"}},
	{"social_worker", "assistente", "Assistente sociale", "Assistente sociale", []string{"social_service"}},
	{"intake_operator", "sportello", "Operatore di sportello", "Operatore PUA", []string{"pua", "secretariat"}},
	{"administrative", "amministrativo", "Istruttore amministrativo", "Amministrativo", nil},
	{"auditor", "dpo", "Responsabile protezione dati", "DPO", nil},
}

// demoLogin is one demo account, as `sigess demo --json` prints it.
type demoLogin struct {
	Tenant     string `json:"tenant"`
	Region     string `json:"region,omitempty"`
	Role       string `json:"role"`
	Email      string `json:"email"`
	Password   string `json:"password"`
	TOTPSecret string `json:"totp_secret,omitempty"`
	LoginURL   string `json:"login_url"`
}

func runDemo(ctx context.Context, e *Env, args []string) error {
	fs := newFlags(e, "demo", "[--json]", summaryOf("demo")+
		".\nApplies the region and ente files built into the binary (the repository's tenants/\nfolder) and creates, for every demo ente, one operator per built-in role, plus a\nregional and a platform administrator, with the password SIGESS_DEMO_PASSWORD\n(default "+DefaultDemoPassword+"), and fictitious people, cases and interventions in\nevery demo ente. Running it again changes nothing.")
	asJSON := fs.Bool("json", false, "print the demo logins as a JSON array, nothing else")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	password := e.Getenv("SIGESS_DEMO_PASSWORD")
	if password == "" {
		password = DefaultDemoPassword
	}
	return withApp(ctx, e, func(a *app.App) error {
		log := e.Stdout
		if *asJSON {
			log = io.Discard
		}
		if _, err := applyFiles(ctx, log, a.Tenants, tenants.FS, ".", false); err != nil {
			return err
		}
		d, err := tenancy.LoadDir(tenants.FS, ".")
		if err != nil {
			return err
		}
		logins, created, err := seedDemo(ctx, a, d, password)
		if err != nil {
			return err
		}
		if err := seedDemoCatalog(ctx, a, d); err != nil {
			return err
		}
		withCases, err := seedDemoCases(ctx, a, d)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(e.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(logins)
		}
		printDemo(e.Stdout, a, logins, created)
		printDemoCases(e.Stdout, withCases)
		return nil
	})
}

// demoTOTP derives a demo account's authenticator secret from its e-mail, so
// that every run prints the same one without storing it anywhere else.
func demoTOTP(email string) string {
	m := hmac.New(sha256.New, []byte("sigess-demo-totp"))
	m.Write([]byte(email))
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(m.Sum(nil)[:20])
}

func seedDemo(ctx context.Context, a *app.App, d *tenancy.Desired, password string) ([]demoLogin, int, error) {
	base := strings.TrimSuffix(a.Cfg.HTTP.PublicURL, "/")
	var logins []demoLogin
	created := 0
	seed := func(s identity.SeedOperator, l demoLogin) error {
		if identity.MFAMandatory(s.Roles, false) || s.Region != "" || s.Platform {
			s.TOTPSecret = demoTOTP(s.Email)
			l.TOTPSecret = s.TOTPSecret
		}
		s.Password, l.Password, l.Email = password, password, s.Email
		ok, err := a.Identity.Seed(ctx, s)
		if err != nil {
			return fmt.Errorf("demo operator %s: %w", s.Email, err)
		}
		if ok {
			created++
		}
		logins = append(logins, l)
		return nil
	}

	slugs := make([]string, 0, len(d.Enti))
	for _, t := range d.Enti {
		slugs = append(slugs, t.Tenant.Slug)
	}
	sort.Strings(slugs)
	for _, slug := range slugs {
		t, err := a.Tenants.Get(ctx, slug)
		if err != nil {
			return nil, 0, err
		}
		units, err := a.Tenants.Units(ctx, t.ID)
		if err != nil {
			return nil, 0, err
		}
		for i, r := range demoRoles {
			err := seed(identity.SeedOperator{
				Tenant: t.ID, Email: r.alias + "." + slug + "@demo.sigess.it", Name: r.name + " " + t.DisplayName(),
				Profile: r.profile, Roles: []string{r.role}, Units: unitsOfKinds(units, r.units),
				TaxCode: demoOperatorTaxCode(slug, r.alias, i),
			}, demoLogin{Tenant: slug, Role: r.role, LoginURL: base + "/t/" + slug + "/login"})
			if err != nil {
				return nil, 0, err
			}
		}
	}
	regions := make([]string, 0, len(d.Regions))
	for _, r := range d.Regions {
		regions = append(regions, r.Code)
	}
	sort.Strings(regions)
	for _, code := range regions {
		r, err := a.Tenants.Region(ctx, code)
		if err != nil {
			return nil, 0, err
		}
		for _, role := range []string{"region_admin", "region_analyst"} {
			alias := map[string]string{"region_admin": "regione", "region_analyst": "analista"}[role]
			err := seed(identity.SeedOperator{
				Region: r.Code, Email: alias + "." + r.Slug + "@demo.sigess.it", Name: "Regione " + r.Name,
				Profile: "Funzionario regionale", Roles: []string{role},
			}, demoLogin{Region: r.Slug, Role: role, LoginURL: base + "/r/" + r.Slug + "/login"})
			if err != nil {
				return nil, 0, err
			}
		}
	}
	err := seed(identity.SeedOperator{
		Platform: true, Email: "piattaforma@demo.sigess.it", Name: "Amministrazione piattaforma",
		Profile: "Amministratore di piattaforma", Roles: []string{"platform_admin"},
	}, demoLogin{Role: "platform_admin", LoginURL: base + "/admin/login"})
	return logins, created, err
}

// unitsOfKinds picks the units of the given kinds; with none, the operator
// works for the whole ente.
func unitsOfKinds(units []tenancy.Unit, kinds []string) []uuid.UUID {
	var out []uuid.UUID
	for _, u := range units {
		for _, k := range kinds {
			if u.Kind == k {
				out = append(out, u.ID)
			}
		}
	}
	return out
}

func printDemo(w io.Writer, a *app.App, logins []demoLogin, created int) {
	base := a.Cfg.HTTP.PublicURL
	u, _ := url.Parse(base) // validated by config
	fmt.Fprintf(w, "\nSIGeSS demo — %s (%d demo accounts created now, %d in all)\n", base, created, len(logins))
	last := ""
	for _, l := range logins {
		where := l.Tenant
		if where == "" {
			where = l.Region
		}
		if where == "" {
			where = "piattaforma"
		}
		if where != last {
			host := ""
			if l.Tenant != "" {
				h := *u
				h.Host = l.Tenant + "." + a.Cfg.HTTP.BaseDomain
				if p := u.Port(); p != "" {
					h.Host += ":" + p
				}
				host = "  or  " + h.String() + "/"
			}
			fmt.Fprintf(w, "\n  %s  %s%s\n", where, l.LoginURL, host)
			last = where
		}
		mfa := ""
		if l.TOTPSecret != "" {
			mfa = "  TOTP " + l.TOTPSecret
		}
		fmt.Fprintf(w, "    %-16s %-44s%s\n", l.Role, l.Email, mfa)
	}
	fmt.Fprintf(w, "\nPassword of every demo account: %s\n", logins[0].Password)
	fmt.Fprintf(w, "Accounts with a TOTP secret need a code from an authenticator app (add the secret to it).\n")
	fmt.Fprintf(w, "\nOperations: %s/healthz  %s/readyz  %s/metrics\n", base, base, base)
}
