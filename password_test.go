package portal

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The exact messages users see, one per rule.
const (
	wantLength   = "Your password must be at least 12 characters long."
	wantCase     = "Your password must include both upper-case and lower-case letters."
	wantDigitSym = "Your password must include at least one number or special character, such as ! # $ % ^ & *."
	wantCommon   = "Your password is too much like a common password that is easy to guess."
	wantWord     = "Your password must not be a single dictionary word, even with numbers or symbols added or letters swapped for look-alikes such as 0 for o."
	wantPersonal = "Your password must not contain your name, username, email address, phone number or birth date."
	wantMismatch = "The passwords you entered do not match."
	wantEdge     = "Your password must not start or end with a space."
	wantControl  = "Your password must not contain control or invisible characters, such as tabs, line breaks or NUL."
	wantRepeated = "Your password must not be mostly one character repeated."
	wantService  = "Your password must not contain the name of this service or of a B.C. health organization, such as CareConnect, HxBC, VCH or Fraser Health."
)

// testPasswordInfo is a user whose details rule 6 looks for.
var testPasswordInfo = PasswordInfo{
	GivenNames:         "Mary Ann",
	Surname:            "Lee-Chung",
	PreferredFirstName: "Molly",
	PreferredLastName:  "O'Neil",
	Username:           "bluejay77",
	Email:              "orca.fan@example.ca",
	Phone:              "250-555-0142",
	Mobile:             "+1 (604) 555-0199",
	BirthDate:          "1985-03-07",
}

// passwordMessage returns the "password" and "confirm_password" messages of
// CheckPassword's result, failing the test on any other kind of error.
func passwordMessage(t *testing.T, password, confirm string, info PasswordInfo) (pw, cf string) {
	t.Helper()
	err := CheckPassword(password, confirm, info)
	if err == nil {
		return "", ""
	}
	fe, ok := AsFieldErrors(err)
	if !ok {
		t.Fatalf("CheckPassword(%q) = %v, want FieldErrors", password, err)
	}
	for k := range fe {
		if k != "password" && k != "confirm_password" {
			t.Errorf("CheckPassword(%q) has unexpected field %q", password, k)
		}
	}
	if got, want := ErrorCode(err), EINVALID; got != want {
		t.Errorf("ErrorCode = %q, want %q", got, want)
	}
	return fe["password"], fe["confirm_password"]
}

func TestPasswordValid(t *testing.T) {
	for _, pw := range []string{
		"Tidal-Orbit-Quince9",
		"Correct Horse Battery 7",
		"9fJ#kq2!Lm0z",
		"Maple!Syrup!Pancakes",
		"Ünïcödé-Pässwörd-42",
		"Xk!BlueJ4y-77z",
		"Qwertz%Mocha#31",
	} {
		t.Run(pw, func(t *testing.T) {
			got, gotConfirm := passwordMessage(t, pw, pw, testPasswordInfo)
			if got != "" || gotConfirm != "" {
				t.Errorf("CheckPassword(%q) = %q / %q, want no error", pw, got, gotConfirm)
			}
		})
	}
}

func TestPasswordRules(t *testing.T) {
	tests := []struct {
		name, password string
		want           string
	}{
		// Rule 1: length, counted in characters, not bytes.
		{"too short", "Tq9!vbnKzw", wantLength},
		{"eleven characters", "Tq9!vbnKzwx", wantLength},
		{"twelve characters", "Tq9!vbnKzwxy", ""},
		{"multi-byte characters counted once", "Ää9!vbnKzwx", wantLength},

		// Rule 2: upper and lower case.
		{"no upper case", "tidal-orbit-quince9", wantCase},
		{"no lower case", "TIDAL-ORBIT-QUINCE9", wantCase},

		// Rule 3: a digit or special character; spaces do not count.
		{"letters only", "TidalOrbitQuince", wantDigitSym},
		{"letters and spaces", "Tidal Orbit Quince", wantDigitSym},
		{"special character only", "Tidal^Orbit^Quince", ""},
		{"digit only", "TidalOrbitQuince5", ""},

		// Rule 4: common passwords, with case, trailing digits and symbols
		// and look-alike characters undone.
		{"common as is", "Qwertyuiop1!", wantCommon},
		{"common with trailing symbols", "Trustno1!!!!", wantCommon},
		{"common with trailing digits", "Qwertyuiop2024", wantCommon},
		{"Password1234!", "Password1234!", wantCommon + " " + wantWord},
		{"P@ssw0rd12345", "P@ssw0rd12345", wantCommon + " " + wantWord},
		{"PASSword with look-alikes", "Pa$$w0rd!!2024", wantCommon + " " + wantWord},

		// Rule 5: a single dictionary word, with leading and trailing
		// non-letters and look-alike characters undone.
		{"dictionary word", "Quintessential7", wantWord},
		{"dictionary word between digits", "2024Quintessential!", wantWord},
		{"dictionary word with look-alikes", "Qu1nt3ss3nt1al!", wantWord},
		{"look-alike at the start", "3XTR@0rdinary!", wantWord},
		{"look-alike at the end", "Quintessentia1#", wantWord},
		{"two words are not one", "Quintessential-Orbit7", ""},

		// Rule 6: personal information.
		{"given name", "Vq9#MARYkzpw", wantPersonal},
		{"second given name", "Vq9#annKzpwx", wantPersonal},
		{"surname part", "Vq9#Chungkzp", wantPersonal},
		{"hyphenated surname first part", "Vq9#LEEkzpwx", wantPersonal},
		{"preferred first name", "Vq9#MollYkzp", wantPersonal},
		{"preferred first name with look-alikes", "Vq9#Mo11ykzp", wantPersonal},
		{"preferred last name", "Vq9#neilKzpw", wantPersonal},
		{"username", "Xk!BlueJay77z", wantPersonal},
		{"email local part", "Vq9#ORCA.fanZ", wantPersonal},
		{"phone last seven digits", "Vq#555-0142kz", wantPersonal},
		{"phone digits split up", "Vq5#550z14Kz2", wantPersonal},
		{"mobile last seven digits", "Vq#5550199Kzp", wantPersonal},
		{"birth year", "Vq#kzpW1985!", wantPersonal},
		{"birth date YYYYMMDD", "Vq#Kz19850307", wantPersonal},
		{"birth date DDMMYYYY", "Vq#Kz07031985", wantPersonal},
		{"birth date MMDDYYYY", "Vq#Kz03071985", wantPersonal},
		{"birth date YYMMDD", "Vq#Kzpw850307", wantPersonal},
		{"phone area code alone", "Vq#Kzpw250604", ""},

		// Leading and trailing spaces; spaces inside are fine.
		{"leading space", " Tidal-Orbit-Quince9", wantEdge},
		{"trailing space", "Tidal-Orbit-Quince9 ", wantEdge},
		{"trailing no-break space", "Tidal-Orbit-Quince9\u00a0", wantEdge},
		{"spaces inside", "Tidal Orbit Quince 9", ""},

		// Control and invisible characters.
		{"NUL", "Tidal-Orbit\x00Quince9", wantControl},
		{"tab", "Tidal-Orbit\tQuince9", wantControl},
		{"line break", "Tidal-Orbit\nQuince9", wantControl},
		{"DEL", "Tidal-Orbit\x7fQuince9", wantControl},
		{"zero-width space", "Tidal-Orbit\u200bQuince9", wantControl},
		{"right-to-left override", "Tidal-Orbit\u202eQuince9", wantControl},
		{"bytes that are not UTF-8", "Tidal-Orbit\xffQuince9", wantControl},
		{"an encoded surrogate", "Tidal-Orbit\xed\xa0\x80Quince9", wantControl},
		{"trailing line break", "Tidal-Orbit-Quince9\n", wantEdge + " " + wantControl},

		// One character for more than half of the password.
		{"one letter repeated", "aaaaaaaaaaaaB1", wantRepeated},
		{"one letter in both cases", "AaAaAaAaAaAa-7z", wantRepeated},
		{"one symbol repeated", "!!!!!!!!!Tq9z", wantRepeated},
		{"half is not most", "!!!!!!Tq9zKw", ""},

		// Words of this service's own context.
		{"the portal", "Mycareconnect-2024!", wantService},
		{"the portal, split", "Care-Connect#Quince7", wantService},
		{"the account", "HxBC-Tidal-Orbit9", wantService},
		{"the account with look-alikes", "Tidal-Orbit-hx8c!", ""},
		{"the sign-in", "BC Services Card 2024", wantService},
		{"a health authority", "Fraser Health#2024", wantService},
		{"a health authority with look-alikes", "Is1and-H3alth#Qz", wantService},
		{"another health authority", "Interior_Health_99", wantService},
		{"Vancouver Coastal", "VancouverCoastal!7q", wantService},
		{"an acronym as a word", "VCH2024!Tidal-Orbit", wantService},
		{"an acronym ending a word", "MyPHSA#Tidal-Orbit9", wantService},
		{"an acronym inside a word is chance", "Ralph-Cooper#Tidal9", ""},
		{"MyHealth", "MyHealthPortal#77q", wantService},

		// Common passwords with look-alikes swapped either way.
		{"P4ssw0rd", "P4ssw0rd-2024!", wantCommon + " " + wantWord},
		{"the list's digit typed as a letter", "TrustN0l!!!!!", wantCommon},
		{"look-alikes for the list's letters", "Qw3rtyu10p!!", wantCommon},
		{"look-alikes both ways", "Chick3nWing1O1", wantCommon},

		// Several rules at once: every message, in rule order.
		{"empty", "", wantLength + " " + wantCase + " " + wantDigitSym},
		{"password", "password", wantLength + " " + wantCase + " " + wantDigitSym + " " + wantCommon + " " + wantWord},
		{"short, common and personal", "mary1", wantLength + " " + wantCase + " " + wantCommon + " " + wantPersonal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, gotConfirm := passwordMessage(t, tt.password, tt.password, testPasswordInfo)
			if got != tt.want {
				t.Errorf("CheckPassword(%q) password message\n got: %q\nwant: %q", tt.password, got, tt.want)
			}
			if gotConfirm != "" {
				t.Errorf("CheckPassword(%q) confirm message = %q, want none", tt.password, gotConfirm)
			}
		})
	}
}

// TestPasswordPersonalInfoLimits checks what rule 6 leaves alone: short
// name parts and email local parts, short phone numbers, unknown or
// malformed birth dates and empty details.
func TestPasswordPersonalInfoLimits(t *testing.T) {
	tests := []struct {
		name     string
		password string
		info     PasswordInfo
		want     string
	}{
		{"no details", "Tidal-Orbit-Quince9", PasswordInfo{}, ""},
		{"two-letter name part", "Tidal-Orbit-Quince9", PasswordInfo{GivenNames: "Al Ti"}, ""},
		{"three-letter name part", "Tidal-Orbit-Quince9", PasswordInfo{GivenNames: "Al Tid"}, wantPersonal},
		{"two-letter username", "Tidal-Orbit-Quince9", PasswordInfo{Username: "ti"}, ""},
		{"two-letter email local part", "Tidal-Orbit-Quince9", PasswordInfo{Email: "ti@example.ca"}, ""},
		{"email domain is not looked for", "Tidal-Orbit-Quince9", PasswordInfo{Email: "someone@tidal.ca"}, ""},
		{"short phone number", "Tidal-Orbit-Quince9", PasswordInfo{Phone: "9"}, ""},
		{"unknown birth date", "Tidal-1985-Quince", PasswordInfo{}, ""},
		{"malformed birth date", "Tidal-1985-Quince", PasswordInfo{BirthDate: "07/03/1985"}, ""},
		{"name with accents", "Vq9#ZOË-kzpw", PasswordInfo{GivenNames: "Zoë"}, wantPersonal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := passwordMessage(t, tt.password, tt.password, tt.info)
			if got != tt.want {
				t.Errorf("CheckPassword(%q, %+v)\n got: %q\nwant: %q", tt.password, tt.info, got, tt.want)
			}
		})
	}
}

func TestPasswordConfirmMismatch(t *testing.T) {
	tests := []struct {
		name, password, confirm string
		wantPassword            string
	}{
		{"different", "Tidal-Orbit-Quince9", "Tidal-Orbit-Quince8", ""},
		{"empty confirmation", "Tidal-Orbit-Quince9", "", ""},
		{"case differs", "Tidal-Orbit-Quince9", "tidal-orbit-quince9", ""},
		{"both fields", "xq", "xqz", wantLength + " " + wantCase + " " + wantDigitSym},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotPassword, got := passwordMessage(t, tt.password, tt.confirm, testPasswordInfo)
			if want := wantMismatch; got != want {
				t.Errorf("confirm message = %q, want %q", got, want)
			}
			if gotPassword != tt.wantPassword {
				t.Errorf("password message = %q, want %q", gotPassword, tt.wantPassword)
			}
		})
	}
}

func TestPasswordHistory(t *testing.T) {
	storeErr := errors.New("store unavailable")
	tests := []struct {
		name    string
		used    bool
		err     error
		wantErr error
		wantMsg string
	}{
		{"new password", false, nil, nil, ""},
		{"reused password", true, nil, nil, PasswordReusedMessage},
		{"check fails", false, storeErr, storeErr, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotArg string
			err := CheckPasswordHistory("Tidal-Orbit-Quince9", func(pw string) (bool, error) {
				gotArg = pw
				return tt.used, tt.err
			})
			if got, want := gotArg, "Tidal-Orbit-Quince9"; got != want {
				t.Errorf("usedBefore got %q, want %q", got, want)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			fe, _ := AsFieldErrors(err)
			if got, want := fe["password"], tt.wantMsg; got != want {
				t.Errorf("password message = %q, want %q", got, want)
			}
		})
	}
	if got, want := PasswordReusedMessage, "You have used this password before. Choose one you have not used."; got != want {
		t.Errorf("PasswordReusedMessage = %q, want %q", got, want)
	}
}

func TestPasswordRequirementsText(t *testing.T) {
	for _, want := range []string{"12 characters", "upper-case", "lower-case", "number or special character", "used before", "dictionary word", "connected to you"} {
		if !strings.Contains(PasswordRequirements, want) {
			t.Errorf("PasswordRequirements lacks %q", want)
		}
	}
}

func TestPasswordCores(t *testing.T) {
	tests := []struct {
		password string
		want     string // one of the readings
	}{
		{"p@ssw0rd12345", "password"},
		{"!!hous3", "house"},
		{"4pple!!", "apple"},
		{"m1ll1on$", "million"},
		{"s1l1c1c1c1", "silicicici"},
	}
	for _, tt := range tests {
		cores := passwordCores(tt.password)
		found := false
		for _, c := range cores {
			found = found || c == tt.want
		}
		if !found {
			t.Errorf("passwordCores(%q) = %q, want it to include %q", tt.password, cores, tt.want)
		}
	}
	if got := passwordCores("12345!"); got != nil {
		t.Errorf("passwordCores of no letters = %q, want nil", got)
	}
}

func BenchmarkCheckPassword(b *testing.B) {
	// Load the word lists before timing.
	_ = CheckPassword("warm-up", "warm-up", PasswordInfo{})
	passwords := []string{"Tidal-Orbit-Quince9", "P@ssw0rd12345", "Qu1nt3ss3nt1al!", "Vq#Kz19850307"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		pw := passwords[i%len(passwords)]
		_ = CheckPassword(pw, pw, testPasswordInfo)
	}
}

func TestSignInRecent(t *testing.T) {
	now := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		signedInAt time.Time
		want       bool
	}{
		{"just now", now, true},
		{"ten minutes ago", now.Add(-10 * time.Minute), true},
		{"ten minutes and a second ago", now.Add(-10*time.Minute - time.Second), false},
		{"hours ago", now.Add(-3 * time.Hour), false},
		{"unknown", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SignInRecent(tt.signedInAt, now); got != tt.want {
				t.Fatalf("SignInRecent = %v, want %v", got, tt.want)
			}
			err := CheckPasswordChangeSignIn(tt.signedInAt, now)
			if tt.want != (err == nil) ||
				(err != nil && (ErrorCode(err) != EFORBIDDEN || ErrorMessage(err) != PasswordChangeSignInMessage)) {
				t.Fatalf("CheckPasswordChangeSignIn = %v", err)
			}
		})
	}
}
