package portal

import (
	"reflect"
	"testing"
	"time"
)

func TestNewEmailCode(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		c := NewEmailCode()
		if got, err := NormalizeEmailCode(c); err != nil || got != c {
			t.Fatalf("code %q does not read back: %q %v", c, got, err)
		}
		seen[c] = true
	}
	if len(seen) < 190 {
		t.Fatalf("only %d different codes in 200", len(seen))
	}
}

func TestNormalizeEmailCode(t *testing.T) {
	for _, tc := range []struct {
		typed, want string
		err         FieldErrors
	}{
		{"123456", "123456", nil},
		{" 123 456 ", "123456", nil},
		{"123-456", "123456", nil},
		{"012345", "012345", nil},
		{"", "", FieldErrors{"code": "Enter the 6-digit code from the email."}},
		{"   ", "", FieldErrors{"code": "Enter the 6-digit code from the email."}},
		{"12345", "", FieldErrors{"code": "Enter the 6-digit code from the email, for example 123456."}},
		{"1234567", "", FieldErrors{"code": "Enter the 6-digit code from the email, for example 123456."}},
		{"12345a", "", FieldErrors{"code": "Enter the 6-digit code from the email, for example 123456."}},
		{"１２３４５６", "", FieldErrors{"code": "Enter the 6-digit code from the email, for example 123456."}},
	} {
		t.Run(tc.typed, func(t *testing.T) {
			got, err := NormalizeEmailCode(tc.typed)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			fe, _ := AsFieldErrors(err)
			if tc.err == nil && err != nil || tc.err != nil && !reflect.DeepEqual(fe, tc.err) {
				t.Errorf("error %v, want %v", err, tc.err)
			}
		})
	}
}

func TestEmailConfirmation_CheckCode(t *testing.T) {
	now := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
	fresh := func() *EmailConfirmation {
		return &EmailConfirmation{
			AccountID: 7,
			Email:     "Dalia@Example.ca",
			TokenHash: "abc",
			CodeHash:  HashEmailCode("abc", "246810"),
			CreatedAt: now,
			ExpiresAt: now.Add(EmailConfirmationLifetime),
		}
	}
	t.Run("RightCode", func(t *testing.T) {
		c := fresh()
		if err := c.CheckCode("246810", now.Add(time.Hour)); err != nil || c.Attempts != 0 {
			t.Fatalf("got %v, attempts %d", err, c.Attempts)
		}
	})
	t.Run("WrongCodesCountDown", func(t *testing.T) {
		c := fresh()
		want := []string{
			"That code is not right. Check the latest email we sent you; you can try 4 more times.",
			"That code is not right. Check the latest email we sent you; you can try 3 more times.",
			"That code is not right. Check the latest email we sent you; you can try 2 more times.",
			"That code is not right. Check the latest email we sent you; you can try 1 more time.",
			"That code is not right, and it was typed wrongly too many times. Send a new confirmation, or use the link in the email.",
		}
		for i, w := range want {
			err := c.CheckCode("111111", now)
			if fe, _ := AsFieldErrors(err); fe["code"] != w || c.Attempts != i+1 {
				t.Fatalf("attempt %d: %v (attempts %d), want %q", i+1, err, c.Attempts, w)
			}
		}
		// Locked: even the right code no longer works, and no attempt is counted.
		err := c.CheckCode("246810", now)
		if fe, _ := AsFieldErrors(err); fe["code"] != "That code was typed wrongly too many times. Send a new confirmation, or use the link in the email." ||
			c.Attempts != 5 {
			t.Fatalf("locked: %v (attempts %d)", err, c.Attempts)
		}
	})
	t.Run("Expired", func(t *testing.T) {
		c := fresh()
		err := c.CheckCode("246810", now.Add(EmailConfirmationLifetime))
		if fe, _ := AsFieldErrors(err); fe["code"] != "That code has expired. Send a new confirmation and use the code in the new email." ||
			c.Attempts != 0 {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("Used", func(t *testing.T) {
		c := fresh()
		c.UsedAt = now
		if err := c.CheckCode("246810", now); err == nil {
			t.Fatal("a used confirmation accepted its code again")
		}
		if err := c.Usable(now); ErrorCode(err) != ECONFLICT ||
			ErrorMessage(err) != "This confirmation was already used." {
			t.Fatalf("usable: %v", err)
		}
	})
	t.Run("SaltedByToken", func(t *testing.T) {
		if HashEmailCode("abc", "246810") == HashEmailCode("abd", "246810") {
			t.Fatal("the same code hashes alike for two confirmations")
		}
	})
	t.Run("Confirms", func(t *testing.T) {
		c := fresh()
		for _, tc := range []struct {
			acct Account
			want bool
		}{
			{Account{ID: 7, Email: "dalia@example.ca"}, true},
			{Account{ID: 7, Email: "dalia@other.example"}, false}, // the address changed since
			{Account{ID: 8, Email: "dalia@example.ca"}, false},    // someone else's account
		} {
			if got := c.Confirms(&tc.acct); got != tc.want {
				t.Errorf("%+v: got %v", tc.acct, got)
			}
		}
	})
}

func TestAccount_HasConfirmedEmail(t *testing.T) {
	now := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
	unconfirmed := Account{Email: "Dalia@Example.ca"}
	confirmed := Account{Email: "Dalia@Example.ca", EmailVerifiedAt: now}
	if unconfirmed.HasConfirmedEmail("dalia@example.ca") || unconfirmed.EmailConfirmed() {
		t.Error("an unconfirmed address counts")
	}
	if !confirmed.HasConfirmedEmail("DALIA@example.ca") {
		t.Error("a confirmed address does not count in another case")
	}
	if confirmed.HasConfirmedEmail("other@example.ca") {
		t.Error("a confirmed account matches another address")
	}
}

func TestSameLegalName(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"Dalia EIGHTEEN", "dalia eighteen", true},
		{"  Dalia   EIGHTEEN ", "Dalia EIGHTEEN", true},
		{"Zoë DUPONT", "Zoe Dupont", true},
		{"Zoé Dupont", "ZOË DUPONT", true},
		{"Dalia EIGHTEEN", "Dalia NINETEEN", false},
		{"Dr Dalia EIGHTEEN", "Dalia EIGHTEEN", false},
		{"", "", false},
	} {
		if got := SameLegalName(tc.a, tc.b); got != tc.want {
			t.Errorf("SameLegalName(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
