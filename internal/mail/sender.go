package mail

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// Sender delivers a message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// NewSender returns the Sender that rawURL names, sending from the address
// from:
//
//	dir:///abs/path or dir:relative/path   a Dir writing .eml files there
//	smtp://user:pass@host:port             SMTP, STARTTLS when offered (port 587 by default)
//	smtps://user:pass@host:port            SMTP over implicit TLS (port 465 by default)
func NewSender(rawURL, from string) (Sender, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("mail.NewSender: bad URL: %w", err)
	}
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail.NewSender(%s): sender address %q: %w", u.Redacted(), from, err)
	}
	switch u.Scheme {
	case "dir":
		path := u.Opaque
		if path == "" {
			path = u.Path
		}
		if path == "" {
			return nil, fmt.Errorf("mail.NewSender(%s): no folder", u.Redacted())
		}
		return &Dir{Path: path, From: fromAddr.String()}, nil
	case "smtp", "smtps":
		host, port := u.Hostname(), u.Port()
		if host == "" {
			return nil, fmt.Errorf("mail.NewSender(%s): no host", u.Redacted())
		}
		if port == "" {
			port = map[string]string{"smtp": "587", "smtps": "465"}[u.Scheme]
		}
		s := &SMTP{Addr: net.JoinHostPort(host, port), From: fromAddr.String(), ImplicitTLS: u.Scheme == "smtps"}
		if u.User != nil {
			s.Username = u.User.Username()
			s.Password, _ = u.User.Password()
		}
		return s, nil
	default:
		return nil, fmt.Errorf("mail.NewSender(%s): unknown scheme %q: want dir, smtp or smtps", u.Redacted(), u.Scheme)
	}
}

// messageID is m's id, or a fresh time-ordered one: <unix-nanos>-<random>.
func messageID(m Message) string {
	if m.ID != "" {
		return m.ID
	}
	return fmt.Sprintf("%d-%s", time.Now().UnixNano(), strings.ToLower(rand.Text()[:10]))
}
