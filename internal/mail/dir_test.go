package mail_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"

	"github.com/sigess/sigess/internal/jobs"
	sigessmail "github.com/sigess/sigess/internal/mail"
)

// parsed is what a mail client shows of a message.
type parsed struct {
	From, To, Subject, ContentType string
	Text                           string
}

// parse reads an RFC 5322 message back the way a mail client would.
func parse(t *testing.T, raw []byte) (parsed, *mail.Message) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("message does not parse: %v\n%s", err, raw)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Header.Get("Content-Transfer-Encoding"); got != "quoted-printable" {
		t.Fatalf("Content-Transfer-Encoding = %q", got)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := msg.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if id := msg.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@sigess.it>") {
		t.Errorf("Message-ID = %q", id)
	}
	return parsed{From: msg.Header.Get("From"), To: msg.Header.Get("To"), Subject: subject,
		ContentType: msg.Header.Get("Content-Type"), Text: string(body)}, msg
}

const italianText = "Gentile Sig.ra Rossi,\nla Sua domanda è stata presa in carico. Una riga molto lunga che supera i settantasei caratteri del quoted-printable, perché così è più realistico.\n"

func TestDirSend(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "not", "yet")
	d := &sigessmail.Dir{Path: dir, From: "SIGeSS <noreply@sigess.it>"}
	m := sigessmail.Message{To: "Anna Rossi <anna.rossi@example.it>", Subject: "Attività: è pronta la pratica n° 42", Text: italianText}
	if err := d.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 1 || !strings.HasSuffix(files[0], ".eml") {
		t.Fatalf("files in %s = %v, want one .eml", dir, files)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "è") {
		t.Errorf("message has raw non-ASCII bytes:\n%s", raw)
	}
	got, _ := parse(t, raw)
	want := parsed{From: `"SIGeSS" <noreply@sigess.it>`, To: `"Anna Rossi" <anna.rossi@example.it>`,
		Subject: m.Subject, ContentType: "text/plain; charset=utf-8", Text: strings.ReplaceAll(italianText, "\n", "\r\n")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parsed message (-want +got):\n%s", diff)
	}
}

// TestHandleIsIdempotent runs one job twice, as asynq may, and expects one file.
func TestHandleIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	h := sigessmail.Handle(&sigessmail.Dir{Path: dir, From: "noreply@sigess.it"})
	payload, _ := json.Marshal(sigessmail.Message{To: "a@example.it", Subject: "Promemoria", Text: "Domani alle 9."})
	j := jobs.Job{ID: uuid.New(), Tenant: uuid.New(), Type: sigessmail.TaskSend, Payload: payload}
	for range 2 {
		if err := h(context.Background(), j); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if diff := cmp.Diff([]string{filepath.Join(dir, j.ID.String()+".eml")}, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}

	bad := jobs.Job{ID: uuid.New(), Tenant: j.Tenant, Type: sigessmail.TaskSend, Payload: []byte(`"nope"`)}
	if err := h(context.Background(), bad); !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("Handle(bad payload) = %v, want a skip-retry error", err)
	}
}
