// Package obs is observability shared by every layer: the request id and tenant
// carried in the context, and a JSON logger that writes them on every line.
package obs

import (
	"context"
	"io"
	"log/slog"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	tenantKey
)

// WithRequestID returns ctx carrying the request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request id in ctx, or "".
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

// WithTenant returns ctx carrying the slug of the tenant being served.
func WithTenant(ctx context.Context, slug string) context.Context {
	return context.WithValue(ctx, tenantKey, slug)
}

// Tenant returns the tenant slug in ctx, or "".
func Tenant(ctx context.Context) string {
	s, _ := ctx.Value(tenantKey).(string)
	return s
}

// NewLogger returns a JSON logger at level that adds request_id and tenant from
// the context of each record.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(contextHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})})
}

type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	if t := Tenant(ctx); t != "" {
		r.AddAttrs(slog.String("tenant", t))
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(as)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}
