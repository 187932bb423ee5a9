// Package app builds SIGeSS's object graph from the configuration — pool,
// Redis, tenant registry, web server, worker — and runs its processes.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/sigess/sigess/internal/access"
	"github.com/sigess/sigess/internal/agenda"
	"github.com/sigess/sigess/internal/apiclient"
	"github.com/sigess/sigess/internal/assessment"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/catalog"
	"github.com/sigess/sigess/internal/config"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/diary"
	"github.com/sigess/sigess/internal/documents"
	"github.com/sigess/sigess/internal/exports"
	"github.com/sigess/sigess/internal/households"
	"github.com/sigess/sigess/internal/identity"
	"github.com/sigess/sigess/internal/interventions"
	"github.com/sigess/sigess/internal/jobs"
	"github.com/sigess/sigess/internal/mail"
	"github.com/sigess/sigess/internal/onboarding"
	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/plans"
	"github.com/sigess/sigess/internal/secretbox"
	"github.com/sigess/sigess/internal/session"
	"github.com/sigess/sigess/internal/siuss"
	"github.com/sigess/sigess/internal/sso"
	"github.com/sigess/sigess/internal/templates"
	"github.com/sigess/sigess/internal/tenancy"
	"github.com/sigess/sigess/internal/web"
)

// App holds the long-lived parts of a SIGeSS process.
type App struct {
	Cfg      *config.Config
	DB       *db.DB
	Redis    *redis.Client
	Tenants  *tenancy.Service
	Resolver *tenancy.Resolver
	Identity *identity.Service
	Sessions *session.Store
	Authz    *authz.Enforcer
	// People is the person registry; Households registers its merge hook on it.
	People     *people.Service
	Households *households.Service
	Cases      *casefile.Service // the case files
	Accesses   *access.Service   // intake; opens cases from proposals
	Diary      *diary.Service
	Documents  *documents.Service
	Agenda     *agenda.Service    // the operators' agendas
	Exports    *exports.Service   // the reporting exports, run as jobs
	Catalog    *catalog.Service   // the enti's catalogues of services
	Templates  *templates.Service // the regional templates (catalogue) and their adoption
	Metrics    *prometheus.Registry
	Version    string

	// APIClients are the enti's machine clients (OAuth2 client credentials).
	APIClients *apiclient.Service

	// Interventions are the interventions and their deliveries.
	Interventions *interventions.Service

	jobMetrics *jobs.Metrics
}

// New connects to PostgreSQL and Redis and builds the services.
func New(ctx context.Context, cfg *config.Config, version string) (*App, error) {
	d, err := db.Open(ctx, cfg.Database.URL, cfg.Database.MaxConns)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL (SIGESS_DATABASE_URL): %w", err)
	}
	opt, err := redis.ParseURL(cfg.Redis.URL)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("SIGESS_REDIS_URL: %w", err)
	}
	var secrets *secretbox.Box // nil: no security.secret_key, secrets stay plain
	if key := cfg.Security.Key(); key != nil {
		if secrets, err = secretbox.New(key); err != nil {
			d.Close()
			return nil, fmt.Errorf("SIGESS_SECRET_KEY: %w", err)
		}
	}
	rdb := redis.NewClient(opt)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	svc := tenancy.NewService(d, tenancy.Publisher{RDB: rdb}).WithSecrets(secrets)
	publish := authz.Publisher{RDB: rdb}
	var enf *authz.Enforcer
	// A change of roles takes effect here at once, elsewhere through Redis.
	notify := func(ctx context.Context, scope db.Scope) {
		enf.Invalidate(scope)
		if err := publish.Changed(ctx, scope); err != nil {
			slog.WarnContext(ctx, "authz: change not published", "err", err)
		}
	}
	ids := identity.NewService(d, rdb, identity.Options{Notify: notify, Secrets: secrets})
	clients := apiclient.NewService(d, rdb, apiclient.Options{Notify: notify})
	enf, err = authz.NewEnforcer(d, Assignments{ids, clients}, authz.Options{Publish: publish.Changed})
	if err != nil {
		d.Close()
		rdb.Close()
		return nil, err
	}
	store, err := documents.OpenStorage(cfg.Documents.StorageURL, cfg.Documents.S3AccessKey, cfg.Documents.S3SecretKey)
	if err != nil {
		d.Close()
		rdb.Close()
		return nil, fmt.Errorf("SIGESS_DOCUMENTS_STORAGE_URL: %w", err)
	}
	ppl := people.NewService(d)
	cases := casefile.NewService(d, ppl)
	cat, tmpl := catalog.WithTemplates(d)
	tmpl.Register(templates.KindWorkflow, casefile.WorkflowTemplateKind{Roles: workflowRoles(enf)})
	cases.UseTemplates(tmpl)
	return &App{
		Catalog: cat, Templates: tmpl,
		Cfg: cfg, DB: d, Redis: rdb, Tenants: svc, Resolver: tenancy.NewResolver(svc, cfg.Tenants.CacheTTL),
		Identity: ids, APIClients: clients, Sessions: session.NewStore(rdb, session.Options{}), Authz: enf,
		People: ppl, Households: households.NewService(d, ppl), Cases: cases, Accesses: access.NewService(d, ppl, cases),
		Diary: diary.NewService(d, cases), Documents: documents.NewService(d, store, cases, int64(cfg.Documents.MaxBytes)),
		Interventions: hookSIUSS(interventions.NewService(d, cases), d), Version: version,
		Agenda:  agenda.NewService(d, cases),
		Exports: exports.NewService(d, cases),
		Metrics: reg, jobMetrics: jobs.NewMetrics(reg),
	}, nil
}

// Close releases connections.
func (a *App) Close() {
	a.Redis.Close()
	a.DB.Close()
}

func (a *App) checks() []web.Check {
	return []web.Check{
		{Name: "postgres", Ping: func(ctx context.Context) error { return a.DB.Pool.Ping(ctx) }},
		{Name: "redis", Ping: func(ctx context.Context) error { return a.Redis.Ping(ctx).Err() }},
	}
}

// Server builds the web server. jobs enqueues the consoles' work.
func (a *App) Server(jobs web.Jobs) (*web.Server, error) {
	return web.New(web.Options{
		BaseDomain: a.Cfg.HTTP.BaseDomain, PublicURL: a.Cfg.HTTP.PublicURL, SecureCookies: a.Cfg.HTTP.SecureCookies(),
		TrustedProxies: a.Cfg.HTTP.TrustedProxies,
		Tenants:        a.Resolver, Registry: a.Tenants, Identity: a.Identity, APIClients: a.APIClients, Sessions: a.Sessions, Authz: a.Authz,
		SSO: sso.New(&http.Client{Timeout: 10 * time.Second}), Redis: a.Redis, Jobs: jobs,
		People: a.People, Households: a.Households, Cases: a.Cases, Accesses: a.Accesses, Diary: a.Diary, Documents: a.Documents, Interventions: a.Interventions,
		Assessments: assessment.NewService(a.DB, a.Cases), Plans: plans.NewService(a.DB, a.Cases),
		Agenda: a.Agenda, Exports: a.Exports, Catalog: a.Catalog, Templates: a.Templates, WorkflowTemplates: a.Cases,
		SIUSS:  siuss.NewService(a.DB),
		Checks: a.checks(), Imports: onboarding.NewService(a.DB), Registerer: a.Metrics, Gatherer: a.Metrics, Version: a.Version,
	})
}

// Serve runs the web server until ctx ends, then drains it.
func (a *App) Serve(ctx context.Context) error {
	redisOpt, err := asynq.ParseRedisURI(a.Cfg.Redis.URL)
	if err != nil {
		return fmt.Errorf("SIGESS_REDIS_URL: %w", err)
	}
	client := asynq.NewClient(redisOpt)
	defer client.Close()
	srv, err := a.Server(jobs.Console{Client: client})
	if err != nil {
		return err
	}
	go a.Resolver.Listen(ctx, a.Redis)
	go a.Authz.Listen(ctx, a.Redis)
	slog.Info("serving", "addr", a.Cfg.HTTP.Addr, "url", a.Cfg.HTTP.PublicURL, "version", a.Version)
	return listen(ctx, &http.Server{Addr: a.Cfg.HTTP.Addr, Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second})
}

// Work runs the job worker and the outbox relay until ctx ends, with its own
// operations endpoint (healthz, readyz, metrics).
func (a *App) Work(ctx context.Context) error {
	redisOpt, err := asynq.ParseRedisURI(a.Cfg.Redis.URL)
	if err != nil {
		return fmt.Errorf("SIGESS_REDIS_URL: %w", err)
	}
	client := asynq.NewClient(redisOpt)
	defer client.Close()
	worker := jobs.NewWorker(redisOpt, a.Cfg.Worker.Concurrency, a.jobMetrics)
	sender, err := mail.NewSender(a.Cfg.Mail.URL, a.Cfg.Mail.From)
	if err != nil {
		return fmt.Errorf("SIGESS_MAIL_URL: %w", err)
	}
	worker.Handle(mail.TaskSend, mail.Handle(sender))
	a.handleConsoleJobs(worker)
	worker.Handle(exports.TaskRun, exports.Handle(a.Exports))
	worker.Handle(onboarding.TaskRun, onboarding.Handle(onboarding.NewService(a.DB)))
	relay := jobs.NewRelay(a.DB, client, a.jobMetrics)

	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"status":"ok"}`)) }) //nolint:errcheck
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		status, body := web.Ready(r.Context(), a.checks())
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(body) //nolint:errcheck
	})
	mux.Handle("/metrics", promhttp.HandlerFor(a.Metrics, promhttp.HandlerOpts{}))

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return worker.Run(ctx) })
	g.Go(func() error { relay.Run(ctx, a.Cfg.Worker.RelayInterval); return nil })
	g.Go(func() error {
		return listen(ctx, &http.Server{Addr: a.Cfg.Worker.OpsAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second})
	})
	slog.Info("worker running", "concurrency", a.Cfg.Worker.Concurrency, "ops_addr", a.Cfg.Worker.OpsAddr)
	return g.Wait()
}

// All runs the server and the worker in one process: the single-machine default.
func (a *App) All(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.Serve(ctx) })
	g.Go(func() error { return a.Work(ctx) })
	return g.Wait()
}

// listen serves until ctx ends, then shuts down within 15 seconds.
func listen(ctx context.Context, srv *http.Server) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return fmt.Errorf("listen on %s: %w", srv.Addr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
