// Package mail sends the application's e-mail: a message is written to the
// outbox in the transaction that causes it (Enqueue), and the worker hands it
// to a Sender (Handle) — an SMTP relay in production, a folder of .eml files
// in development and tests.
package mail

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/jobs"
)

// TaskSend is the job type of an outgoing message.
const TaskSend = "mail:send"

// Message is one plain-text e-mail to one recipient.
type Message struct {
	To      string `json:"to"` // an RFC 5322 address: "a@b.it" or "Nome <a@b.it>"
	Subject string `json:"subject"`
	Text    string `json:"text"`
	// ID makes sending idempotent: Handle sets it to the job id, so that a job
	// run twice writes the same Dir file and the same Message-ID. Not stored in
	// the payload.
	ID string `json:"-"`
}

// Enqueue validates m and writes it to the outbox inside tx, which must be
// scoped to tenant (db.InTenant): it is sent if and only if tx commits.
func Enqueue(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, m Message) error {
	if err := m.validate(); err != nil {
		return fmt.Errorf("mail.Enqueue(%s, %q): %w", tenant, m.To, err)
	}
	if _, err := jobs.Enqueue(ctx, tx, tenant, TaskSend, m); err != nil {
		return fmt.Errorf("mail.Enqueue(%s, %q): %w", tenant, m.To, err)
	}
	return nil
}

// validate checks what a mail server would refuse, and header injection.
func (m Message) validate() error {
	if _, err := mail.ParseAddress(m.To); err != nil || strings.ContainsAny(m.To, "\r\n") {
		return fmt.Errorf("%w: l'indirizzo e-mail del destinatario non è valido", derrors.ErrInvalid)
	}
	if strings.TrimSpace(m.Subject) == "" {
		return fmt.Errorf("%w: l'oggetto del messaggio è obbligatorio", derrors.ErrInvalid)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("%w: l'oggetto del messaggio deve stare su una riga", derrors.ErrInvalid)
	}
	return nil
}
