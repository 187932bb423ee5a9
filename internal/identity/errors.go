package identity

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sigess/sigess/internal/derrors"
)

// Authentication errors. Their messages are shown to the user as they are.
var (
	// ErrBadCredentials never says whether the e-mail exists.
	ErrBadCredentials = fmt.Errorf("%w: e-mail o password non corretti", derrors.ErrForbidden)
	// ErrLocked is matched by every *LockedError.
	ErrLocked = fmt.Errorf("%w: account temporaneamente bloccato per troppi tentativi falliti", derrors.ErrForbidden)
	// ErrRateLimited is too many attempts from one client address.
	ErrRateLimited = fmt.Errorf("%w: troppi tentativi da questo indirizzo; riprova tra qualche minuto", derrors.ErrForbidden)
	// ErrBadCode is a wrong, expired or already used TOTP or recovery code.
	ErrBadCode = fmt.Errorf("%w: codice non valido", derrors.ErrForbidden)
	// ErrBadToken is a reset or setup link that is unknown, used, expired or
	// for another ente.
	ErrBadToken = fmt.Errorf("%w: il link non è valido o è scaduto; chiedine uno nuovo", derrors.ErrInvalid)
)

// LockedError is an account locked until Until. errors.Is(err, ErrLocked) and
// errors.Is(err, derrors.ErrForbidden) both hold.
type LockedError struct {
	Until time.Time
}

// Error says until when, in the server's time zone.
func (e *LockedError) Error() string {
	return fmt.Sprintf("account temporaneamente bloccato per troppi tentativi falliti; riprova dopo le %s",
		e.Until.Local().Format("15:04"))
}

// Unwrap makes a LockedError match ErrLocked (and through it derrors.ErrForbidden).
func (e *LockedError) Unwrap() error { return ErrLocked }

// FieldError is one invalid input field; Field is the form field's name
// ("email", "new_password") so the web layer can show Message next to it.
type FieldError struct {
	Field   string
	Message string
}

// ValidationError lists the invalid fields of one request; it matches
// derrors.ErrInvalid.
type ValidationError struct {
	Fields []FieldError
}

// Error lists every field with its message.
func (e *ValidationError) Error() string {
	var b strings.Builder
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Field + ": " + f.Message)
	}
	return "dati non validi: " + b.String()
}

// Unwrap makes a ValidationError match derrors.ErrInvalid.
func (e *ValidationError) Unwrap() error { return derrors.ErrInvalid }

// fieldErrors collects FieldErrors; err returns nil when there are none.
type fieldErrors []FieldError

func (fe *fieldErrors) add(field, msg string) {
	*fe = append(*fe, FieldError{Field: field, Message: msg})
}

func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	return &ValidationError{Fields: fe}
}

// invalid is a one-field ValidationError.
func invalid(field, msg string) error {
	return &ValidationError{Fields: []FieldError{{Field: field, Message: msg}}}
}

// Fields returns the field errors in err, if it is (or wraps) a ValidationError.
func Fields(err error) []FieldError {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}
