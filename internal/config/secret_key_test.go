package config

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSecretKey(t *testing.T) {
	key := bytes.Repeat([]byte{0xfb}, 32) // 0xfb makes + and / in standard base64
	for _, tc := range []struct {
		name    string
		env     string
		want    []byte
		wantErr string // part of the reason; empty = loads
	}{
		{"unset: no encryption", "", nil, ""},
		{"standard base64", base64.StdEncoding.EncodeToString(key), key, ""},
		{"URL base64 without padding", base64.RawURLEncoding.EncodeToString(key), key, ""},
		{"too short", base64.StdEncoding.EncodeToString(key[:16]), nil, "16 bytes once decoded; want 32"},
		{"not base64", "correct horse battery staple", nil, "is not base64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"SIGESS_SECRET_KEY": tc.env}
			c, err := Load(func(k string) string { return env[k] })
			if tc.wantErr != "" {
				var ce *Error
				if !errors.As(err, &ce) || ce.Key != "SIGESS_SECRET_KEY" || ce.Path != "security.secret_key" ||
					!strings.Contains(ce.Reason, tc.wantErr) {
					t.Fatalf("Load: %v; want a config error naming SIGESS_SECRET_KEY with %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), tc.env) {
					t.Errorf("error %q shows the key", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, c.Security.Key()); diff != "" {
				t.Errorf("Key() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
