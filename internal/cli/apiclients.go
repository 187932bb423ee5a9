package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/apiclient"
	"github.com/sigess/sigess/internal/app"
)

// cliActor is the command line in the audit trail.
var cliActor = apiclient.Actor{Email: "cli"}

// runAPIClients manages an ente's API clients: create (prints client_id and
// client_secret, once), list, revoke. Tenant admins do the same in the UI.
func runAPIClients(ctx context.Context, e *Env, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "create":
		return runAPIClientCreate(ctx, e, args)
	case "list":
		return runAPIClientList(ctx, e, args)
	case "revoke":
		return runAPIClientRevoke(ctx, e, args)
	case "-h", "--help", "help":
		apiClientFlags(e, "", "SUBCOMMAND [flags]").Usage()
		return flag.ErrHelp
	}
	apiClientFlags(e, "", "SUBCOMMAND [flags]").Usage()
	return fmt.Errorf("unknown subcommand %q (create, list, revoke): %w", sub, errUsage)
}

func apiClientFlags(e *Env, sub, usage string) *flag.FlagSet {
	name := strings.TrimSpace("api-clients " + sub)
	return newFlags(e, name, usage, summaryOf("api-clients"))
}

// roleFlags collects a repeated --role.
type roleFlags []string

func (r *roleFlags) String() string     { return strings.Join(*r, ",") }
func (r *roleFlags) Set(v string) error { *r = append(*r, v); return nil }

func runAPIClientCreate(ctx context.Context, e *Env, args []string) error {
	fs := apiClientFlags(e, "create", "--tenant SLUG --name NAME --role ROLE [--role ROLE2] [--json]")
	tenant := fs.String("tenant", "", "the ente's slug")
	name := fs.String("name", "", "the client's name")
	var roles roleFlags
	fs.Var(&roles, "role", "a role of the ente (repeatable)")
	asJSON := fs.Bool("json", false, `print {"client_id","client_secret","tenant","roles"}`)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *tenant == "" || *name == "" || len(roles) == 0 {
		return fmt.Errorf("give --tenant, --name and at least one --role: %w", errUsage)
	}
	return withApp(ctx, e, func(a *app.App) error {
		t, err := a.Tenants.Get(ctx, *tenant)
		if err != nil {
			return err
		}
		cr, err := a.APIClients.Create(ctx, t.ID, apiclient.NewClient{Name: *name, Roles: roles}, cliActor)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(e.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(map[string]any{"client_id": cr.ID, "client_secret": cr.Secret, "tenant": t.Slug, "roles": cr.Roles})
		}
		fmt.Fprintf(e.Stdout, "API client %q of %s created (roles: %s).\n", cr.Name, t.Slug, strings.Join(cr.Roles, ", "))
		fmt.Fprintf(e.Stdout, "client_id:     %s\nclient_secret: %s\n", cr.ID, cr.Secret)
		fmt.Fprintln(e.Stdout, "The secret is shown only now. Token endpoint: POST /t/"+t.Slug+"/api/v1/oauth/token")
		return nil
	})
}

func runAPIClientList(ctx context.Context, e *Env, args []string) error {
	fs := apiClientFlags(e, "list", "--tenant SLUG")
	tenant := fs.String("tenant", "", "the ente's slug")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *tenant == "" {
		return fmt.Errorf("give --tenant: %w", errUsage)
	}
	return withApp(ctx, e, func(a *app.App) error {
		t, err := a.Tenants.Get(ctx, *tenant)
		if err != nil {
			return err
		}
		clients, err := a.APIClients.List(ctx, t.ID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CLIENT_ID\tNAME\tROLES\tSTATUS\tCREATED\tLAST_USED")
		for _, c := range clients {
			last := "-"
			if c.LastUsedAt != nil {
				last = c.LastUsedAt.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, strings.Join(c.Roles, ","), c.Status,
				c.CreatedAt.Format("2006-01-02 15:04"), last)
		}
		fmt.Fprintf(tw, "\n%d API clients\n", len(clients))
		return tw.Flush()
	})
}

func runAPIClientRevoke(ctx context.Context, e *Env, args []string) error {
	fs := apiClientFlags(e, "revoke", "--tenant SLUG CLIENT_ID")
	tenant := fs.String("tenant", "", "the ente's slug")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *tenant == "" || len(pos) != 1 {
		return fmt.Errorf("give --tenant and one CLIENT_ID: %w", errUsage)
	}
	id, err := uuid.Parse(pos[0])
	if err != nil {
		return fmt.Errorf("%q is not a client_id: %w", pos[0], errUsage)
	}
	return withApp(ctx, e, func(a *app.App) error {
		t, err := a.Tenants.Get(ctx, *tenant)
		if err != nil {
			return err
		}
		if err := a.APIClients.Revoke(ctx, t.ID, id, cliActor); err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "API client %s of %s revoked\n", id, t.Slug)
		return nil
	})
}
