package documents

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// Storage keeps documents' bytes under keys. Put stores everything r gives
// (replacing nothing: keys are new) and reports its size and SHA-256; Open
// reads it back, derrors.ErrNotFound when there is no such key.
type Storage interface {
	Put(ctx context.Context, key string, r io.Reader) (size int64, sha256 []byte, err error)
	Open(ctx context.Context, key string) (io.ReadCloser, error)
}

// OpenStorage returns the storage a documents.storage_url names:
// "file:PATH" (a directory, created if missing) or
// "s3://BUCKET?endpoint=HOST[:PORT]&region=R[&insecure=1]" with the access
// key and secret given (SIGESS_DOCUMENTS_S3_ACCESS_KEY, _SECRET_KEY).
func OpenStorage(raw, accessKey, secretKey string) (Storage, error) {
	switch {
	case strings.HasPrefix(raw, "file:"):
		path := strings.TrimPrefix(raw, "file:")
		if path == "" {
			return nil, fmt.Errorf("documents.OpenStorage(%q): no path", raw)
		}
		return NewFS(path)
	case strings.HasPrefix(raw, "s3://"):
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("documents.OpenStorage(%q): %w", raw, err)
		}
		q := u.Query()
		return NewS3(S3Config{Endpoint: q.Get("endpoint"), Region: q.Get("region"), Bucket: u.Host,
			AccessKey: accessKey, SecretKey: secretKey, Insecure: q.Get("insecure") == "1" || q.Get("insecure") == "true"})
	}
	return nil, fmt.Errorf("documents.OpenStorage(%q): want file:PATH or s3://bucket?endpoint=…", raw)
}

// checkKey refuses keys that could leave the storage's namespace.
func checkKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, "\\") {
		return fmt.Errorf("invalid key %q", key)
	}
	for _, part := range strings.Split(key, "/") {
		if part == "" || part == "." || part == ".." {
			return fmt.Errorf("invalid key %q", key)
		}
	}
	return nil
}
