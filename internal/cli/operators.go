package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/sigess/sigess/internal/app"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/identity"
)

// runOperators creates the first administrators of a deployment: a platform
// admin, or a region's admin, who then set their password through the printed
// one-time link and enrol their second factor at first login. Enti's operators
// are created in the UI by their tenant admin.
func runOperators(ctx context.Context, e *Env, args []string) error {
	fs := newFlags(e, "operators add", "--email EMAIL --name NAME (--platform | --region CODE [--role region_admin|region_analyst])",
		summaryOf("operators")+".\nCreates an administrator and prints a one-time link (valid 72 hours) to set the password.")
	if len(args) == 0 || args[0] != "add" {
		fs.Usage()
		return errUsage
	}
	email := fs.String("email", "", "the administrator's e-mail")
	name := fs.String("name", "", "the administrator's name")
	platform := fs.Bool("platform", false, "a platform administrator")
	region := fs.String("region", "", "ISTAT code of the region administered")
	role := fs.String("role", "region_admin", "region_admin or region_analyst (with --region)")
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *platform == (*region != "") || *email == "" || *name == "" {
		fmt.Fprintln(e.Stderr, "operators add: give --email, --name and exactly one of --platform and --region")
		return errUsage
	}
	return withApp(ctx, e, func(a *app.App) error {
		in := identity.NewOperator{Email: *email, Name: *name}
		by := identity.Actor{Email: "cli"}
		base := strings.TrimSuffix(a.Cfg.HTTP.PublicURL, "/")
		var scope db.Scope
		var link string
		if *platform {
			op, err := a.Identity.CreatePlatformAdmin(ctx, in)
			if err != nil {
				return err
			}
			scope, link = db.Scope{Platform: true}, base+"/admin/password/reset"
			in.Email = op.Email
			if link, err = a.Identity.IssueSetupLink(ctx, scope, op.ID, link, by); err != nil {
				return err
			}
		} else {
			r, err := a.Tenants.Region(ctx, *region)
			if err != nil {
				return err
			}
			in.Roles = []string{*role}
			ra, err := a.Identity.CreateRegionAdmin(ctx, r.Code, in, by)
			if err != nil {
				return err
			}
			scope = db.Scope{Region: r.Code}
			if link, err = a.Identity.IssueSetupLink(ctx, scope, ra.ID, base+"/r/"+r.Slug+"/password/reset", by); err != nil {
				return err
			}
		}
		fmt.Fprintf(e.Stdout, "%s created. To set the password (link valid 72 hours, once):\n  %s\n", in.Email, link)
		return nil
	})
}
