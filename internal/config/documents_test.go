package config

import (
	"errors"
	"testing"
)

func TestDocumentsConfig(t *testing.T) {
	for _, tc := range []struct {
		name, url, max string
		wantErr        bool
	}{
		{"defaults", "", "", false},
		{"s3", "s3://docs?endpoint=minio.local:9000&region=eu-south-1", "", false},
		{"s3 without endpoint", "s3://docs?region=eu-south-1", "", true},
		{"unknown scheme", "ftp://docs", "", true},
		{"file without path", "file:", "", true},
		{"limit too small", "", "10", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"SIGESS_DOCUMENTS_STORAGE_URL": tc.url, "SIGESS_DOCUMENTS_MAX_BYTES": tc.max}
			c, err := Load(func(k string) string { return env[k] })
			var ce *Error
			if tc.wantErr != errors.As(err, &ce) {
				t.Fatalf("Load = %v; want error %v", err, tc.wantErr)
			}
			if err == nil && tc.url == "" && (c.Documents.StorageURL != "file:var/documents" || c.Documents.MaxBytes != 20<<20) {
				t.Errorf("defaults = %q, %d; want file:var/documents, 20 MiB", c.Documents.StorageURL, c.Documents.MaxBytes)
			}
		})
	}
}
