// Package browser drives SIGeSS in a real browser: it builds and starts the
// binary on a fresh database, as tests/e2e does, then runs the node:test files
// of this folder (*.test.mjs) with Playwright and axe-core against it.
//
// It needs Chromium and Node.js: scripts/services.sh installs them
// (SERVICES_BROWSER=yes, which `make test` sets). A missing one fails the
// test; it is never skipped.
package browser

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigess/sigess/internal/testenv"
)

var sigess testenv.Binary

func TestMain(m *testing.M) { testenv.MainBinary(m, &sigess) }

const servicesHint = "run scripts/services.sh with SERVICES_BROWSER=yes (as `make test` does) to install it"

// tools finds node and Chromium, or fails naming what to run.
func tools(t *testing.T) (node, chromium string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not installed: %s", servicesHint)
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Fatalf("npm is not installed: %s", servicesHint)
	}
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		for _, name := range []string{"chromium", "chromium-browser"} {
			if p, err := exec.LookPath(name); err == nil {
				chromium = p
				break
			}
		}
	}
	if chromium == "" {
		t.Fatalf("chromium is not installed: %s (or set CHROMIUM to a Chromium binary)", servicesHint)
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("chromium %s: %v", chromium, err)
	}
	return node, chromium
}

// npmCI installs the pinned packages when node_modules is missing or was
// installed from another package-lock.json.
func npmCI(t *testing.T, dir string) {
	t.Helper()
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(lock)
	want := hex.EncodeToString(sum[:])
	stamp := filepath.Join(dir, "node_modules", ".sigess-lock-sha256")
	if got, err := os.ReadFile(stamp); err == nil && string(got) == want {
		return
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
	if err := os.WriteFile(stamp, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBrowser(t *testing.T) {
	node, chromium := tools(t)
	dir := filepath.Join(testenv.RepoRoot(), "tests", "browser")
	npmCI(t, dir)

	httpPort, opsPort := testenv.FreePort(t), testenv.FreePort(t)
	env := append(os.Environ(),
		"SIGESS_DATABASE_URL="+sigess.PG.RuntimeURL, "SIGESS_DATABASE_ADMIN_URL="+sigess.PG.AdminURL, "SIGESS_REDIS_URL="+testenv.StartRedis(t).URL,
		fmt.Sprintf("SIGESS_HTTP_ADDR=127.0.0.1:%d", httpPort), fmt.Sprintf("SIGESS_WORKER_OPS_ADDR=127.0.0.1:%d", opsPort),
		fmt.Sprintf("SIGESS_PUBLIC_URL=http://localhost:%d", httpPort), "SIGESS_BASE_DOMAIN=localhost", "SIGESS_MAIL_URL=dir:"+filepath.Join(t.TempDir(), "mail"), "SIGESS_DOCUMENTS_STORAGE_URL=file:"+filepath.Join(t.TempDir(), "documents"))
	run := func(args ...string) (stdout string, err error) {
		cmd := exec.Command(sigess.Path, args...)
		cmd.Env = env
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			return out.String(), fmt.Errorf("sigess %v: %v\n%s%s", args, err, out.String(), errOut.String())
		}
		return out.String(), nil
	}
	if _, err := run("migrate"); err != nil {
		t.Fatal(err)
	}
	// demo --json lists the demo operators and their credentials.
	logins := filepath.Join(t.TempDir(), "demo.json")
	out, err := run("demo", "--json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(logins, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	srv := exec.CommandContext(ctx, sigess.Path, "all")
	srv.Env = env
	var logs bytes.Buffer
	srv.Stdout, srv.Stderr = &logs, &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		srv.Wait() //nolint:errcheck
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	waitReady(t, base+"/readyz", &logs)

	// SIGESS_BROWSER_TESTS narrows the run to the files matching its glob
	// (e.g. interventions.test.mjs) while working on one of them.
	only := os.Getenv("SIGESS_BROWSER_TESTS")
	if only == "" {
		only = "*.test.mjs"
	}
	tests, err := filepath.Glob(filepath.Join(dir, only))
	if err != nil || len(tests) == 0 {
		t.Fatalf("no %s in %s", only, dir)
	}
	shots := os.Getenv("SIGESS_SHOTS")
	if shots == "" {
		shots = os.TempDir()
	}
	cmd := exec.Command(node, append([]string{"--test", "--test-concurrency=1", "--test-reporter=spec"}, tests...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SIGESS_URL="+base, "SIGESS_DEMO_JSON="+logins, "CHROMIUM="+chromium, "SIGESS_SHOTS="+shots)
	w := testWriter{t}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Run(); err != nil {
		t.Errorf("browser tests failed: %v\nserver log (last 4 KB):\n%s", err, tail(logs.String(), 4096))
	}
}

// waitReady polls url until it answers 200.
func waitReady(t *testing.T, url string, logs *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body) //nolint:errcheck
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready at %s:\n%s", url, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// testWriter streams node's output into the test log as it comes.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
