package charts

// Rendering the chart with helm and reading what it rendered.

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func (r rendered) all(kind string) []doc {
	var out []doc
	for _, d := range r.docs {
		if d.Kind == kind {
			out = append(out, d)
		}
	}
	return out
}

func (r rendered) find(kind, name string) (doc, bool) {
	for _, d := range r.all(kind) {
		if d.Metadata.Name == name {
			return d, true
		}
	}
	return doc{}, false
}

func decode[T any](t *testing.T, d doc) T {
	t.Helper()
	var v T
	if err := d.node.Decode(&v); err != nil {
		t.Fatalf("decoding %s %s: %v", d.Kind, d.Metadata.Name, err)
	}
	return v
}

func helmPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv("HELM")
	if p == "" {
		p = filepath.Join("bin", "helm")
	}
	if !filepath.IsAbs(p) {
		// go test runs in charts/; a relative HELM is meant from the repository root.
		p = filepath.Join("..", p)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(abs); err != nil || fi.IsDir() {
		t.Fatalf("helm binary not found at %s: run `make chart` (or `bash scripts/helm.sh`) to build the pinned helm into bin/, or set HELM to a helm v3 binary", abs)
	}
	return abs
}

// runHelm runs helm with isolated config/cache dirs and returns stdout.
func runHelm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(helmPath(t), args...)
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), errors.New(strings.TrimSpace(err.Error() + ": " + stderr.String() + stdout.String()))
	}
	return stdout.String(), nil
}

func setArgs(sets []string) []string {
	var args []string
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	return args
}

func render(t *testing.T, sets []string) (rendered, error) {
	t.Helper()
	out, err := runHelm(t, append([]string{"template", release, "./sigess", "--namespace", "sigess"}, setArgs(sets)...)...)
	if err != nil {
		return rendered{}, err
	}
	var r rendered
	dec := yaml.NewDecoder(strings.NewReader(out))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("helm template output is not valid YAML: %v\n%s", err, out)
		}
		if n.Kind == 0 || (n.Kind == yaml.DocumentNode && len(n.Content) == 0) {
			continue // empty document (a template that rendered nothing)
		}
		d := doc{node: n}
		if err := n.Decode(&d); err != nil {
			t.Fatalf("decoding document: %v", err)
		}
		if d.Kind == "" {
			continue
		}
		b, _ := yaml.Marshal(&n)
		d.raw = string(b)
		r.docs = append(r.docs, d)
	}
	if len(r.docs) == 0 {
		t.Fatalf("helm template rendered no objects:\n%s", out)
	}
	return r, nil
}

// ---- assertions shared by every successful render ----

func hookWeight(t *testing.T, m meta) int {
	t.Helper()
	w, err := strconv.Atoi(m.Annotations["helm.sh/hook-weight"])
	if err != nil {
		t.Fatalf("%s: helm.sh/hook-weight %q is not an integer", m.Name, m.Annotations["helm.sh/hook-weight"])
	}
	return w
}

func hooks(m meta) []string {
	var out []string
	for _, h := range strings.Split(m.Annotations["helm.sh/hook"], ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	return out
}

func isPreInstallHook(m meta) bool {
	h := hooks(m)
	return slices.Contains(h, "pre-install") && slices.Contains(h, "pre-upgrade")
}

// secretEnv maps env var name -> secretKeyRef for the variables read from Secrets.
func secretEnv(t *testing.T, where string, c container) map[string]secretKeyRef {
	t.Helper()
	refs := map[string]secretKeyRef{}
	for _, e := range c.Env {
		isURL := strings.Contains(e.Name, "DATABASE") && strings.HasSuffix(e.Name, "URL") ||
			strings.Contains(e.Name, "REDIS") && strings.HasSuffix(e.Name, "URL")
		if !isURL {
			continue
		}
		if e.Value != nil {
			t.Errorf("%s: %s has a literal value; credentials must come from a Secret", where, e.Name)
			continue
		}
		if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			t.Errorf("%s: %s does not come from a secretKeyRef", where, e.Name)
			continue
		}
		refs[e.Name] = *e.ValueFrom.SecretKeyRef
	}
	return refs
}

func checkSecurity(t *testing.T, where string, p podTemplate) {
	t.Helper()
	sc := p.Spec.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		t.Errorf("%s: pod securityContext.runAsNonRoot is not true", where)
	}
	if sc == nil || sc.SeccompProfile == nil || sc.SeccompProfile.Type != "RuntimeDefault" {
		t.Errorf("%s: pod seccompProfile is not RuntimeDefault", where)
	}
	if a := p.Spec.AutomountServiceAccountToken; a == nil || *a {
		t.Errorf("%s: automountServiceAccountToken is not false", where)
	}
	for _, c := range p.Spec.Containers {
		cs := c.SecurityContext
		if cs == nil || cs.ReadOnlyRootFilesystem == nil || !*cs.ReadOnlyRootFilesystem {
			t.Errorf("%s/%s: readOnlyRootFilesystem is not true", where, c.Name)
		}
		if cs == nil || cs.AllowPrivilegeEscalation == nil || *cs.AllowPrivilegeEscalation {
			t.Errorf("%s/%s: allowPrivilegeEscalation is not false", where, c.Name)
		}
		if cs == nil || cs.Capabilities == nil || !slices.Contains(cs.Capabilities.Drop, "ALL") {
			t.Errorf("%s/%s: capabilities do not drop ALL", where, c.Name)
		}
		if len(c.Resources) == 0 {
			t.Errorf("%s/%s: no resources", where, c.Name)
		}
	}
}

func onlyContainer(t *testing.T, where string, p podTemplate) container {
	t.Helper()
	if len(p.Spec.Containers) != 1 {
		t.Fatalf("%s: want 1 container, got %d", where, len(p.Spec.Containers))
	}
	return p.Spec.Containers[0]
}

func checkProbes(t *testing.T, where string, c container, port string) {
	t.Helper()
	for _, p := range []struct {
		name string
		pr   *probe
		path string
	}{{"liveness", c.LivenessProbe, "/healthz"}, {"readiness", c.ReadinessProbe, "/readyz"}} {
		if p.pr == nil || p.pr.HTTPGet == nil {
			t.Errorf("%s: no %s httpGet probe", where, p.name)
			continue
		}
		if p.pr.HTTPGet.Path != p.path || toString(p.pr.HTTPGet.Port) != port {
			t.Errorf("%s: %s probe is GET %s on port %v, want %s on %s", where, p.name, p.pr.HTTPGet.Path, p.pr.HTTPGet.Port, p.path, port)
		}
	}
	if !hasPort(c, port) {
		t.Errorf("%s: probes use port %q but the container declares no such port", where, port)
	}
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	default:
		return ""
	}
}

func hasPort(c container, name string) bool {
	for _, p := range c.Ports {
		if p.Name == name {
			return true
		}
	}
	return false
}

func portNumber(c container, name string) int {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	return 0
}

// expect is what a successful render must contain; existingDB/existingRedis
// name the Secrets the chart is told already exist.
type expect struct {
	existingDB, existingRedis string
	existingMail              string
	serverReplicas            int
	workerReplicas            int
	pdb                       bool
	tls                       string // TLS secret name, "" for no TLS
	className                 string
	publicURL                 string
}

func checkCommon(t *testing.T, r rendered, want expect) {

	// Secrets available to the release: rendered ordinary Secrets, plus the existing ones.
	secretKeys := func(name string, hookOnly bool) (keys []string, found bool) {
		if name != "" && (name == want.existingDB || name == want.existingRedis || name == want.existingMail) {
			return nil, true
		}
		d, ok := r.find("Secret", name)
		if !ok {
			return nil, false
		}
		if hookOnly != (d.Metadata.Annotations["helm.sh/hook"] != "") {
			t.Errorf("Secret %s: hook annotation %q unexpected here", name, d.Metadata.Annotations["helm.sh/hook"])
		}
		s := decode[secret](t, d)
		for k := range s.Data {
			keys = append(keys, k)
		}
		return keys, true
	}
	checkRef := func(where, env string, ref secretKeyRef, hook bool) {
		keys, ok := secretKeys(ref.Name, hook)
		if !ok {
			t.Errorf("%s: %s reads Secret %q, which is neither rendered nor an existingSecret", where, env, ref.Name)
			return
		}
		if keys != nil && !slices.Contains(keys, ref.Key) {
			t.Errorf("%s: %s reads key %q of Secret %s, which only has %v", where, env, ref.Key, ref.Name, keys)
		}
	}

	// No credential may appear outside a Secret.
	for _, d := range r.docs {
		if d.Kind == "Secret" {
			continue
		}
		for _, pw := range passwords {
			if strings.Contains(d.raw, pw) {
				t.Errorf("%s %s contains a credential in clear text", d.Kind, d.Metadata.Name)
			}
		}
	}

	// ConfigMap.
	cmDoc, ok := r.find("ConfigMap", fullname)
	if !ok {
		t.Fatalf("no ConfigMap %s", fullname)
	}
	cm := decode[configMap](t, cmDoc)
	for k, v := range map[string]string{
		"SIGESS_BASE_DOMAIN": baseDomain, "SIGESS_HTTP_ADDR": ":8080", "SIGESS_WORKER_OPS_ADDR": ":9091",
		"SIGESS_LOG_LEVEL": "info", "SIGESS_PUBLIC_URL": want.publicURL,
	} {
		if cm.Data[k] != v {
			t.Errorf("ConfigMap %s = %q, want %q", k, cm.Data[k], v)
		}
	}
	for k := range cm.Data {
		if strings.HasSuffix(k, "_URL") && k != "SIGESS_PUBLIC_URL" {
			t.Errorf("ConfigMap holds %s: URLs with credentials belong in Secrets", k)
		}
	}

	// Deployments.
	deps := r.all("Deployment")
	if len(deps) != 2 {
		t.Fatalf("want 2 Deployments, got %d", len(deps))
	}
	byArg := map[string]workload{}
	for _, d := range deps {
		w := decode[workload](t, d)
		c := onlyContainer(t, d.Metadata.Name, w.Spec.Template)
		if len(c.Command) != 0 {
			t.Errorf("Deployment %s overrides the image command %v", d.Metadata.Name, c.Command)
		}
		if len(c.Args) != 1 {
			t.Errorf("Deployment %s: args %v, want one subcommand", d.Metadata.Name, c.Args)
			continue
		}
		byArg[c.Args[0]] = w
		where := "Deployment " + d.Metadata.Name
		checkSecurity(t, where, w.Spec.Template)
		if c.Image != "ghcr.io/sigess/sigess:"+appVersion(t) {
			t.Errorf("%s: image %q, want ghcr.io/sigess/sigess:%s", where, c.Image, appVersion(t))
		}
		refs := secretEnv(t, where, c)
		for env, key := range map[string]string{"SIGESS_DATABASE_URL": "database-url", "SIGESS_REDIS_URL": "redis-url"} {
			ref, ok := refs[env]
			if !ok {
				t.Errorf("%s: %s is not set from a Secret", where, env)
				continue
			}
			if ref.Key != key {
				t.Errorf("%s: %s reads key %q, want %q", where, env, ref.Key, key)
			}
			checkRef(where, env, ref, false)
		}
		if _, ok := refs["SIGESS_DATABASE_ADMIN_URL"]; ok {
			t.Errorf("%s: the owner-role URL must only reach the migration Job", where)
		}
		if ref := refs["SIGESS_DATABASE_URL"]; want.existingDB != "" && ref.Name != want.existingDB {
			t.Errorf("%s: SIGESS_DATABASE_URL reads Secret %q, want existing %q", where, ref.Name, want.existingDB)
		}
		if ref := refs["SIGESS_REDIS_URL"]; want.existingRedis != "" && ref.Name != want.existingRedis {
			t.Errorf("%s: SIGESS_REDIS_URL reads Secret %q, want existing %q", where, ref.Name, want.existingRedis)
		}
		if e, ok := envNamed(c, "SIGESS_MAIL_URL"); !ok {
			t.Errorf("%s: SIGESS_MAIL_URL is not set (the app validates it at start)", where)
		} else if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			checkRef(where, e.Name, *e.ValueFrom.SecretKeyRef, false)
		} else if e.Value == nil || !strings.HasPrefix(*e.Value, "dir:/") {
			t.Errorf("%s: SIGESS_MAIL_URL is neither from a Secret nor an absolute dir: folder", where)
		}
		loadsCM := false
		for _, ef := range c.EnvFrom {
			if ef.ConfigMapRef != nil && ef.ConfigMapRef.Name == fullname {
				loadsCM = true
			}
		}
		if !loadsCM {
			t.Errorf("%s: does not load ConfigMap %s with envFrom", where, fullname)
		}
		if w.Spec.Selector == nil || len(w.Spec.Selector.MatchLabels) == 0 {
			t.Errorf("%s: no selector", where)
		} else {
			for k, v := range w.Spec.Selector.MatchLabels {
				if w.Spec.Template.Metadata.Labels[k] != v {
					t.Errorf("%s: selector %s=%s does not match the pod labels", where, k, v)
				}
			}
		}
		for _, l := range []string{"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version", "app.kubernetes.io/managed-by", "helm.sh/chart"} {
			if d.Metadata.Labels[l] == "" {
				t.Errorf("%s: missing label %s", where, l)
			}
		}
	}
	server, okS := byArg["serve"]
	worker, okW := byArg["worker"]
	if !okS || !okW {
		t.Fatalf("want Deployments running `serve` and `worker`, got args %v", keys(byArg))
	}
	if server.Metadata.Labels["app.kubernetes.io/component"] == worker.Metadata.Labels["app.kubernetes.io/component"] {
		t.Errorf("server and worker share component label %q", server.Metadata.Labels["app.kubernetes.io/component"])
	}
	sc := onlyContainer(t, "server", server.Spec.Template)
	if portNumber(sc, "http") != 8080 {
		t.Errorf("server: container port named http is %d, want 8080", portNumber(sc, "http"))
	}
	checkProbes(t, "server", sc, "http")
	wc := onlyContainer(t, "worker", worker.Spec.Template)
	if portNumber(wc, "ops") != 9091 {
		t.Errorf("worker: ops port is %d, want 9091", portNumber(wc, "ops"))
	}
	for _, p := range []*probe{wc.LivenessProbe, wc.ReadinessProbe} {
		if p != nil && p.HTTPGet != nil && p.HTTPGet.Port != nil && toString(p.HTTPGet.Port) != "ops" && toString(p.HTTPGet.Port) != "9091" {
			t.Errorf("worker: probe on port %v, want the ops port 9091", p.HTTPGet.Port)
		}
	}
	checkProbes(t, "worker", wc, "ops")
	// A dir: mail folder must be writable in the worker despite the read-only root filesystem.
	if e, ok := envNamed(wc, "SIGESS_MAIL_URL"); ok && e.Value != nil && strings.HasPrefix(*e.Value, "dir:") {
		if _, ok := emptyDirAt(worker.Spec.Template, wc, strings.TrimPrefix(*e.Value, "dir:")); !ok {
			t.Errorf("worker: SIGESS_MAIL_URL %s is not on a mounted emptyDir", *e.Value)
		}
	}
	if server.Spec.Replicas == nil || *server.Spec.Replicas != want.serverReplicas {
		t.Errorf("server replicas %v, want %d", server.Spec.Replicas, want.serverReplicas)
	}
	if worker.Spec.Replicas == nil || *worker.Spec.Replicas != want.workerReplicas {
		t.Errorf("worker replicas %v, want %d", worker.Spec.Replicas, want.workerReplicas)
	}

	// Service -> server pods.
	svcs := r.all("Service")
	if len(svcs) != 1 {
		t.Fatalf("want 1 Service, got %d", len(svcs))
	}
	svc := decode[service](t, svcs[0])
	if svc.Spec.Type != "ClusterIP" || len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 80 || toString(svc.Spec.Ports[0].TargetPort) != "http" {
		t.Errorf("Service: want ClusterIP port 80 -> http, got %s %+v", svc.Spec.Type, svc.Spec.Ports)
	}
	if len(svc.Spec.Selector) == 0 {
		t.Errorf("Service has no selector")
	}
	for k, v := range svc.Spec.Selector {
		if server.Spec.Template.Metadata.Labels[k] != v {
			t.Errorf("Service selector %s=%s does not select the server pods", k, v)
		}
	}
	matchesWorker := true
	for k, v := range svc.Spec.Selector {
		if worker.Spec.Template.Metadata.Labels[k] != v {
			matchesWorker = false
		}
	}
	if matchesWorker {
		t.Errorf("Service selector also selects the worker pods")
	}

	// Ingress: base host and tenant wildcard, both to the Service.
	ings := r.all("Ingress")
	if len(ings) != 1 {
		t.Fatalf("want 1 Ingress, got %d", len(ings))
	}
	ing := decode[ingress](t, ings[0])
	hosts := map[string]bool{}
	for _, rule := range ing.Spec.Rules {
		hosts[rule.Host] = true
		if len(rule.HTTP.Paths) == 0 {
			t.Errorf("Ingress rule %s has no paths", rule.Host)
		}
		for _, p := range rule.HTTP.Paths {
			b := p.Backend.Service
			if b.Name != svc.Metadata.Name || (b.Port.Name != "http" && b.Port.Number != svc.Spec.Ports[0].Port) {
				t.Errorf("Ingress %s%s -> %s:%s%d, want Service %s port http", rule.Host, p.Path, b.Name, b.Port.Name, b.Port.Number, svc.Metadata.Name)
			}
			if p.Path != "/" || p.PathType != "Prefix" {
				t.Errorf("Ingress %s: path %s %s, want / Prefix (tenants also live under /t/{slug})", rule.Host, p.PathType, p.Path)
			}
		}
	}
	for _, h := range []string{baseDomain, "*." + baseDomain} {
		if !hosts[h] {
			t.Errorf("Ingress has no rule for host %q (has %v)", h, keys(hosts))
		}
	}
	if ing.Spec.IngressClassName != want.className {
		t.Errorf("ingressClassName %q, want %q", ing.Spec.IngressClassName, want.className)
	}
	if want.tls == "" {
		if len(ing.Spec.TLS) != 0 {
			t.Errorf("Ingress has TLS but TLS was not enabled")
		}
	} else {
		if len(ing.Spec.TLS) != 1 {
			t.Fatalf("Ingress: want 1 TLS entry, got %d", len(ing.Spec.TLS))
		}
		tls := ing.Spec.TLS[0]
		if tls.SecretName != want.tls || !slices.Contains(tls.Hosts, baseDomain) || !slices.Contains(tls.Hosts, "*."+baseDomain) {
			t.Errorf("Ingress TLS %+v, want secret %s for %s and *.%s", tls, want.tls, baseDomain, baseDomain)
		}
	}

	// Migration Job: a pre-install/pre-upgrade hook running `migrate` whose
	// Secret and ServiceAccount exist before it does.
	jobs := r.all("Job")
	if len(jobs) != 1 {
		t.Fatalf("want 1 migration Job, got %d", len(jobs))
	}
	job := decode[workload](t, jobs[0])
	where := "Job " + job.Metadata.Name
	if !isPreInstallHook(job.Metadata) {
		t.Errorf("%s: helm.sh/hook = %q, want pre-install,pre-upgrade", where, job.Metadata.Annotations["helm.sh/hook"])
	}
	dp := strings.Split(job.Metadata.Annotations["helm.sh/hook-delete-policy"], ",")
	if !slices.Contains(dp, "before-hook-creation") || !slices.Contains(dp, "hook-succeeded") {
		t.Errorf("%s: hook-delete-policy %q, want before-hook-creation,hook-succeeded", where, job.Metadata.Annotations["helm.sh/hook-delete-policy"])
	}
	jw := hookWeight(t, job.Metadata)
	jc := onlyContainer(t, where, job.Spec.Template)
	if !slices.Equal(jc.Args, []string{"migrate"}) || len(jc.Command) != 0 {
		t.Errorf("%s: command %v args %v, want args [migrate]", where, jc.Command, jc.Args)
	}
	if rp := job.Spec.Template.Spec.RestartPolicy; rp != "Never" && rp != "OnFailure" {
		t.Errorf("%s: restartPolicy %q", where, rp)
	}
	checkSecurity(t, where, job.Spec.Template)
	jrefs := secretEnv(t, where, jc)
	for env, key := range map[string]string{"SIGESS_DATABASE_URL": "database-url", "SIGESS_DATABASE_ADMIN_URL": "database-admin-url"} {
		ref, ok := jrefs[env]
		if !ok {
			t.Errorf("%s: %s is not set from a Secret", where, env)
			continue
		}
		if ref.Key != key {
			t.Errorf("%s: %s reads key %q, want %q", where, env, ref.Key, key)
		}
		if want.existingDB != "" {
			if ref.Name != want.existingDB {
				t.Errorf("%s: %s reads Secret %q, want existing %q", where, env, ref.Name, want.existingDB)
			}
			continue
		}
		// A chart-made Secret must be a hook created before the Job:
		// ordinary resources do not exist yet during pre-install.
		sd, ok := r.find("Secret", ref.Name)
		if !ok {
			t.Errorf("%s: %s reads Secret %q, which is not rendered", where, env, ref.Name)
			continue
		}
		if !isPreInstallHook(sd.Metadata) || hookWeight(t, sd.Metadata) >= jw {
			t.Errorf("%s: Secret %s is not a pre-install,pre-upgrade hook weighted before the Job", where, ref.Name)
		}
		checkRef(where, env, ref, true)
	}
	for _, e := range jc.EnvFrom {
		kind, name := "ConfigMap", ""
		if e.ConfigMapRef != nil {
			name = e.ConfigMapRef.Name
		} else if e.SecretRef != nil {
			kind, name = "Secret", e.SecretRef.Name
		}
		if d, ok := r.find(kind, name); ok && !isPreInstallHook(d.Metadata) {
			t.Errorf("%s: envFrom reads %s %s, an ordinary resource that does not exist yet during pre-install", where, kind, name)
		}
	}
	if sa := job.Spec.Template.Spec.ServiceAccountName; sa != "" && sa != "default" {
		d, ok := r.find("ServiceAccount", sa)
		if !ok {
			t.Errorf("%s: ServiceAccount %q is not rendered", where, sa)
		} else if !isPreInstallHook(d.Metadata) || hookWeight(t, d.Metadata) >= jw {
			t.Errorf("%s: ServiceAccount %s is not a hook weighted before the Job", where, sa)
		}
	}

	// ServiceAccount of the Deployments.
	sa := server.Spec.Template.Spec.ServiceAccountName
	if d, ok := r.find("ServiceAccount", sa); !ok || d.Metadata.Annotations["helm.sh/hook"] != "" {
		t.Errorf("server ServiceAccount %q is not rendered as an ordinary resource", sa)
	}

	// PodDisruptionBudget.
	if got := len(r.all("PodDisruptionBudget")); (got == 1) != want.pdb || got > 1 {
		t.Errorf("PodDisruptionBudgets: got %d, want present=%v", got, want.pdb)
	}
}

func envNamed(c container, name string) (envVar, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e, true
		}
	}
	return envVar{}, false
}

// describe prints where an environment variable's value comes from.
func describe(e envVar) string {
	switch {
	case e.Value != nil:
		return strconv.Quote(*e.Value)
	case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
		return fmt.Sprintf("Secret %s key %s", e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key)
	default:
		return "unset"
	}
}

// emptyDirAt returns the emptyDir volume mounted writable at path in c.
func emptyDirAt(p podTemplate, c container, path string) (volume, bool) {
	for _, m := range c.VolumeMounts {
		if m.MountPath != path || m.ReadOnly {
			continue
		}
		for _, v := range p.Spec.Volumes {
			if v.Name == m.Name && v.EmptyDir != nil {
				return v, true
			}
		}
	}
	return volume{}, false
}

// deployment returns the Deployment running subcommand arg and its container.
func deployment(t *testing.T, r rendered, arg string) (workload, container) {
	t.Helper()
	for _, d := range r.all("Deployment") {
		w := decode[workload](t, d)
		c := onlyContainer(t, d.Metadata.Name, w.Spec.Template)
		if slices.Equal(c.Args, []string{arg}) {
			return w, c
		}
	}
	t.Fatalf("no Deployment runs %q", arg)
	return workload{}, container{}
}

// checkMailFromSecret asserts that server and worker read SIGESS_MAIL_URL from
// key mail-url of Secret name, and that no pod mounts the dir: fallback.
func checkMailFromSecret(t *testing.T, r rendered, name string) {
	t.Helper()
	for _, arg := range []string{"serve", "worker"} {
		w, c := deployment(t, r, arg)
		e, _ := envNamed(c, "SIGESS_MAIL_URL")
		if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil || *e.ValueFrom.SecretKeyRef != (secretKeyRef{Name: name, Key: "mail-url"}) {
			t.Errorf("%s: SIGESS_MAIL_URL = %s, want Secret %s key mail-url", arg, describe(e), name)
		}
		if _, ok := emptyDirAt(w.Spec.Template, c, mailSpool); ok {
			t.Errorf("%s: mounts the mail spool although a mail URL is configured", arg)
		}
	}
}

// checkSecretKey asserts that server and worker read SIGESS_SECRET_KEY from key
// secret-key of Secret name ("" = not set at all), and the migration Job never.
func checkSecretKey(t *testing.T, r rendered, name string) {
	t.Helper()
	for _, arg := range []string{"serve", "worker"} {
		_, c := deployment(t, r, arg)
		e, ok := envNamed(c, "SIGESS_SECRET_KEY")
		switch {
		case name == "" && ok:
			t.Errorf("%s: SIGESS_SECRET_KEY = %s, want unset", arg, describe(e))
		case name != "" && (e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil ||
			*e.ValueFrom.SecretKeyRef != (secretKeyRef{Name: name, Key: "secret-key"})):
			t.Errorf("%s: SIGESS_SECRET_KEY = %s, want Secret %s key secret-key", arg, describe(e), name)
		}
	}
	for _, d := range r.all("Job") {
		c := onlyContainer(t, d.Metadata.Name, decode[workload](t, d).Spec.Template)
		if e, ok := envNamed(c, "SIGESS_SECRET_KEY"); ok {
			t.Errorf("Job %s: SIGESS_SECRET_KEY = %s; migrations need no key", d.Metadata.Name, describe(e))
		}
	}
	if v, ok := configMapData(t, r)["SIGESS_SECRET_KEY"]; ok {
		t.Errorf("ConfigMap holds SIGESS_SECRET_KEY = %q", v)
	}
}

func configMapData(t *testing.T, r rendered) map[string]string {
	t.Helper()
	d, ok := r.find("ConfigMap", fullname)
	if !ok {
		t.Fatalf("no ConfigMap %s", fullname)
	}
	return decode[configMap](t, d).Data
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func appVersion(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("sigess", "Chart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		AppVersion string `yaml:"appVersion"`
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c.AppVersion
}

func secretData(t *testing.T, r rendered, name string) map[string]string {
	t.Helper()
	d, ok := r.find("Secret", name)
	if !ok {
		t.Fatalf("no Secret %s", name)
	}
	out := map[string]string{}
	for k, v := range decode[secret](t, d).Data {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			t.Fatalf("Secret %s key %s is not base64: %v", name, k, err)
		}
		out[k] = string(b)
	}
	return out
}

// ---- the table ----
