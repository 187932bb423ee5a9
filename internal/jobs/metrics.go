package jobs

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the Prometheus collectors of the relay and the worker.
type Metrics struct {
	// JobsProcessed counts handled jobs by task type and result (ok or error).
	JobsProcessed *prometheus.CounterVec
	// OutboxRelayed counts outbox rows marked sent, including rows found already
	// enqueued by an earlier relay.
	OutboxRelayed prometheus.Counter
	// OutboxRelayErrors counts relay rounds that stopped on an error.
	OutboxRelayErrors prometheus.Counter
	// OutboxPending is the number of outbox rows not yet sent, as last seen by
	// the relay.
	OutboxPending prometheus.Gauge
}

// NewMetrics creates the collectors and registers them with reg; a nil reg
// leaves them unregistered, which suits tests and tools. It panics if they are
// already registered, as prometheus.MustRegister does.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		JobsProcessed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sigess_jobs_processed_total",
			Help: "Background jobs handled by the worker, by task type and result (ok or error).",
		}, []string{"type", "result"}),
		OutboxRelayed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sigess_outbox_relayed_total",
			Help: "Outbox rows relayed to the job queue and marked sent.",
		}),
		OutboxRelayErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sigess_outbox_relay_errors_total",
			Help: "Outbox relay rounds that failed, for example because Redis was unreachable.",
		}),
		OutboxPending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "sigess_outbox_pending",
			Help: "Outbox rows waiting to be relayed.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.JobsProcessed, m.OutboxRelayed, m.OutboxRelayErrors, m.OutboxPending)
	}
	return m
}
