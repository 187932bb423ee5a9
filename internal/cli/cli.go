// Package cli is the `sigess` command line: subcommands, their flags and help,
// and their output. cmd/sigess only calls Run.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"

	"github.com/sigess/sigess/internal/app"
	"github.com/sigess/sigess/internal/config"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/obs"
	"github.com/sigess/sigess/migrations"
)

// Version is set at build time (-ldflags "-X github.com/sigess/sigess/internal/cli.Version=…").
var Version = ""

// Env is what a command runs with: its output streams and environment.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// IsTerminal reports whether Stdout is a terminal (progress bars).
	IsTerminal bool
}

type command struct {
	name    string
	summary string
	usage   string // after "sigess NAME"
	run     func(ctx context.Context, e *Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "serve the web UI, JSON API and WaaS endpoints", "", runProcess("serve", (*app.App).Serve)},
		{"worker", "run background jobs and the outbox relay", "", runProcess("worker", (*app.App).Work)},
		{"all", "serve and run the worker in one process (single machine)", "", runProcess("all", (*app.App).All)},
		{"migrate", "apply database migrations and set up the runtime role", "", runMigrate},
		{"tenants", "provision and configure enti (apply, provision-istat, set, list)", "SUBCOMMAND [flags]", runTenants},
		{"operators", "create a platform or regional administrator (add)", "add [flags]", runOperators},
		{"api-clients", "manage an ente's API clients (create, list, revoke)", "SUBCOMMAND [flags]", runAPIClients},
		{"demo", "provision the demo region and its enti, and print where to go", "", runDemo},
		{"import", "import an ente's legacy data from CSV (people, households, cases, interventions, deliveries)", "--tenant SLUG --kind KIND FILE", runImport},
		{"audit", "verify the audit trails' hash chains (verify)", "verify [--tenant SLUG]", runAudit},
		{"version", "print the version", "", runVersion},
	}
}

// errUsage marks a mistake in the command line: exit status 2.
var errUsage = errors.New("usage")

// Run runs the command line args (without the program name) and returns the
// exit status.
func Run(ctx context.Context, e *Env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(e.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintln(e.Stderr, "sigess "+c.name+":", strings.TrimSuffix(err.Error(), ": "+errUsage.Error()))
			return 2
		}
		fmt.Fprintln(e.Stderr, "sigess "+c.name+":", err)
		return 1
	}
	fmt.Fprintf(e.Stderr, "sigess: unknown command %q\n\n", args[0])
	printUsage(e.Stderr)
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "sigess — social services case file platform for Italian municipalities")
	fmt.Fprintln(w, "\nUsage: sigess COMMAND [flags]   (sigess COMMAND --help for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nConfiguration: configs/sigess.yaml defaults, SIGESS_CONFIG file, SIGESS_* environment.")
}

// newFlags returns a flag set whose --help prints usage and the summary.
func newFlags(e *Env, name, usage, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.Stdout, "Usage: sigess %s %s\n\n%s\n", name, usage, summary)
		var has bool
		fs.VisitAll(func(*flag.Flag) { has = true })
		if has {
			fmt.Fprintln(e.Stdout, "\nFlags:")
			fs.SetOutput(e.Stdout)
			fs.PrintDefaults()
			fs.SetOutput(e.Stderr)
		}
	}
	return fs
}

// parse parses flags, allowing them after positional arguments too.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%v: %w", err, errUsage)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func loadConfig(e *Env) (*config.Config, error) {
	cfg, err := config.Load(e.Getenv)
	if err != nil {
		return nil, err
	}
	slog.SetDefault(obs.NewLogger(e.Stderr, cfg.SlogLevel()))
	return cfg, nil
}

func summaryOf(name string) string {
	for _, c := range commands() {
		if c.name == name {
			return c.summary
		}
	}
	return ""
}

func runProcess(name string, run func(*app.App, context.Context) error) func(context.Context, *Env, []string) error {
	return func(ctx context.Context, e *Env, args []string) error {
		fs := newFlags(e, name, "", summaryOf(name)+
			".\nRuns until interrupted (SIGINT, SIGTERM), then finishes the work in hand.")
		if _, err := parse(fs, args); err != nil {
			return err
		}
		return withApp(ctx, e, func(a *app.App) error { return run(a, ctx) })
	}
}

func withApp(ctx context.Context, e *Env, fn func(*app.App) error) error {
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, version())
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func runMigrate(ctx context.Context, e *Env, args []string) error {
	fs := newFlags(e, "migrate", "", summaryOf("migrate")+
		".\nConnects as SIGESS_DATABASE_ADMIN_URL (the owner role); creates the login role of\nSIGESS_DATABASE_URL if missing and grants it only what the application needs.")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	ms, err := db.LoadMigrations(migrations.FS)
	if err != nil {
		return err
	}
	res, err := db.Migrate(ctx, cfg.Database.AdminURL, cfg.Database.URL, ms)
	if err != nil {
		return err
	}
	for _, m := range res.Applied {
		fmt.Fprintln(e.Stdout, "applied", m)
	}
	if res.RoleCreated {
		fmt.Fprintln(e.Stdout, "created runtime role", res.RuntimeRole)
	}
	fmt.Fprintf(e.Stdout, "schema at version %d (%d applied now); runtime role %s ready\n", res.Current, len(res.Applied), res.RuntimeRole)
	return nil
}

func runVersion(_ context.Context, e *Env, args []string) error {
	fs := newFlags(e, "version", "", summaryOf("version"))
	if _, err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, "sigess", version())
	return nil
}

func version() string {
	if Version != "" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		v := "dev-" + rev[:min(12, len(rev))]
		if settings["vcs.modified"] == "true" {
			v += "-dirty"
		}
		return v
	}
	return "dev"
}

// StdEnv is the environment of the real process.
func StdEnv(isTerminal bool) *Env {
	return &Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, IsTerminal: isTerminal}
}
