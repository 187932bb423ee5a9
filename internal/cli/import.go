package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sigess/sigess/internal/app"
	"github.com/sigess/sigess/internal/onboarding"
)

// runImport imports an ente's legacy data from a CSV file (docs/import.md) at
// once, printing the progress and the outcome: every wrong row with its field
// and, then, nothing written (exit status 1).
func runImport(ctx context.Context, e *Env, args []string) error {
	fs := newFlags(e, "import", "--tenant SLUG --kind KIND FILE", summaryOf("import")+
		".\nKinds: "+strings.Join(onboarding.Kinds, ", ")+". Formats and template files: docs/import.md.\n"+
		"A file is all-or-nothing; rows imported before (same external_id, same data) are skipped.")
	tenant := fs.String("tenant", "", "the ente's slug")
	kind := fs.String("kind", "", "what the file holds: "+strings.Join(onboarding.Kinds, ", "))
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *tenant == "" || *kind == "" || len(pos) != 1 {
		return fmt.Errorf("give --tenant, --kind and one FILE: %w", errUsage)
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	return withApp(ctx, e, func(a *app.App) error {
		t, err := a.Tenants.Get(ctx, *tenant)
		if err != nil {
			return err
		}
		phase := ""
		progress := func(p onboarding.Progress) {
			if p.Phase != phase {
				phase = p.Phase
				fmt.Fprintf(e.Stdout, "%s…\n", phaseLabel(p.Phase))
				return
			}
			if p.Done > 0 && p.Done%100_000 == 0 {
				if p.Total > 0 {
					fmt.Fprintf(e.Stdout, "  %d/%d rows\n", p.Done, p.Total)
				} else {
					fmt.Fprintf(e.Stdout, "  %d rows\n", p.Done)
				}
			}
		}
		svc := onboarding.NewService(a.DB)
		run, res, err := svc.Execute(ctx, t.ID, *kind, filepath.Base(pos[0]), f, onboarding.Actor{Email: "cli"}, progress)
		if res != nil && len(res.Errors) > 0 {
			for _, re := range res.Errors {
				field := re.Field
				if field == "" {
					field = "-"
				}
				fmt.Fprintf(e.Stdout, "row %d, field %s: %s\n", re.Row, field, re.Message)
			}
			return fmt.Errorf("%d errors in %s: nothing imported", len(res.Errors), pos[0])
		}
		if err != nil {
			if errors.Is(err, onboarding.ErrNoFile) {
				return fmt.Errorf("%s is empty", pos[0])
			}
			return err
		}
		fmt.Fprintf(e.Stdout, "Imported %s of %s from %s: %d rows, %d created, %d skipped (already imported). Import %s.\n",
			*kind, t.Slug, pos[0], res.Rows, res.Created, res.Skipped, run.ID)
		return nil
	})
}

func phaseLabel(phase string) string {
	switch phase {
	case "reading":
		return "reading the file"
	case "checking":
		return "checking every row"
	case "writing":
		return "writing"
	}
	return phase
}
