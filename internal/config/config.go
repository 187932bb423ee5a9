// Package config reads SIGeSS's configuration once, at start: the defaults of
// configs/sigess.yaml, an optional file named by SIGESS_CONFIG, then SIGESS_*
// environment variables; and it validates the result, naming the key at fault.
package config

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sigess/sigess/configs"
)

// Config is the whole configuration of a SIGeSS process.
type Config struct {
	HTTP      HTTP      `yaml:"http"`
	Database  Database  `yaml:"database"`
	Redis     Redis     `yaml:"redis"`
	Worker    Worker    `yaml:"worker"`
	Tenants   Tenants   `yaml:"tenants"`
	Log       Log       `yaml:"log"`
	Mail      Mail      `yaml:"mail"`
	Security  Security  `yaml:"security"`
	Documents Documents `yaml:"documents"`
}

// Documents configures where the documents' bytes are kept (internal/documents).
type Documents struct {
	// StorageURL is file:PATH (a directory) or
	// s3://BUCKET?endpoint=HOST[:PORT]&region=R[&insecure=1].
	StorageURL string `yaml:"storage_url" env:"SIGESS_DOCUMENTS_STORAGE_URL"`
	// MaxBytes is the size limit of one uploaded file.
	MaxBytes    int    `yaml:"max_bytes" env:"SIGESS_DOCUMENTS_MAX_BYTES"`
	S3AccessKey string `yaml:"s3_access_key" env:"SIGESS_DOCUMENTS_S3_ACCESS_KEY"`
	S3SecretKey string `yaml:"s3_secret_key" env:"SIGESS_DOCUMENTS_S3_SECRET_KEY"`
}

func checkStorageURL(s string) error {
	if strings.HasPrefix(s, "file:") && len(s) > len("file:") {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.Query().Get("endpoint") == "" {
		return fmt.Errorf("%q is neither file:PATH nor s3://bucket?endpoint=host&region=…", s)
	}
	return nil
}

// Security holds the deployment's own secrets.
type Security struct {
	// SecretKey is the base64 of 32 bytes that encrypt the secrets kept in
	// PostgreSQL (TOTP secrets, OIDC client secrets); empty keeps them plain.
	SecretKey string `yaml:"secret_key" env:"SIGESS_SECRET_KEY"`
}

// Key returns the decoded secret key, nil when none is configured.
func (s Security) Key() []byte {
	key, _ := decodeSecretKey(s.SecretKey) // validated at load
	return key
}

// decodeSecretKey decodes a base64 key (standard or URL alphabet, padded or not)
// of 32 bytes; empty is no key.
func decodeSecretKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil {
			if len(key) != 32 {
				return nil, fmt.Errorf("is %d bytes once decoded; want 32 (openssl rand -base64 32)", len(key))
			}
			return key, nil
		}
	}
	return nil, errors.New("is not base64 (openssl rand -base64 32)")
}

func checkSecretKey(s string) error {
	_, err := decodeSecretKey(s)
	return err
}

// Mail configures outgoing e-mail (password resets, account set-up links).
type Mail struct {
	URL  string `yaml:"url" env:"SIGESS_MAIL_URL"`   // dir:PATH writes .eml files; smtp:// or smtps:// sends
	From string `yaml:"from" env:"SIGESS_MAIL_FROM"` // the From header
}

// HTTP configures the web server.
type HTTP struct {
	Addr       string `yaml:"addr" env:"SIGESS_HTTP_ADDR"`
	BaseDomain string `yaml:"base_domain" env:"SIGESS_BASE_DOMAIN"`
	PublicURL  string `yaml:"public_url" env:"SIGESS_PUBLIC_URL"`
	// TrustedProxies lists, comma-separated, the reverse proxies (CIDR) whose
	// X-Forwarded-For gives the client address; empty trusts none.
	TrustedProxies []string `yaml:"trusted_proxies" env:"SIGESS_HTTP_TRUSTED_PROXIES"`
}

// Database configures PostgreSQL access.
type Database struct {
	URL      string `yaml:"url" env:"SIGESS_DATABASE_URL"`
	AdminURL string `yaml:"admin_url" env:"SIGESS_DATABASE_ADMIN_URL"`
	MaxConns int    `yaml:"max_conns" env:"SIGESS_DATABASE_MAX_CONNS"`
}

// Redis configures the job queue, caches and pub/sub.
type Redis struct {
	URL string `yaml:"url" env:"SIGESS_REDIS_URL"`
}

// Worker configures `sigess worker`.
type Worker struct {
	Concurrency   int           `yaml:"concurrency" env:"SIGESS_WORKER_CONCURRENCY"`
	OpsAddr       string        `yaml:"ops_addr" env:"SIGESS_WORKER_OPS_ADDR"`
	RelayInterval time.Duration `yaml:"relay_interval" env:"SIGESS_WORKER_RELAY_INTERVAL"`
}

// Tenants configures tenant resolution.
type Tenants struct {
	CacheTTL time.Duration `yaml:"cache_ttl" env:"SIGESS_TENANTS_CACHE_TTL"`
}

// Log configures structured logging.
type Log struct {
	Level string `yaml:"level" env:"SIGESS_LOG_LEVEL"`
}

// SecureCookies tells whether cookies must carry the Secure flag: whenever the
// public address is https, which it is in every deployment but local development.
func (h HTTP) SecureCookies() bool { return strings.HasPrefix(h.PublicURL, "https://") }

func checkMailURL(s string) error {
	if strings.HasPrefix(s, "dir:") && len(s) > len("dir:") {
		return nil
	}
	return checkURL(s, "smtp", "smtps")
}

func checkCIDRs(list []string) error {
	for _, s := range list {
		if _, _, err := net.ParseCIDR(s); err != nil && net.ParseIP(s) == nil {
			return fmt.Errorf("%q is not an address or CIDR", s)
		}
	}
	return nil
}

func checkNonEmpty(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("must not be empty")
	}
	return nil
}

// Error is an invalid configuration value: Key is the environment variable (or
// the YAML key when it has none) and Reason says what is wrong.
type Error struct {
	Key    string
	Path   string
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("config: %s (%s): %s", e.Key, e.Path, e.Reason)
}

// Load reads the defaults, the file named by SIGESS_CONFIG if set, and the
// environment given by getenv (os.Getenv in production), then validates.
func Load(getenv func(string) string) (*Config, error) {
	var c Config
	if err := decodeYAML(configs.Default, &c); err != nil {
		return nil, fmt.Errorf("config: built-in defaults: %w", err)
	}
	if path := getenv("SIGESS_CONFIG"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, &Error{Key: "SIGESS_CONFIG", Path: "file", Reason: err.Error()}
		}
		if err := decodeYAML(b, &c); err != nil {
			return nil, &Error{Key: "SIGESS_CONFIG", Path: path, Reason: err.Error()}
		}
	}
	if err := applyEnv(reflect.ValueOf(&c).Elem(), "", getenv); err != nil {
		return nil, err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

func decodeYAML(b []byte, c *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(c)
}

// applyEnv walks the struct and sets every field whose env tag names a variable
// that is set.
func applyEnv(v reflect.Value, prefix string, getenv func(string) string) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f, fv := t.Field(i), v.Field(i)
		path := strings.TrimPrefix(prefix+"."+f.Tag.Get("yaml"), ".")
		if f.Type.Kind() == reflect.Struct {
			if err := applyEnv(fv, path, getenv); err != nil {
				return err
			}
			continue
		}
		key := f.Tag.Get("env")
		raw := getenv(key)
		if key == "" || raw == "" {
			continue
		}
		switch {
		case f.Type == reflect.TypeOf(time.Duration(0)):
			d, err := time.ParseDuration(raw)
			if err != nil {
				return &Error{Key: key, Path: path, Reason: fmt.Sprintf("%q is not a duration (e.g. 30s, 5m)", raw)}
			}
			fv.SetInt(int64(d))
		case f.Type.Kind() == reflect.Int:
			n, err := strconv.Atoi(raw)
			if err != nil {
				return &Error{Key: key, Path: path, Reason: fmt.Sprintf("%q is not a whole number", raw)}
			}
			fv.SetInt(int64(n))
		case f.Type.Kind() == reflect.Slice:
			var list []string
			for _, item := range strings.Split(raw, ",") {
				if item = strings.TrimSpace(item); item != "" {
					list = append(list, item)
				}
			}
			fv.Set(reflect.ValueOf(list))
		default:
			fv.SetString(raw)
		}
	}
	return nil
}

func (c *Config) validate() error {
	checks := []struct {
		path string
		err  error
	}{
		{"http.addr", checkAddr(c.HTTP.Addr)},
		{"http.base_domain", checkDomain(c.HTTP.BaseDomain)},
		{"http.public_url", checkURL(c.HTTP.PublicURL, "http", "https")},
		{"database.url", checkURL(c.Database.URL, "postgres", "postgresql")},
		{"database.admin_url", checkURL(c.Database.AdminURL, "postgres", "postgresql")},
		{"database.max_conns", checkRange(c.Database.MaxConns, 2, 1000)},
		{"redis.url", checkURL(c.Redis.URL, "redis", "rediss")},
		{"worker.concurrency", checkRange(c.Worker.Concurrency, 1, 1000)},
		{"worker.ops_addr", checkAddr(c.Worker.OpsAddr)},
		{"worker.relay_interval", checkPositive(c.Worker.RelayInterval)},
		{"tenants.cache_ttl", checkPositive(c.Tenants.CacheTTL)},
		{"log.level", checkLevel(c.Log.Level)},
		{"http.trusted_proxies", checkCIDRs(c.HTTP.TrustedProxies)},
		{"mail.url", checkMailURL(c.Mail.URL)},
		{"mail.from", checkNonEmpty(c.Mail.From)},
		{"security.secret_key", checkSecretKey(c.Security.SecretKey)},
		{"documents.storage_url", checkStorageURL(c.Documents.StorageURL)},
		{"documents.max_bytes", checkRange(c.Documents.MaxBytes, 1<<10, 1<<30)},
	}
	for _, ch := range checks {
		if ch.err != nil {
			return &Error{Key: envKey(ch.path), Path: ch.path, Reason: ch.err.Error()}
		}
	}
	if u, _ := url.Parse(c.Database.URL); u.User.Username() == "" {
		return &Error{Key: envKey("database.url"), Path: "database.url", Reason: "must name the runtime login role (postgres://ROLE@host/db)"}
	}
	return nil
}

// SlogLevel returns the configured log level.
func (c *Config) SlogLevel() slog.Level {
	var l slog.Level
	_ = l.UnmarshalText([]byte(c.Log.Level)) // validated at load
	return l
}

// envKey finds the environment variable bound to a YAML path.
func envKey(path string) string {
	t := reflect.TypeOf(Config{})
	parts := strings.Split(path, ".")
	for i, p := range parts {
		for j := 0; j < t.NumField(); j++ {
			f := t.Field(j)
			if f.Tag.Get("yaml") != p {
				continue
			}
			if i == len(parts)-1 {
				return f.Tag.Get("env")
			}
			t = f.Type
			break
		}
	}
	return path
}

func checkAddr(s string) error {
	if s == "" {
		return errors.New("is missing")
	}
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%q is not host:port (e.g. :8080)", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q has no valid port", s)
	}
	return nil
}

func checkDomain(s string) error {
	if s == "" {
		return errors.New("is missing")
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || strings.Trim(label, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" ||
			strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return fmt.Errorf("%q is not a lowercase domain name (e.g. sigess.example.it)", s)
		}
	}
	return nil
}

func checkURL(s string, schemes ...string) error {
	if s == "" {
		return errors.New("is missing")
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("is not a URL: %v", err)
	}
	for _, sc := range schemes {
		if u.Scheme == sc {
			if u.Host == "" {
				return fmt.Errorf("%s URL has no host", sc)
			}
			return nil
		}
	}
	return fmt.Errorf("must be a %s:// URL", schemes[0])
}

func checkRange(n, lo, hi int) error {
	if n < lo || n > hi {
		return fmt.Errorf("%d is out of range %d..%d", n, lo, hi)
	}
	return nil
}

func checkPositive(d time.Duration) error {
	if d <= 0 {
		return errors.New("must be a positive duration")
	}
	return nil
}

func checkLevel(s string) error {
	switch s {
	case "debug", "info", "warn", "error":
		return nil
	}
	return fmt.Errorf("%q is not one of debug, info, warn, error", s)
}
