// Package secret makes the random secrets the portal hands out and the
// hashes it keeps of them in place of the secrets, in one place.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// Text returns a fresh secret of 128 random bits as 26 characters of the
// standard base32 alphabet (crypto/rand.Text): for tokens whose format
// nothing outside the portal depends on.
func Text() string { return rand.Text() }

// Hex returns n random bytes in lower-case hexadecimal (2n characters),
// for tokens whose stored rows, cookies or links expect that form.
func Hex(n int) string { return hex.EncodeToString(bytes(n)) }

// URL returns n random bytes in unpadded base64url, for tokens whose
// documented form is that.
func URL(n int) string { return base64.RawURLEncoding.EncodeToString(bytes(n)) }

// Hash is what the database keeps of a token: its SHA-256, in hexadecimal.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// bytes returns n bytes from crypto/rand, whose Read never fails.
func bytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
