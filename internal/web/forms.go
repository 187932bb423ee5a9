package web

import (
	"errors"
	"strings"
	"time"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/identity"
	"github.com/sigess/sigess/internal/tenancy"
)

// rome is the time zone times are shown in.
var rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return l
}()

// errUnauthenticated is an API request without credentials.
var errUnauthenticated = errors.New("unauthenticated")

// fieldErrors puts the field errors a domain package returned next to their
// fields (field names are the forms' input names); it reports whether err
// carried any. Messages come from the domain packages.
func fieldErrors(err error, into map[string]string) bool {
	found := false
	for _, f := range derrors.Fields(err) {
		into[f.Field] = f.Message
		found = true
	}
	for _, f := range identity.Fields(err) {
		into[f.Field] = f.Message
		found = true
	}
	var te *tenancy.FieldError
	if errors.As(err, &te) {
		into[te.Path] = te.Message
		found = true
	}
	var ae *authz.FieldError
	if errors.As(err, &ae) {
		into[ae.Field] = ae.Message
		found = true
	}
	return found
}

// fieldOf is the field an error is about, or def.
func fieldOf(err error, def string) string {
	m := map[string]string{}
	if fieldErrors(err, m) {
		for k := range m {
			return k
		}
	}
	return def
}

// userMessage is what an invalid-input error says to the user: the field
// error's message, or the text after the last colon.
func userMessage(err error) string {
	m := map[string]string{}
	if fieldErrors(err, m) {
		for _, v := range m {
			return v
		}
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

// apiError turns the refusal of a domain package whose field errors are
// derrors.Invalid (access, households, cases, diary) into a problem for the
// API: field errors travel in "errors"; a conflict, a refusal or bad input
// carry the domain's message as detail.
func apiError(err error) error {
	if err == nil {
		return nil
	}
	if fs := derrors.Fields(err); len(fs) > 0 {
		return &problemError{kind: derrors.ErrInvalid, detail: "dati non validi", ext: map[string]any{"errors": fs}}
	}
	for _, kind := range []error{derrors.ErrConflict, derrors.ErrForbidden, derrors.ErrInvalid} {
		if errors.Is(err, kind) {
			return &problemError{kind: kind, detail: domainMessage(err, kind)}
		}
	}
	return err
}
