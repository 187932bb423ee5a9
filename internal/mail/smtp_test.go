package mail_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"

	"github.com/sigess/sigess/internal/jobs"
	sigessmail "github.com/sigess/sigess/internal/mail"
)

// received is what the test SMTP server was told.
type received struct {
	Auth     string // decoded AUTH PLAIN response
	From, To string
	Data     string
}

// smtpServer speaks just enough SMTP (EHLO, AUTH PLAIN, MAIL, RCPT, DATA,
// QUIT) to take one message; rcptReply is its answer to RCPT TO.
func smtpServer(t *testing.T, rcptReply string) (addr string, got <-chan received) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ch := make(chan received, 1)
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		tp := textproto.NewConn(conn)
		var r received
		defer func() { ch <- r }()
		tp.PrintfLine("220 test ESMTP")
		for {
			line, err := tp.ReadLine()
			if err != nil {
				return
			}
			verb, arg, _ := strings.Cut(line, " ")
			switch strings.ToUpper(verb) {
			case "EHLO":
				tp.PrintfLine("250-test\r\n250 AUTH PLAIN")
			case "AUTH":
				b, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(arg, "PLAIN "))
				r.Auth = string(b)
				tp.PrintfLine("235 ok")
			case "MAIL":
				r.From = arg
				tp.PrintfLine("250 ok")
			case "RCPT":
				r.To = arg
				tp.PrintfLine("%s", rcptReply)
			case "DATA":
				tp.PrintfLine("354 go on")
				b, err := tp.ReadDotBytes()
				if err != nil {
					return
				}
				r.Data = string(b)
				tp.PrintfLine("250 queued")
			case "QUIT":
				tp.PrintfLine("221 bye")
				return
			default:
				tp.PrintfLine("502 what?")
			}
		}
	}()
	return l.Addr().String(), ch
}

func TestSMTPSend(t *testing.T) {
	addr, got := smtpServer(t, "250 ok")
	s, err := sigessmail.NewSender("smtp://mailer:s3cret@"+addr, "SIGeSS <noreply@sigess.it>")
	if err != nil {
		t.Fatal(err)
	}
	m := sigessmail.Message{To: "Anna Rossi <anna.rossi@example.it>", Subject: "Attività è pronta", Text: italianText}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	r := <-got
	want := received{Auth: "\x00mailer\x00s3cret", From: "FROM:<noreply@sigess.it>", To: "TO:<anna.rossi@example.it>"}
	data := r.Data
	r.Data = ""
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("SMTP conversation (-want +got):\n%s", diff)
	}
	// ReadDotBytes turned CRLF into LF; put them back to parse as sent.
	p, _ := parse(t, []byte(strings.ReplaceAll(data, "\n", "\r\n")))
	if p.Subject != m.Subject || p.To != `"Anna Rossi" <anna.rossi@example.it>` ||
		strings.ReplaceAll(p.Text, "\r\n", "\n") != italianText {
		t.Errorf("received message = %+v", p)
	}
}

func TestSMTPRefusal(t *testing.T) {
	addr, _ := smtpServer(t, "550 no such user")
	h := sigessmail.Handle(&sigessmail.SMTP{Addr: addr, From: "noreply@sigess.it"})
	payload := []byte(`{"to":"nobody@example.it","subject":"x","text":"y"}`)
	err := h(context.Background(), jobs.Job{ID: uuid.New(), Tenant: uuid.New(), Type: sigessmail.TaskSend, Payload: payload})
	if !errors.Is(err, asynq.SkipRetry) || !strings.Contains(err.Error(), "no such user") {
		t.Errorf("Handle on a 550 = %v, want the relay's answer, not retried", err)
	}
}

func TestSMTPUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	err = (&sigessmail.SMTP{Addr: addr, From: "noreply@sigess.it"}).Send(context.Background(),
		sigessmail.Message{To: "a@example.it", Subject: "x"})
	if err == nil || errors.Is(err, asynq.SkipRetry) {
		t.Errorf("Send to a closed port = %v, want an error", err)
	}
}

// TestSMTPDeadline checks that a relay that never answers does not hang the
// worker past ctx's deadline.
func TestSMTPDeadline(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		conn, err := l.Accept()
		if err == nil {
			bufio.NewReader(conn).ReadString('\n') // silent: never greets
			conn.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = (&sigessmail.SMTP{Addr: l.Addr().String(), From: "noreply@sigess.it"}).Send(ctx,
		sigessmail.Message{To: "a@example.it", Subject: "x"})
	if err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("Send to a silent relay = %v after %s, want an error at the deadline", err, time.Since(start))
	}
}
