package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sigess/sigess/internal/app"
	"github.com/sigess/sigess/internal/istat"
	"github.com/sigess/sigess/internal/tenancy"
)

type subcommand struct {
	name, usage, summary string
	run                  func(ctx context.Context, e *Env, args []string) error
}

func tenantCommands() []subcommand {
	return []subcommand{
		{"apply", "[DIR] [--dry-run]", "make the enti match the files in DIR (default tenants/): one folder per region with _template.yaml and one file per ente. Idempotent; all or nothing", runApply},
		{"provision-istat", "--region CODE [--province XX] | --all", "make every comune of a region (or province, or Italy) a tenant with its region's template, from the embedded ISTAT list. Idempotent", runProvision},
		{"set", "SLUG KEY=VALUE...", "change settings of one ente by dotted key (branding.primary_color=#8C1D40); name and status too", runSet},
		{"list", "[--region CODE] [--json]", "list enti", runList},
	}
}

func tenantFlags(e *Env, name, extra string) *flag.FlagSet {
	for _, c := range tenantCommands() {
		if c.name == name {
			return newFlags(e, "tenants "+name, c.usage, c.summary+extra)
		}
	}
	panic("no tenants subcommand " + name)
}

func runTenants(ctx context.Context, e *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(e.Stdout, "Usage: sigess tenants SUBCOMMAND [flags]\n\nSubcommands:")
		for _, c := range tenantCommands() {
			fmt.Fprintf(e.Stdout, "  %-16s %s\n", c.name, c.summary)
		}
		if len(args) == 0 {
			return fmt.Errorf("a subcommand is required: %w", errUsage)
		}
		return nil
	}
	for _, c := range tenantCommands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	return fmt.Errorf("unknown subcommand %q: %w", args[0], errUsage)
}

func runApply(ctx context.Context, e *Env, args []string) error {
	fs := tenantFlags(e, "apply", "")
	dryRun := fs.Bool("dry-run", false, "print the differences and change nothing")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	dir := "tenants"
	switch len(pos) {
	case 0:
	case 1:
		dir = pos[0]
	default:
		return fmt.Errorf("at most one DIR: %w", errUsage)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	return withApp(ctx, e, func(a *app.App) error {
		_, err := applyFiles(ctx, e.Stdout, a.Tenants, os.DirFS(filepath.Dir(filepath.Clean(dir))), filepath.Base(filepath.Clean(dir)), *dryRun)
		return err
	})
}

// applyFiles loads, plans and (unless dryRun) applies a tenants folder,
// printing the plan.
func applyFiles(ctx context.Context, w io.Writer, svc *tenancy.Service, fsys fs.FS, dir string, dryRun bool) (*tenancy.Plan, error) {
	d, err := tenancy.LoadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("nothing applied:\n%w", err)
	}
	plan, err := svc.Plan(ctx, d)
	if err != nil {
		return nil, err
	}
	if plan.Empty() {
		fmt.Fprintf(w, "nothing to change: %d regions and %d enti already match %s\n", len(d.Regions), len(d.Enti), dir)
		return plan, nil
	}
	for _, c := range plan.Changes {
		fmt.Fprintln(w, c)
	}
	if dryRun {
		fmt.Fprintf(w, "dry run: %d changes not applied\n", len(plan.Changes))
		return plan, nil
	}
	if err := svc.Apply(ctx, plan); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "applied %d changes\n", len(plan.Changes))
	return plan, nil
}

func runProvision(ctx context.Context, e *Env, args []string) error {
	fs := tenantFlags(e, "provision-istat", ".\n"+istat.Attribution+".")
	region := fs.String("region", "", "ISTAT region code, two digits (12 = Lazio)")
	province := fs.String("province", "", "province abbreviation (RM), with --region")
	all := fs.Bool("all", false, "every comune of Italy")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *all == (*region != "") {
		return fmt.Errorf("give either --region CODE or --all: %w", errUsage)
	}
	if *province != "" && *region == "" {
		return fmt.Errorf("--province goes with --region: %w", errUsage)
	}
	if *region != "" {
		if _, ok := istat.RegionName(*region); !ok {
			return fmt.Errorf("--region %q is not an ISTAT region code (01..20): %w", *region, errUsage)
		}
	}
	comuni := istat.Filter(*region, *province)
	if len(comuni) == 0 {
		return fmt.Errorf("no comuni in province %q of region %s: %w", *province, *region, errUsage)
	}
	return withApp(ctx, e, func(a *app.App) error {
		start := time.Now()
		var bar *progressBar
		if e.IsTerminal {
			bar = newProgressBar(e.Stdout, "provisioning")
		}
		res, err := a.Tenants.ProvisionISTAT(ctx, comuni, bar.update)
		bar.done()
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "%d comuni: %d created, %d already provisioned (%s)\n",
			len(comuni), res.Created, res.Existing, time.Since(start).Round(time.Millisecond))
		return nil
	})
}

func runSet(ctx context.Context, e *Env, args []string) error {
	fs := tenantFlags(e, "set", ".\nKeys: name, status, "+strings.Join(tenancy.SettingKeys(), ", "))
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return fmt.Errorf("need SLUG and at least one KEY=VALUE: %w", errUsage)
	}
	kvs, err := tenancy.ParseKeyValues(pos[1:])
	if err != nil {
		return fmt.Errorf("%v: %w", err, errUsage)
	}
	return withApp(ctx, e, func(a *app.App) error {
		diff, err := a.Tenants.SetSettings(ctx, pos[0], kvs)
		if err != nil {
			return err
		}
		if len(diff) == 0 {
			fmt.Fprintf(e.Stdout, "nothing to change: %s already has these settings\n", pos[0])
			return nil
		}
		for _, d := range diff {
			fmt.Fprintln(e.Stdout, "~", d)
		}
		fmt.Fprintf(e.Stdout, "%s updated\n", pos[0])
		return nil
	})
}

// listItem is one ente in `tenants list --json`.
type listItem struct {
	Slug         string   `json:"slug"`
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	ISTATCode    string   `json:"istat_code"`
	BelfioreCode string   `json:"belfiore_code"`
	Region       string   `json:"region"`
	Status       string   `json:"status"`
	Members      []string `json:"members,omitempty"`
}

func runList(ctx context.Context, e *Env, args []string) error {
	fs := tenantFlags(e, "list", "")
	region := fs.String("region", "", "only this ISTAT region code")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	return withApp(ctx, e, func(a *app.App) error {
		ts, err := a.Tenants.List(ctx, *region)
		if err != nil {
			return err
		}
		items := make([]listItem, 0, len(ts))
		for _, t := range ts {
			items = append(items, listItem{Slug: t.Slug, Name: t.Name, Kind: string(t.Kind), ISTATCode: t.ISTATCode,
				BelfioreCode: t.BelfioreCode, Region: t.Region, Status: string(t.Status), Members: t.Members})
		}
		if *asJSON {
			enc := json.NewEncoder(e.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(items)
		}
		tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SLUG\tNAME\tKIND\tISTAT\tBELFIORE\tREGION\tSTATUS")
		for _, it := range items {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.Slug, it.Name, it.Kind, it.ISTATCode, it.BelfioreCode, it.Region, it.Status)
		}
		fmt.Fprintf(tw, "\n%d enti\n", len(items))
		return tw.Flush()
	})
}

// progressBar draws "label [#####     ] 1234/7904" on one terminal line.
type progressBar struct {
	w     io.Writer
	label string
}

func newProgressBar(w io.Writer, label string) *progressBar { return &progressBar{w: w, label: label} }

func (p *progressBar) update(done, total int) {
	if p == nil || total == 0 {
		return
	}
	const width = 30
	n := done * width / total
	fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d", p.label, strings.Repeat("#", n), strings.Repeat(" ", width-n), done, total)
}

func (p *progressBar) done() {
	if p != nil {
		fmt.Fprintln(p.w)
	}
}
