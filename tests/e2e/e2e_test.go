// Package e2e drives the real sigess binary: build, migrate, demo, serve, and
// requests over HTTP, as `make run` does.
package e2e

import (
	"context"
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

func TestBinary(t *testing.T) {
	httpPort, opsPort := testenv.FreePort(t), testenv.FreePort(t)
	env := append(os.Environ(),
		"SIGESS_DATABASE_URL="+sigess.PG.RuntimeURL, "SIGESS_DATABASE_ADMIN_URL="+sigess.PG.AdminURL, "SIGESS_REDIS_URL="+sigess.RedisURL, "SIGESS_DOCUMENTS_STORAGE_URL=file:"+filepath.Join(t.TempDir(), "documents"),
		fmt.Sprintf("SIGESS_HTTP_ADDR=127.0.0.1:%d", httpPort), fmt.Sprintf("SIGESS_WORKER_OPS_ADDR=127.0.0.1:%d", opsPort),
		fmt.Sprintf("SIGESS_PUBLIC_URL=http://localhost:%d", httpPort), "SIGESS_BASE_DOMAIN=localhost")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(sigess.Path, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("sigess %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := run("migrate"); !strings.Contains(out, "schema at version") {
		t.Fatalf("migrate: %s", out)
	}
	if out := run("demo"); !strings.Contains(out, "/t/roma/") {
		t.Fatalf("demo prints no URLs: %s", out)
	}
	if out := run("demo"); !strings.Contains(out, "nothing to change") {
		t.Errorf("second demo changed something: %s", out)
	}

	ctx, cancel := context.WithCancel(context.Background())
	srv := exec.CommandContext(ctx, sigess.Path, "all")
	srv.Env = env
	var logs strings.Builder
	srv.Stderr = &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		srv.Wait() //nolint:errcheck
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	get := func(url, host string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if code, _ := get(base+"/readyz", ""); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, body := get(fmt.Sprintf("http://127.0.0.1:%d/readyz", opsPort), ""); code != 200 || !strings.Contains(body, `"redis":"ok"`) {
		t.Errorf("worker readyz = %d %s", code, body)
	}
	if code, body := get(base+"/t/roma/", ""); code != 200 || !strings.Contains(body, "Municipio I") {
		t.Errorf("/t/roma/ = %d", code)
	}
	if code, body := get(base+"/", fmt.Sprintf("latina.localhost:%d", httpPort)); code != 200 || !strings.Contains(body, "Comune di Latina") {
		t.Errorf("latina by host = %d", code)
	}

	// Suspending an ente from the command line reaches the running server.
	run("tenants", "set", "viterbo", "status=suspended")
	deadline = time.Now().Add(10 * time.Second)
	for {
		code, body := get(base+"/t/viterbo/", "")
		if code == 403 && strings.Contains(body, "Viterbo") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("viterbo still %d after suspension", code)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, body := get(base+"/metrics", ""); !strings.Contains(body, `sigess_http_requests_total{method="GET",route="/t/:slug/",status="403"}`) {
		t.Error("/metrics lacks the 403 by route")
	}
	if !strings.Contains(logs.String(), `"request_id"`) || !strings.Contains(logs.String(), `"tenant":"roma"`) {
		t.Errorf("logs lack request_id or tenant:\n%s", logs.String())
	}
}
