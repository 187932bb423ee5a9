package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Binary is what the tests that drive the real sigess binary share: their
// database, Redis, and the binary built from this checkout.
type Binary struct {
	PG       *Postgres
	RedisURL string
	Path     string
}

// MainBinary is a TestMain for the packages that drive the real binary: it
// creates the database, finds Redis, builds sigess into a temporary folder,
// runs the tests, cleans up and exits. Anything missing exits non-zero at once.
func MainBinary(m *testing.M, b *Binary) {
	ctx := context.Background()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var err error
	if b.PG, err = NewPostgres(ctx); err != nil {
		fail(err)
	}
	if b.RedisURL, err = RedisURL(ctx); err != nil {
		fail(err)
	}
	dir, err := os.MkdirTemp("", "sigess-bin")
	if err != nil {
		fail(err)
	}
	b.Path = filepath.Join(dir, "sigess")
	build := exec.Command("go", "build", "-o", b.Path, "./cmd/sigess")
	build.Dir = RepoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		fail(fmt.Errorf("testenv: go build ./cmd/sigess: %v\n%s", err, out))
	}
	code := m.Run()
	b.PG.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

// FreePort is a TCP port free on 127.0.0.1 a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
