package documents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/sigess/sigess/internal/derrors"
)

// fakeS3 serves a real S3 HTTP API in-process, with bucket "docs".
func fakeS3(t *testing.T) Storage {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("docs"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	st, err := OpenStorage("s3://docs?endpoint="+strings.TrimPrefix(srv.URL, "http://")+"&region=eu-south-1&insecure=1", "AKIA", "secret")
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestStoragesRoundTrip(t *testing.T) {
	ctx := context.Background()
	fs, err := OpenStorage("file:"+t.TempDir(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 300_000) // 4.8 MB: more than one read
	for name, st := range map[string]Storage{"fs": fs, "s3": fakeS3(t)} {
		t.Run(name, func(t *testing.T) {
			for _, body := range [][]byte{[]byte("ciao"), big} {
				key := "tenants/t1/2026/doc-" + name + "-" + string(rune('a'+len(body)%26))
				size, sum, err := st.Put(ctx, key, bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				want := sha256.Sum256(body)
				if size != int64(len(body)) || !bytes.Equal(sum, want[:]) {
					t.Errorf("Put = %d, %x; want %d, %x", size, sum, len(body), want)
				}
				rc, err := st.Open(ctx, key)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || !bytes.Equal(got, body) {
					t.Errorf("Open read %d bytes (err %v); want the %d written", len(got), err, len(body))
				}
			}
			if _, err := st.Open(ctx, "tenants/t1/2026/missing"); !errors.Is(err, derrors.ErrNotFound) {
				t.Errorf("Open(missing) = %v; want not found", err)
			}
			for _, key := range []string{"../escape", "/abs", "a//b", "a/./b", ""} {
				if _, _, err := st.Put(ctx, key, strings.NewReader("x")); err == nil {
					t.Errorf("Put(%q) succeeded; want refused", key)
				}
			}
		})
	}
}

// A failed write leaves no file under the key and no temporary file.
func TestFSPutFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	st, err := NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := io.MultiReader(strings.NewReader("partial"), errReader{})
	if _, _, err := st.Put(context.Background(), "t/k", r); err == nil {
		t.Fatal("Put succeeded on a failing reader")
	}
	left, _ := os.ReadDir(filepath.Join(dir, "t"))
	if len(left) != 0 {
		t.Errorf("after a failed Put the directory holds %d files; want none", len(left))
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		name    string
		head    []byte
		want    string
		allowed bool
	}{
		{"pdf", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj"), TypePDF, true},
		{"png", pngBytes, TypePNG, true},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), TypeJPEG, true},
		{"text", []byte("Relazione dell'assistente sociale, città di Roma\n"), TypeText, true},
		{"odt", zipWith("mimetype", TypeODT), TypeODT, true},
		{"ods", zipWith("mimetype", TypeODS), TypeODS, true},
		{"docx", zipWith("[Content_Types].xml", "<Types/>", "word/document.xml"), TypeDOCX, true},
		{"xlsx", zipWith("[Content_Types].xml", "<Types/>", "xl/workbook.xml"), TypeXLSX, true},
		{"plain zip", zipWith("photo.jpg", "x"), "application/zip", false},
		{"exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), "application/octet-stream", false},
		{"html", []byte("<!DOCTYPE html><html><script>alert(1)</script>"), "text/html; charset=utf-8", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Sniff(tc.head)
			if got != tc.want || ok != tc.allowed {
				t.Errorf("Sniff = %q, %v; want %q, %v", got, ok, tc.want, tc.allowed)
			}
		})
	}
}

var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00")

// zipWith is the start of a zip whose first entry is stored (uncompressed)
// under name with content, followed by the local headers of names.
func zipWith(name, content string, names ...string) []byte {
	var b bytes.Buffer
	header := func(n string) {
		b.WriteString("PK\x03\x04")
		b.Write(make([]byte, 22)) // version … uncompressed size
		b.WriteByte(byte(len(n)))
		b.WriteByte(0)
		b.Write([]byte{0, 0}) // extra length
		b.WriteString(n)
	}
	header(name)
	b.WriteString(content)
	for _, n := range names {
		header(n)
		b.WriteString("...")
	}
	return b.Bytes()
}
