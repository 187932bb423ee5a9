package cli

import (
	"context"
	"fmt"
	"net/url"

	"github.com/sigess/sigess/internal/app"
	"github.com/sigess/sigess/tenants"
)

func runDemo(ctx context.Context, e *Env, args []string) error {
	fs := newFlags(e, "demo", "", summaryOf("demo")+
		".\nApplies the region and ente files built into the binary (the repository's tenants/\nfolder). Running it again changes nothing.")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	return withApp(ctx, e, func(a *app.App) error {
		if _, err := applyFiles(ctx, e.Stdout, a.Tenants, tenants.FS, ".", false); err != nil {
			return err
		}
		ts, err := a.Tenants.List(ctx, "")
		if err != nil {
			return err
		}
		base := a.Cfg.HTTP.PublicURL
		u, _ := url.Parse(base) // validated by config
		fmt.Fprintf(e.Stdout, "\nSIGeSS demo — %s\n", base)
		for _, t := range ts {
			host := *u
			host.Host = t.Slug + "." + a.Cfg.HTTP.BaseDomain
			if p := u.Port(); p != "" {
				host.Host += ":" + p
			}
			fmt.Fprintf(e.Stdout, "  %-22s %-40s %s/t/%s/  or  %s/\n", t.Slug, t.DisplayName(), base, t.Slug, host.String())
		}
		fmt.Fprintf(e.Stdout, "\nOperations: %s/healthz  %s/readyz  %s/metrics\n", base, base, base)
		return nil
	})
}
