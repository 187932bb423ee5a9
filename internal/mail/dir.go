package mail

import (
	"context"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"time"
)

// Dir is a Sender that writes each message as an .eml file into a folder, for
// development and tests: open the file in any mail client.
type Dir struct {
	Path string // the folder; created if missing
	From string // the sender address
}

// Send writes m to Path as <id>.eml, id being m.ID or <unix-nanos>-<random>.
// The file appears whole or not at all (written aside, then renamed), and a
// message with the same ID replaces the earlier file.
func (d *Dir) Send(ctx context.Context, m Message) error {
	from, err := mail.ParseAddress(d.From)
	if err != nil {
		return fmt.Errorf("mail.Dir.Send(%q): sender %q: %w", m.To, d.From, err)
	}
	id := messageID(m)
	body, err := compose(from, m, id, time.Now())
	if err != nil {
		return fmt.Errorf("mail.Dir.Send(%q): %w", m.To, err)
	}
	if err := os.MkdirAll(d.Path, 0o750); err != nil {
		return fmt.Errorf("mail.Dir.Send(%q): %w", m.To, err)
	}
	tmp, err := os.CreateTemp(d.Path, ".tmp-*.eml")
	if err != nil {
		return fmt.Errorf("mail.Dir.Send(%q): %w", m.To, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if _, err := tmp.Write(body); err != nil {
		tmp.Close()
		return fmt.Errorf("mail.Dir.Send(%q): %w", m.To, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("mail.Dir.Send(%q): %w", m.To, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(d.Path, id+".eml")); err != nil {
		return fmt.Errorf("mail.Dir.Send(%q): %w", m.To, err)
	}
	return nil
}
