package people

import (
	"crypto/rand"
	"strings"
)

// crockford is Crockford's base32 alphabet: no I, L, O or U, so a provisional
// identifier read aloud or copied by hand is not misread.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newProvisionalID returns a random provisional identifier, PROV-XXXX-XXXX
// (40 random bits). Uniqueness within the ente is enforced by the database;
// Create draws again on a collision.
func newProvisionalID() string {
	b := make([]byte, 8)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails on supported platforms
	var s strings.Builder
	s.WriteString("PROV-")
	for i, c := range b {
		if i == 4 {
			s.WriteByte('-')
		}
		s.WriteByte(crockford[c%32])
	}
	return s.String()
}
