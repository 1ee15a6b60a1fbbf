package portal

import (
	"crypto/rand"
	"crypto/subtle"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bcgov-example/careconnect-portal/internal/secret"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// An email address proves nothing until its owner shows they read it: the
// portal sends a single-use link and a short code to the address, and the
// address counts as confirmed once the signed-in owner follows the link or
// types the code. A new address starts again.
const (
	// EmailConfirmationLifetime is how long a link and its code work.
	EmailConfirmationLifetime = 24 * time.Hour
	// EmailCodeDigits is the length of the code typed on Manage My Account.
	EmailCodeDigits = 6
	// EmailCodeAttempts is how many wrong codes a confirmation survives;
	// after that only its link (or a new confirmation) works.
	EmailCodeAttempts = 5
	// EmailConfirmationsPerHour bounds "Send the confirmation again".
	EmailConfirmationsPerHour = 5
)

// EmailConfirmation is a pending confirmation of an account's address. The
// link's token and the code are never stored: only the token's SHA-256 and
// a hash of the code salted with it.
type EmailConfirmation struct {
	ID        int64
	AccountID AccountID
	Email     string
	TokenHash string
	CodeHash  string
	Attempts  int // wrong codes typed so far
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}

// NewEmailCode returns a random code of EmailCodeDigits digits.
func NewEmailCode() string {
	max := big.NewInt(1)
	for i := 0; i < EmailCodeDigits; i++ {
		max.Mul(max, big.NewInt(10))
	}
	n, err := rand.Int(rand.Reader, max)
	if err != nil {
		panic(err)
	}
	s := n.String()
	return strings.Repeat("0", EmailCodeDigits-len(s)) + s
}

// HashEmailCode hashes a code with its confirmation's token hash as salt,
// so equal codes of two confirmations hash differently.
func HashEmailCode(tokenHash, code string) string {
	return secret.Hash(tokenHash + ":" + code)
}

// NormalizeEmailCode reads a typed code: spaces and hyphens are ignored.
func NormalizeEmailCode(typed string) (string, error) {
	code := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, typed)
	if code == "" {
		return "", FieldErrors{"code": "Enter the 6-digit code from the email."}
	}
	if len(code) != EmailCodeDigits || strings.Trim(code, "0123456789") != "" {
		return "", FieldErrors{"code": "Enter the 6-digit code from the email, for example 123456."}
	}
	return code, nil
}

// Confirms reports whether the confirmation is for acct's current address.
func (c *EmailConfirmation) Confirms(acct *Account) bool {
	return c.AccountID == acct.ID && EmailKey(c.Email) == EmailKey(acct.Email)
}

// Usable refuses a confirmation that was used or has expired.
func (c *EmailConfirmation) Usable(now time.Time) error {
	switch {
	case !c.UsedAt.IsZero():
		return Errorf(ECONFLICT, "This confirmation was already used.")
	case !now.Before(c.ExpiresAt):
		return Errorf(ECONFLICT, "This confirmation expired. Send a new one from Manage My Account.")
	}
	return nil
}

// CodeLocked reports whether too many wrong codes were typed.
func (c *EmailConfirmation) CodeLocked() bool { return c.Attempts >= EmailCodeAttempts }

// AttemptsLeft is how many more codes may be typed.
func (c *EmailConfirmation) AttemptsLeft() int { return max(0, EmailCodeAttempts-c.Attempts) }

// CheckCode checks a normalized code. A wrong code counts as an attempt
// (the caller records c.Attempts); the error says how many remain.
func (c *EmailConfirmation) CheckCode(code string, now time.Time) error {
	if err := c.Usable(now); err != nil {
		return FieldErrors{"code": "That code has expired. Send a new confirmation and use the code in the new email."}
	}
	if c.CodeLocked() {
		return FieldErrors{
			"code": "That code was typed wrongly too many times. Send a new confirmation, or use the link in the email.",
		}
	}
	if subtle.ConstantTimeCompare([]byte(HashEmailCode(c.TokenHash, code)), []byte(c.CodeHash)) == 1 {
		return nil
	}
	c.Attempts++
	switch left := c.AttemptsLeft(); left {
	case 0:
		return FieldErrors{
			"code": "That code is not right, and it was typed wrongly too many times. Send a new confirmation, or use the link in the email.",
		}
	case 1:
		return FieldErrors{
			"code": "That code is not right. Check the latest email we sent you; you can try 1 more time.",
		}
	default:
		return FieldErrors{
			"code": "That code is not right. Check the latest email we sent you; you can try " + strconv.Itoa(
				left,
			) + " more times.",
		}
	}
}

// NotConfirmedMessage tells a person that their address does not count yet
// and how to confirm it.
func NotConfirmedMessage(email string) string {
	return "Your email address " + email + " is not confirmed yet. Open the link in the confirmation email we sent you, " +
		"or type its code on Manage My Account (where you can also have it sent again)."
}

// SameLegalName compares two names as a person would: ignoring case,
// spacing and accents, so "Zoë  DUPONT" matches "zoe dupont".
func SameLegalName(a, b string) bool {
	fold := func(s string) string {
		t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
		out, _, _ := transform.String(t, s)
		return strings.Join(strings.Fields(strings.ToLower(out)), " ")
	}
	fa, fb := fold(a), fold(b)
	return fa != "" && fa == fb
}
