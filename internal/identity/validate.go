package identity

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

var (
	emailPattern   = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	taxCodePattern = regexp.MustCompile(`^[A-Z0-9]{16}$`)
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// commonPasswords are refused whatever their length; the list is short on
// purpose: the length rule does most of the work.
var commonPasswords = []string{
	"password1234", "password12345", "password123456", "123456789012", "1234567890123",
	"qwertyuiopas", "qwerty123456", "passwordpassword", "iloveyou1234", "administrator",
	"amministratore", "passwordsicura", "benvenuto123", "benvenuto1234", "cambiami1234",
	"password!123", "abcdefghijkl", "111111111111", "000000000000", "letmein12345",
}

func normalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func checkEmail(fe *fieldErrors, email string) {
	if !emailPattern.MatchString(email) {
		fe.add("email", "indirizzo e-mail non valido")
	}
}

func normalizeTaxCode(tc string) string { return strings.ToUpper(strings.TrimSpace(tc)) }

func checkTaxCode(fe *fieldErrors, tc string) {
	if tc != "" && !taxCodePattern.MatchString(tc) {
		fe.add("tax_code", "il codice fiscale deve avere 16 lettere o cifre")
	}
}

// checkPasswordPolicy adds field's error if password is too weak for email.
func checkPasswordPolicy(fe *fieldErrors, field, password, email string) {
	lower := strings.ToLower(password)
	local, _, _ := strings.Cut(email, "@")
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLength:
		fe.add(field, "la password deve avere almeno 12 caratteri")
	case len(local) >= 3 && strings.Contains(lower, strings.ToLower(local)):
		fe.add(field, "la password non deve contenere il nome dell'indirizzo e-mail")
	case slices.Contains(commonPasswords, lower):
		fe.add(field, "questa password è troppo comune; scegline un'altra")
	}
}

// Built-in roles, by scope (DOMAIN.md); an ente may add its own (table roles).
var (
	tenantRoles = []string{"tenant_admin", "coordinator", "social_worker", "intake_operator", "administrative", "auditor"}
	regionRoles = []string{"region_admin", "region_analyst"}
)

// MFAMandatory reports whether an operator with roles must use a second factor:
// administrators always, everyone when the ente says so (forAll).
func MFAMandatory(roles []string, forAll bool) bool {
	if forAll {
		return true
	}
	for _, r := range roles {
		if r == "tenant_admin" || r == "region_admin" || r == "platform_admin" {
			return true
		}
	}
	return false
}

// dedupe returns xs sorted without duplicates (roles and units are sets).
func dedupe[T interface{ ~string | ~[16]byte }](xs []T, less func(a, b T) int) []T {
	out := append([]T{}, xs...)
	slices.SortFunc(out, less)
	return slices.Compact(out)
}
