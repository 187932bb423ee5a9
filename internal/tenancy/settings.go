package tenancy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Settings are an ente's own configuration, stored as JSONB and changed at run
// time. Every write — file, CLI or UI — goes through Validate.
type Settings struct {
	Locale   string   `json:"locale"` // default UI language: it | en
	Branding Branding `json:"branding"`
	Contacts Contacts `json:"contacts"`
	Modules  Modules  `json:"modules"`
	Security Security `json:"security"`
	WaaS     WaaS     `json:"waas"`
	SSO      SSO      `json:"sso"`
}

// Branding is how the ente's UI looks.
type Branding struct {
	DisplayName  string `json:"display_name"`
	PrimaryColor string `json:"primary_color"` // #RRGGBB
	LogoURL      string `json:"logo_url"`
	// Logo identifies the coat of arms uploaded by the ente's admin (a digest of
	// the file, so that a new upload gets a new URL); it wins over LogoURL.
	Logo string `json:"logo"`
}

// Contacts are the ente's public contacts, shown to operators and citizens.
type Contacts struct {
	Email   string `json:"email"`
	PEC     string `json:"pec"`
	Phone   string `json:"phone"`
	Address string `json:"address"`
	Website string `json:"website"`
}

// Modules switches the ente's capabilities on and off.
type Modules struct {
	Intake        bool `json:"intake"`
	CaseFile      bool `json:"casefile"`
	Interventions bool `json:"interventions"`
	Agenda        bool `json:"agenda"`
	SIUSS         bool `json:"siuss"`
}

// Security holds the ente's login and session policy.
type Security struct {
	MFARequiredForAll    bool `json:"mfa_required_for_all"`
	SessionIdleMinutes   int  `json:"session_idle_minutes"`
	SessionAbsoluteHours int  `json:"session_absolute_hours"`
}

// WaaS configures the SIUSS feed that INPS polls.
type WaaS struct {
	Enabled bool `json:"enabled"`
	PDND    PDND `json:"pdnd"`
	// OperatorTaxCode is the CFOperatore of the flows whose event has no
	// operator with a tax code (an API client, an operator without one):
	// the ente's own codice fiscale (11 digits) or its SIUSS officer's.
	OperatorTaxCode string `json:"operator_tax_code"`
}

// PDND is how the bearer JWTs INPS presents are verified.
type PDND struct {
	JWKSURL  string `json:"jwks_url"`
	Issuer   string `json:"issuer"`
	Audience string `json:"audience"`
}

// SSO is the ente's single sign-on.
type SSO struct {
	OIDC OIDC `json:"oidc"`
}

// OIDC is an OpenID Connect provider (a regional identity provider or a
// SPID/CIE gateway) whose users are mapped to existing operator accounts.
type OIDC struct {
	Enabled      bool   `json:"enabled"`
	Issuer       string `json:"issuer"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Label        string `json:"label"` // the login button's text, e.g. "Entra con SPID"
	Match        string `json:"match"` // how a user is matched to an operator: email | tax_code
}

// DefaultSettings are what an ente gets when neither its region template nor its
// own file says otherwise.
func DefaultSettings() Settings {
	return Settings{
		Locale:   "it",
		Branding: Branding{PrimaryColor: "#0066CC"},
		Modules:  Modules{Intake: true, CaseFile: true, Interventions: true, Agenda: true, SIUSS: true},
		Security: Security{SessionIdleMinutes: 30, SessionAbsoluteHours: 12},
		SSO:      SSO{OIDC: OIDC{Match: "email"}},
	}
}

// FieldError is an invalid setting: Path is its dotted key (branding.primary_color).
type FieldError struct {
	Path    string
	Message string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Message }

var hexColor = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// operatorTaxCode is what SIUSS's CFOperatore accepts.
var operatorTaxCode = regexp.MustCompile(`^([A-Z]{6}[0-9]{2}[A-Z][0-9]{2}[A-Z][A-Z0-9]{3}[A-Z]|[0-9]{11})$`)

// Validate checks every setting and returns the first invalid one as *FieldError.
func (s Settings) Validate() error {
	checks := []struct {
		path string
		ok   bool
		msg  string
	}{
		{"locale", s.Locale == "it" || s.Locale == "en", "must be it or en"},
		{"branding.display_name", len(s.Branding.DisplayName) <= 120, "must be at most 120 characters"},
		{"branding.primary_color", hexColor.MatchString(s.Branding.PrimaryColor), "must be a colour like #0066CC"},
		{"branding.primary_color", contrastWithWhite(s.Branding.PrimaryColor) >= 4.5, "must be dark enough for white text (contrast at least 4.5:1, WCAG 2.1 AA)"},
		{"branding.logo_url", s.Branding.LogoURL == "" || validURL(s.Branding.LogoURL, "https", "http"), "must be an http(s) URL"},
		{"contacts.email", s.Contacts.Email == "" || validEmail(s.Contacts.Email), "must be an e-mail address"},
		{"contacts.pec", s.Contacts.PEC == "" || validEmail(s.Contacts.PEC), "must be an e-mail address"},
		{"contacts.phone", len(s.Contacts.Phone) <= 30, "must be at most 30 characters"},
		{"contacts.address", len(s.Contacts.Address) <= 200, "must be at most 200 characters"},
		{"contacts.website", s.Contacts.Website == "" || validURL(s.Contacts.Website, "https", "http"), "must be an http(s) URL"},
		{"security.session_idle_minutes", s.Security.SessionIdleMinutes >= 5 && s.Security.SessionIdleMinutes <= 480, "must be between 5 and 480"},
		{"security.session_absolute_hours", s.Security.SessionAbsoluteHours >= 1 && s.Security.SessionAbsoluteHours <= 24, "must be between 1 and 24"},
		{"waas.pdnd.jwks_url", s.WaaS.PDND.JWKSURL == "" || validURL(s.WaaS.PDND.JWKSURL, "https"), "must be an https URL"},
		{"waas.pdnd.issuer", len(s.WaaS.PDND.Issuer) <= 200, "must be at most 200 characters"},
		{"waas.pdnd.audience", len(s.WaaS.PDND.Audience) <= 200, "must be at most 200 characters"},
		{"waas.operator_tax_code", s.WaaS.OperatorTaxCode == "" || operatorTaxCode.MatchString(s.WaaS.OperatorTaxCode),
			"must be a codice fiscale: 11 digits (the ente's) or 16 characters (a person's)"},
		{"branding.logo", s.Branding.Logo == "" || hexDigest.MatchString(s.Branding.Logo), "must be the digest of an uploaded file"},
		{"sso.oidc.issuer", (!s.SSO.OIDC.Enabled && s.SSO.OIDC.Issuer == "") || validIssuer(s.SSO.OIDC.Issuer), "must be an https URL (http only for localhost)"},
		{"sso.oidc.client_id", !s.SSO.OIDC.Enabled || s.SSO.OIDC.ClientID != "", "is required when single sign-on is enabled"},
		{"sso.oidc.label", len(s.SSO.OIDC.Label) <= 60, "must be at most 60 characters"},
		{"sso.oidc.match", s.SSO.OIDC.Match == "email" || s.SSO.OIDC.Match == "tax_code", "must be email or tax_code"},
	}
	for _, c := range checks {
		if !c.ok {
			return &FieldError{Path: c.path, Message: c.msg}
		}
	}
	return nil
}

// contrastWithWhite is the WCAG 2.1 contrast ratio of a #RRGGBB colour with white.
func contrastWithWhite(hex string) float64 {
	if !hexColor.MatchString(hex) {
		return 0
	}
	var lum float64
	for i, weight := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		lum += weight * c
	}
	return 1.05 / (lum + 0.05)
}

func validURL(s string, schemes ...string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	for _, sc := range schemes {
		if u.Scheme == sc {
			return true
		}
	}
	return false
}

var hexDigest = regexp.MustCompile(`^[0-9a-f]{16,64}$`)

// validIssuer admits https issuers, and http ones on the loopback interface for
// development and tests.
func validIssuer(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	h := u.Hostname()
	return u.Scheme == "https" || (u.Scheme == "http" && (h == "localhost" || h == "127.0.0.1" || h == "::1"))
}

func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-3 && strings.Contains(s[at:], ".") && !strings.ContainsAny(s, " <>,;")
}

// DecodeSettings decodes stored or merged JSON into Settings over the defaults,
// rejecting unknown keys, and validates the result.
func DecodeSettings(b []byte) (Settings, error) {
	s := DefaultSettings()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Settings{}, settingsDecodeError(err)
	}
	return s, s.Validate()
}

func settingsDecodeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &FieldError{Path: te.Field, Message: "must be a " + jsonKindName(te.Type)}
	}
	msg := err.Error()
	if i := strings.Index(msg, "unknown field "); i >= 0 {
		return &FieldError{Path: strings.Trim(msg[i+len("unknown field "):], `"`), Message: "is not a setting"}
	}
	return fmt.Errorf("settings: %w", err)
}

func jsonKindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "boolean (true or false)"
	case reflect.Int:
		return "whole number"
	case reflect.String:
		return "text"
	}
	return t.String()
}

// Set changes one setting by its dotted key, parsing value by the key's type,
// and validates the result. Unknown keys are refused.
func (s Settings) Set(key, value string) (Settings, error) {
	s, err := s.set(key, value)
	if err != nil {
		return s, err
	}
	return s, s.Validate()
}

func (s Settings) set(key, value string) (Settings, error) {
	v := reflect.ValueOf(&s).Elem()
	parts := strings.Split(key, ".")
	for i, p := range parts {
		f, ok := fieldByJSON(v, p)
		if !ok {
			return s, &FieldError{Path: key, Message: "is not a setting; known keys: " + strings.Join(SettingKeys(), ", ")}
		}
		if i < len(parts)-1 {
			if f.Kind() != reflect.Struct {
				return s, &FieldError{Path: key, Message: "is not a setting"}
			}
			v = f
			continue
		}
		switch f.Kind() {
		case reflect.Bool:
			b, err := strconv.ParseBool(value)
			if err != nil {
				return s, &FieldError{Path: key, Message: "must be true or false"}
			}
			f.SetBool(b)
		case reflect.Int:
			n, err := strconv.Atoi(value)
			if err != nil {
				return s, &FieldError{Path: key, Message: "must be a whole number"}
			}
			f.SetInt(int64(n))
		case reflect.String:
			f.SetString(value)
		default:
			return s, &FieldError{Path: key, Message: "is a group of settings; name one of its keys"}
		}
	}
	return s, nil
}

func fieldByJSON(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if strings.Split(t.Field(i).Tag.Get("json"), ",")[0] == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// SettingKeys lists every dotted setting key, sorted.
func SettingKeys() []string {
	var keys []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			name := prefix + strings.Split(t.Field(i).Tag.Get("json"), ",")[0]
			if t.Field(i).Type.Kind() == reflect.Struct {
				walk(t.Field(i).Type, name+".")
				continue
			}
			keys = append(keys, name)
		}
	}
	walk(reflect.TypeOf(Settings{}), "")
	sort.Strings(keys)
	return keys
}

// Flatten returns every setting as dotted key → value text, for diffs.
func (s Settings) Flatten() map[string]string {
	out := map[string]string{}
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			name := prefix + strings.Split(t.Field(i).Tag.Get("json"), ",")[0]
			if t.Field(i).Type.Kind() == reflect.Struct {
				walk(v.Field(i), name+".")
				continue
			}
			out[name] = fmt.Sprint(v.Field(i).Interface())
		}
	}
	walk(reflect.ValueOf(s), "")
	return out
}
