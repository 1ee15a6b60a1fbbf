package secret

import (
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"testing"
)

func TestText(t *testing.T) {
	a, b := Text(), Text()
	if !regexp.MustCompile(`^[A-Z2-7]{26}$`).MatchString(a) || a == b {
		t.Errorf("Text() = %q, %q", a, b)
	}
}

func TestHex(t *testing.T) {
	for _, n := range []int{4, 8, 32} {
		got := Hex(n)
		if b, err := hex.DecodeString(got); err != nil || len(b) != n || len(got) != 2*n {
			t.Errorf("Hex(%d) = %q", n, got)
		}
	}
	if Hex(32) == Hex(32) {
		t.Error("Hex(32) twice gave the same token")
	}
}

func TestURL(t *testing.T) {
	got := URL(32)
	if b, err := base64.RawURLEncoding.DecodeString(got); err != nil || len(b) != 32 || len(got) != 43 {
		t.Errorf("URL(32) = %q", got)
	}
}

func TestHash(t *testing.T) {
	// SHA-256 of "abc", from FIPS 180-2.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := Hash("abc"); got != want {
		t.Errorf("Hash(abc) = %s, want %s", got, want)
	}
}
