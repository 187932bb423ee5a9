package app

import "github.com/sigess/sigess/internal/jobs"

// handleConsoleJobs registers the handlers of the consoles' jobs.
func (a *App) handleConsoleJobs(w *jobs.Worker) {}
