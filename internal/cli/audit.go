package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/app"
	"github.com/sigess/sigess/internal/audit"
)

// runAudit checks the audit trails' hash chains: `sigess audit verify` walks
// every ente's trail, every region's console trail and the platform's, or
// one ente's with --tenant, and prints each with the events checked. A broken
// trail is named with the first event that no longer fits; then the exit
// status is 1.
func runAudit(ctx context.Context, e *Env, args []string) error {
	fs := newFlags(e, "audit", "verify [--tenant SLUG]", summaryOf("audit")+
		".\nverify walks each trail's hash chains from the first event: a row changed, removed or\n"+
		"inserted behind the application's back breaks its chain and is named. Exit status 1 then.")
	tenant := fs.String("tenant", "", "only this ente's trail")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "verify" {
		return fmt.Errorf("the subcommand is verify: %w", errUsage)
	}
	return withApp(ctx, e, func(a *app.App) error {
		tenants, err := a.Tenants.List(ctx, "")
		if err != nil {
			return err
		}
		var regions []string
		broken := 0
		check := func(name string, n int64, err error) error {
			switch {
			case errors.Is(err, audit.ErrBroken):
				broken++
				fmt.Fprintf(e.Stdout, "%-32s BROKEN after %d events: %v\n", name, n, err)
			case err != nil:
				return err
			default:
				fmt.Fprintf(e.Stdout, "%-32s %d events, intact\n", name, n)
			}
			return nil
		}
		found := false
		for _, t := range tenants {
			if *tenant != "" && t.Slug != *tenant {
				continue
			}
			found = true
			var n int64
			err := a.DB.InTenant(ctx, t.ID, func(tx pgx.Tx) (err error) {
				n, err = audit.Verify(ctx, tx, t.ID)
				return err
			})
			if err := check("ente "+t.Slug, n, err); err != nil {
				return err
			}
			if !slices.Contains(regions, t.Region) {
				regions = append(regions, t.Region)
			}
		}
		if *tenant != "" && !found {
			return fmt.Errorf("no ente %q", *tenant)
		}
		if *tenant == "" {
			slices.Sort(regions)
			for _, r := range regions {
				var n int64
				err := a.DB.InRegion(ctx, r, func(tx pgx.Tx) (err error) {
					n, err = audit.VerifyConsole(ctx, tx, r)
					return err
				})
				if err := check("region "+r, n, err); err != nil {
					return err
				}
			}
			var n int64
			err := a.DB.InPlatform(ctx, func(tx pgx.Tx) (err error) {
				n, err = audit.VerifyConsole(ctx, tx, "")
				return err
			})
			if err := check("platform", n, err); err != nil {
				return err
			}
		}
		if broken > 0 {
			return fmt.Errorf("%d audit trails broken", broken)
		}
		return nil
	})
}
