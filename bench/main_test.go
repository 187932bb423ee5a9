package bench

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"

	"github.com/sigess/sigess/internal/obs"
	"github.com/sigess/sigess/internal/testenv"
)

// TestMain only sets up logging: databases are made by the benchmarks that need
// them, so that `go test ./bench/` (which runs no benchmark) touches nothing.
func TestMain(m *testing.M) {
	// The server logs every request; format the lines as in production but
	// throw them away, so the figures include the logging and not the terminal.
	slog.SetDefault(obs.NewLogger(io.Discard, slog.LevelInfo))
	code := m.Run()
	closeFixtures()
	os.Exit(code)
}

var (
	closersMu sync.Mutex
	closers   []func()
)

// atExit runs fn when every benchmark is done: fixtures outlive one benchmark
// function, which the testing package may call more than once.
func atExit(fn func()) {
	closersMu.Lock()
	defer closersMu.Unlock()
	closers = append(closers, fn)
}

func closeFixtures() {
	closersMu.Lock()
	defer closersMu.Unlock()
	for i := len(closers) - 1; i >= 0; i-- {
		closers[i]()
	}
	closers = nil
}

// fixture is a value built once, on first use, and shared by the benchmarks.
type fixture[T any] struct {
	once sync.Once
	v    T
	err  error
}

func (f *fixture[T]) get(b *testing.B, build func() (T, error)) T {
	b.Helper()
	f.once.Do(func() { f.v, f.err = build() })
	if f.err != nil {
		b.Fatal(f.err)
	}
	return f.v
}

// newPostgres makes a fresh migrated database; a missing PostgreSQL fails the
// benchmark, as it fails the tests.
func newPostgres(b *testing.B) *testenv.Postgres {
	b.Helper()
	pg, err := testenv.NewPostgres(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return pg
}
