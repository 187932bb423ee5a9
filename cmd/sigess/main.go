// Command sigess is the SIGeSS platform: web server, worker, migrations and the
// tenant command line, in one binary. See `sigess --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/sigess/sigess/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, cli.StdEnv(term.IsTerminal(int(os.Stdout.Fd()))), os.Args[1:])
	stop()
	os.Exit(code)
}
