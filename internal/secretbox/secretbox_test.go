package secretbox

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigess/sigess/internal/derrors"
)

func newBox(t *testing.T, fill byte) *Box {
	t.Helper()
	b, err := New(bytes.Repeat([]byte{fill}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNewKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := New(make([]byte, n)); err == nil {
			t.Errorf("New(%d bytes) succeeded; want an error", n)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	b := newBox(t, 1)
	for _, plain := range []string{"", "JBSWY3DPEHPK3PXP", "segreto con spazi e àccenti", strings.Repeat("x", 4096)} {
		sealed := b.Seal(plain)
		if !strings.HasPrefix(sealed, "enc:v1:") || !IsSealed(sealed) {
			t.Errorf("Seal(%q) = %q; want the enc:v1: prefix", plain, sealed)
		}
		if plain != "" && strings.Contains(sealed, plain) {
			t.Errorf("Seal(%q) = %q shows the plain text", plain, sealed)
		}
		if again := b.Seal(plain); again == sealed {
			t.Errorf("Seal(%q) twice gave the same text; want a fresh nonce each time", plain)
		}
		got, err := b.Open(sealed)
		if err != nil {
			t.Fatalf("Open(Seal(%q)): %v", plain, err)
		}
		if diff := cmp.Diff(plain, got); diff != "" {
			t.Errorf("Open(Seal(x)) mismatch (-want +got):\n%s", diff)
		}
	}
}

func TestOpenPlain(t *testing.T) {
	// Values written before a key was configured read as they are.
	for _, b := range []*Box{nil, newBox(t, 1)} {
		for _, s := range []string{"", "JBSWY3DPEHPK3PXP", "enc:v2:later"} {
			got, err := b.Open(s)
			if err != nil || got != s {
				t.Errorf("Open(%q) with box %v = %q, %v; want it unchanged", s, b != nil, got, err)
			}
		}
	}
}

func TestOpenRefused(t *testing.T) {
	b := newBox(t, 1)
	sealed := b.Seal("JBSWY3DPEHPK3PXP")
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(sealed, "enc:v1:"))
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-1] ^= 1
	flipped := "enc:v1:" + base64.RawURLEncoding.EncodeToString(raw)
	for _, tc := range []struct {
		name    string
		box     *Box
		s       string
		invalid bool // derrors.ErrInvalid; otherwise another error
	}{
		{"one bit flipped", b, flipped, true},
		{"truncated", b, sealed[:len(sealed)-4], true},
		{"not base64", b, "enc:v1:***", true},
		{"shorter than a nonce", b, "enc:v1:AAAA", true},
		{"wrong key", newBox(t, 2), sealed, true},
		{"no key configured", nil, sealed, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.box.Open(tc.s)
			if err == nil {
				t.Fatalf("Open = %q; want an error", got)
			}
			if errors.Is(err, derrors.ErrInvalid) != tc.invalid {
				t.Errorf("Open: %v; want ErrInvalid %v", err, tc.invalid)
			}
			if got != "" {
				t.Errorf("Open returned %q with its error; want nothing", got)
			}
		})
	}
}

func TestNilBoxSealsNothing(t *testing.T) {
	var b *Box
	if got := b.Seal("JBSWY3DPEHPK3PXP"); got != "JBSWY3DPEHPK3PXP" {
		t.Errorf("nil Box Seal = %q; want the plain value", got)
	}
}
