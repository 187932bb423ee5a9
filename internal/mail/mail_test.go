package mail_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/mail"
	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

type outboxRow struct {
	TaskType string
	Payload  map[string]string
}

func TestEnqueue(t *testing.T) {
	ctx := context.Background()
	tenant := pg.NewTenant(t)
	enqueue := func(m mail.Message) error {
		return pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error { return mail.Enqueue(ctx, tx, tenant, m) })
	}
	for _, tc := range []struct {
		name string
		msg  mail.Message
		ok   bool
	}{
		{"valid", mail.Message{To: "Mario Rossi <mario.rossi@comune.roma.it>", Subject: "Benvenuto", Text: "Ciao"}, true},
		{"not an address", mail.Message{To: "mario.rossi", Subject: "Benvenuto"}, false},
		{"no recipient", mail.Message{Subject: "Benvenuto"}, false},
		{"two recipients", mail.Message{To: "a@b.it, c@d.it", Subject: "Benvenuto"}, false},
		{"no subject", mail.Message{To: "a@b.it", Subject: "  "}, false},
		{"header injection", mail.Message{To: "a@b.it", Subject: "Ciao\r\nBcc: x@evil.example"}, false},
	} {
		err := enqueue(tc.msg)
		if tc.ok && err != nil {
			t.Errorf("%s: Enqueue = %v", tc.name, err)
		}
		if !tc.ok && !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("%s: Enqueue = %v, want ErrInvalid", tc.name, err)
		}
	}

	var got []outboxRow
	err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT task_type, payload FROM outbox`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r outboxRow
			var payload []byte
			if err := rows.Scan(&r.TaskType, &payload); err != nil {
				return err
			}
			if err := json.Unmarshal(payload, &r.Payload); err != nil {
				return err
			}
			got = append(got, r)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []outboxRow{{TaskType: mail.TaskSend, Payload: map[string]string{
		"to": "Mario Rossi <mario.rossi@comune.roma.it>", "subject": "Benvenuto", "text": "Ciao"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outbox (-want +got):\n%s", diff)
	}
}

func TestEnqueueOutsideTenantScope(t *testing.T) {
	ctx := context.Background()
	tenant, other := pg.NewTenant(t), pg.NewTenant(t)
	err := pg.DB.InTenant(ctx, other, func(tx pgx.Tx) error {
		return mail.Enqueue(ctx, tx, tenant, mail.Message{To: "a@b.it", Subject: "x"})
	})
	if err == nil {
		t.Error("Enqueue for another tenant's scope succeeded")
	}
}

func TestNewSender(t *testing.T) {
	for _, tc := range []struct {
		url     string
		want    mail.Sender
		wantErr string
	}{
		{url: "dir:///var/mail/sigess", want: &mail.Dir{Path: "/var/mail/sigess", From: "<noreply@sigess.it>"}},
		{url: "dir:tmp/mail", want: &mail.Dir{Path: "tmp/mail", From: "<noreply@sigess.it>"}},
		{url: "smtp://user:s3cret@relay.example.it:2525", want: &mail.SMTP{Addr: "relay.example.it:2525",
			From: "<noreply@sigess.it>", Username: "user", Password: "s3cret"}},
		{url: "smtp://relay.example.it", want: &mail.SMTP{Addr: "relay.example.it:587", From: "<noreply@sigess.it>"}},
		{url: "smtps://u:p@relay.example.it", want: &mail.SMTP{Addr: "relay.example.it:465", From: "<noreply@sigess.it>",
			Username: "u", Password: "p", ImplicitTLS: true}},
		{url: "http://relay.example.it", wantErr: `mail.NewSender(http://relay.example.it): unknown scheme "http": want dir, smtp or smtps`},
		{url: "relay.example.it", wantErr: `mail.NewSender(relay.example.it): unknown scheme "": want dir, smtp or smtps`},
		{url: "smtp://u:s3cret@", wantErr: "mail.NewSender(smtp://u:xxxxx@): no host"},
		{url: "dir:", wantErr: "mail.NewSender(dir:): no folder"},
	} {
		got, err := mail.NewSender(tc.url, "noreply@sigess.it")
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if gotErr != tc.wantErr {
			t.Errorf("NewSender(%q) error = %q, want %q", tc.url, gotErr, tc.wantErr)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("NewSender(%q) (-want +got):\n%s", tc.url, diff)
		}
	}
	if _, err := mail.NewSender("dir:/tmp", "not an address"); err == nil {
		t.Error("NewSender with a bad sender address succeeded")
	}
}
