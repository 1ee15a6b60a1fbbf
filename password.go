package portal

import (
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bcgov-example/careconnect-portal/wordlists"
)

// The HxBC password policy. CheckPassword applies the rules that need only
// the password and what is known about its owner; the rule against reusing
// an earlier password needs the stored hashes and is applied by
// CheckPasswordHistory with a check that the caller supplies.

// PasswordMinLength is the least number of characters a password may have.
const PasswordMinLength = 12

// PasswordHistorySize is how many of a user's earlier passwords a new one
// may not repeat.
const PasswordHistorySize = 5

// PasswordRequirements is shown above the password fields.
const PasswordRequirements = "Your password must be at least 12 characters long and include " +
	"upper-case and lower-case letters and at least one number or special character " +
	"(such as ! # $ % ^ & *). It must not be one you have used before, a common password " +
	"or a single dictionary word, and it must not contain anything easily connected to you, " +
	"such as your name, username, email address, phone number or birth date. It must not start or end " +
	"with a space, be mostly one character repeated, or contain the name of this service or of a B.C. " +
	"health organization."

// PasswordReusedMessage is the message under "password" when the new
// password matches one of the user's earlier passwords.
const PasswordReusedMessage = "You have used this password before. Choose one you have not used."

// The message for each rule, in rule order. A password that breaks several
// rules gets all of their messages, joined by spaces.
const (
	msgPasswordLength     = "Your password must be at least 12 characters long."
	msgPasswordEdgeSpace  = "Your password must not start or end with a space."
	msgPasswordControl    = "Your password must not contain control or invisible characters, such as tabs, line breaks or NUL."
	msgPasswordCase       = "Your password must include both upper-case and lower-case letters."
	msgPasswordDigitOrSym = "Your password must include at least one number or special character, such as ! # $ % ^ & *."
	msgPasswordRepeated   = "Your password must not be mostly one character repeated."
	msgPasswordCommon     = "Your password is too much like a common password that is easy to guess."
	msgPasswordWord       = "Your password must not be a single dictionary word, even with numbers or symbols added or letters swapped for look-alikes such as 0 for o."
	msgPasswordService    = "Your password must not contain the name of this service or of a B.C. health organization, such as CareConnect, HxBC, VCH or Fraser Health."
	msgPasswordPersonal   = "Your password must not contain your name, username, email address, phone number or birth date."
	msgPasswordMismatch   = "The passwords you entered do not match."
)

// PasswordInfo is what the portal knows about the password's owner; rule 6
// refuses passwords that contain any of it. Empty fields are ignored.
type PasswordInfo struct {
	GivenNames         string
	Surname            string
	PreferredFirstName string
	PreferredLastName  string
	Username           string
	Email              string
	Phone              string
	Mobile             string
	BirthDate          string // YYYY-MM-DD, or "" when unknown
}

// CheckPassword applies the password policy to a new password and its
// confirmation. It returns nil, or FieldErrors with the key "password",
// whose message names every rule the password breaks, and/or the key
// "confirm_password" when the confirmation differs.
func CheckPassword(password, confirm string, info PasswordInfo) error {
	fe := FieldErrors{}
	var msgs []string
	if utf8.RuneCountInString(password) < PasswordMinLength {
		msgs = append(msgs, msgPasswordLength)
	}
	if hasEdgeSpace(password) {
		msgs = append(msgs, msgPasswordEdgeSpace)
	}
	if hasControl(password) {
		msgs = append(msgs, msgPasswordControl)
	}
	if !hasUpperAndLower(password) {
		msgs = append(msgs, msgPasswordCase)
	}
	if !hasDigitOrSymbol(password) {
		msgs = append(msgs, msgPasswordDigitOrSym)
	}
	lower := strings.ToLower(password)
	if mostlyOneCharacter(lower) {
		msgs = append(msgs, msgPasswordRepeated)
	}
	cores := passwordCores(lower)
	if isCommonPassword(lower, cores) {
		msgs = append(msgs, msgPasswordCommon)
	}
	if isDictionaryWord(cores) {
		msgs = append(msgs, msgPasswordWord)
	}
	if containsServiceName(lower) {
		msgs = append(msgs, msgPasswordService)
	}
	if containsPersonalInfo(lower, info) {
		msgs = append(msgs, msgPasswordPersonal)
	}
	if len(msgs) > 0 {
		fe.Add("password", strings.Join(msgs, " "))
	}
	if confirm != password {
		fe.Add("confirm_password", msgPasswordMismatch)
	}
	return fe.Err()
}

// PasswordChangeSignInMax is how recent a sign-in with the BC Services
// Card must be to change the password. Later the person signs in again
// first, so a session left open on a shared computer cannot be used to take
// the account over.
const PasswordChangeSignInMax = 10 * time.Minute

// PasswordChangeSignInMessage refuses a password change after an old sign-in.
const PasswordChangeSignInMessage = "To change your password, sign in again with your BC Services Card: " +
	"your last sign-in was more than 10 minutes ago."

// SignInRecent reports whether a sign-in at signedInAt (zero when unknown)
// is recent enough at now to change the password.
func SignInRecent(signedInAt, now time.Time) bool {
	return !signedInAt.IsZero() && now.Sub(signedInAt) <= PasswordChangeSignInMax
}

// CheckPasswordChangeSignIn refuses a password change whose sign-in is not
// recent (SignInRecent).
func CheckPasswordChangeSignIn(signedInAt, now time.Time) error {
	if !SignInRecent(signedInAt, now) {
		return Errorf(EFORBIDDEN, "%s", PasswordChangeSignInMessage)
	}
	return nil
}

// PasswordReused returns the error for a password that matches one of the
// user's earlier passwords.
func PasswordReused() FieldErrors {
	return FieldErrors{"password": PasswordReusedMessage}
}

// CheckPasswordHistory applies the rule against reuse: usedBefore reports
// whether password matches one of the user's last PasswordHistorySize
// stored password hashes. It returns PasswordReused() when it does, and
// usedBefore's error unchanged when the check itself fails.
func CheckPasswordHistory(password string, usedBefore func(password string) (bool, error)) error {
	used, err := usedBefore(password)
	if err != nil {
		return err
	}
	if used {
		return PasswordReused()
	}
	return nil
}

func hasUpperAndLower(s string) bool {
	var upper, lower bool
	for _, r := range s {
		upper = upper || unicode.IsUpper(r)
		lower = lower || unicode.IsLower(r)
	}
	return upper && lower
}

// hasDigitOrSymbol reports whether s has a character that is neither a
// letter nor white space: a digit, punctuation mark or symbol.
func hasDigitOrSymbol(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsSpace(r) && unicode.IsPrint(r) {
			return true
		}
	}
	return false
}

// lookAlikes maps the characters commonly typed in place of letters to the
// letters they stand for.
var lookAlikes = map[rune][]rune{
	'0': {'o'},
	'1': {'i', 'l'},
	'3': {'e'},
	'4': {'a'},
	'5': {'s'},
	'7': {'t'},
	'@': {'a'},
	'$': {'s'},
}

// maxLookAlikeExtension bounds how many look-alike characters around the
// letters of a password are tried as part of its core.
const maxLookAlikeExtension = 3

// maxAmbiguousLookAlikes bounds how many characters with more than one
// reading (such as 1 for i or l) are tried in every combination; past it,
// each reading is tried for all of them at once.
const maxAmbiguousLookAlikes = 4

// passwordCores returns the readings of the letters-only core of a
// lower-cased password: the password with its leading and trailing
// non-letters removed and its look-alike characters read as letters. As a
// look-alike character just outside the letters may itself stand for a
// letter ("hous3"), the core is also tried extended over up to
// maxLookAlikeExtension of them on either side.
func passwordCores(lower string) []string {
	rs := []rune(lower)
	first, last := -1, -1
	for i, r := range rs {
		if unicode.IsLetter(r) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return nil
	}
	starts := []int{first}
	for i := first - 1; i >= 0 && first-i <= maxLookAlikeExtension && isLookAlike(rs[i]); i-- {
		starts = append(starts, i)
	}
	ends := []int{last + 1}
	for j := last + 1; j < len(rs) && j-last <= maxLookAlikeExtension && isLookAlike(rs[j]); j++ {
		ends = append(ends, j+1)
	}
	seen := map[string]bool{}
	var cores []string
	for _, s := range starts {
		for _, e := range ends {
			for _, c := range readings(rs[s:e]) {
				if !seen[c] {
					seen[c] = true
					cores = append(cores, c)
				}
			}
		}
	}
	return cores
}

func isLookAlike(r rune) bool {
	_, ok := lookAlikes[r]
	return ok
}

// readings returns rs with its look-alike characters read as letters, once
// for each way of reading the ambiguous ones.
func readings(rs []rune) []string {
	var ambiguous []int
	for i, r := range rs {
		if len(lookAlikes[r]) > 1 {
			ambiguous = append(ambiguous, i)
		}
	}
	base := make([]rune, len(rs))
	for i, r := range rs {
		if alts, ok := lookAlikes[r]; ok {
			base[i] = alts[0]
		} else {
			base[i] = r
		}
	}
	if len(ambiguous) == 0 {
		return []string{string(base)}
	}
	var out []string
	if len(ambiguous) > maxAmbiguousLookAlikes {
		for k := range 2 {
			v := append([]rune(nil), base...)
			for _, i := range ambiguous {
				alts := lookAlikes[rs[i]]
				v[i] = alts[min(k, len(alts)-1)]
			}
			out = append(out, string(v))
		}
		return out
	}
	// Every combination: bit n of mask picks the second reading of the
	// n-th ambiguous character. All ambiguous look-alikes have two readings.
	for mask := 0; mask < 1<<len(ambiguous); mask++ {
		v := append([]rune(nil), base...)
		for n, i := range ambiguous {
			v[i] = lookAlikes[rs[i]][(mask>>n)&1]
		}
		out = append(out, string(v))
	}
	return out
}

// isCommonPassword reports whether the lower-cased password, or the
// password without its trailing digits and symbols, or any reading of its
// letters-only core is on the list of common passwords.
func isCommonPassword(lower string, cores []string) bool {
	common := wordlists.CommonPasswords()
	candidates := []string{
		lower,
		strings.TrimRightFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }),
		strings.TrimRightFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) }),
	}
	for _, c := range append(candidates, cores...) {
		if _, ok := common[c]; ok {
			return true
		}
	}
	skeletons := commonSkeletons()
	for _, c := range candidates {
		if _, ok := skeletons[skeleton(c)]; ok {
			return true
		}
	}
	return false
}

// skeletonOf maps each look-alike character, and each letter it stands
// for, to one letter: 0 and o to o; 1, i and l to i; 4, @ and a to a...
var skeletonOf = func() map[rune]rune {
	m := map[rune]rune{}
	for c, letters := range lookAlikes {
		m[c] = letters[0]
		for _, l := range letters {
			m[l] = letters[0]
		}
	}
	return m
}()

// skeleton returns s with look-alike characters and the letters they stand
// for made one: "p4ssw0rd", "passw0rd" and "password" have the same
// skeleton, and so do "trustn01" and "trustno1", whichever way round the
// letters were swapped.
func skeleton(s string) string {
	return strings.Map(func(r rune) rune {
		if c, ok := skeletonOf[r]; ok {
			return c
		}
		return r
	}, s)
}

// commonSkeletons is the set of the skeletons of the common passwords.
var commonSkeletons = sync.OnceValue(func() map[string]struct{} {
	common := wordlists.CommonPasswords()
	out := make(map[string]struct{}, len(common))
	for w := range common {
		out[skeleton(w)] = struct{}{}
	}
	return out
})

// hasEdgeSpace reports whether s starts or ends with white space, which is
// easily lost or added when a password is typed or pasted.
func hasEdgeSpace(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	return s != "" && (unicode.IsSpace(first) || unicode.IsSpace(last))
}

// hasControl reports whether s holds a control character (NUL, tab, line
// breaks...), an invisible formatting character (zero-width space,
// direction marks) or bytes that are not UTF-8, which no keyboard types.
func hasControl(s string) bool {
	return !utf8.ValidString(s) || strings.IndexFunc(s,
		func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0
}

// mostlyOneCharacter reports whether one character makes up more than half
// of the lower-cased password ("aaaaaaaaaaB1", "x!x!x!x!x!x!x" is not).
func mostlyOneCharacter(lower string) bool {
	counts := map[rune]int{}
	n, most := 0, 0
	for _, r := range lower {
		n++
		counts[r]++
		most = max(most, counts[r])
	}
	return n > 0 && 2*most > n
}

// serviceNames are the words of this service's own context, which someone
// guessing a password for it tries first: the portal, its account and
// sign-in, and the B.C. health organizations. Letters only, lower case.
// Names of up to shortServiceName letters are acronyms, found only at the
// start or end of a run of letters (VCH2024, MyVCH); longer names are found
// anywhere, also across spaces and punctuation (Fraser-Health).
var serviceNames = []string{
	"careconnect", "myhealth", "bcservicescard", "servicescard",
	"vancouvercoastal", "fraserhealth", "interiorhealth", "islandhealth", "northernhealth",
	"provincialhealthservices", "providencehealth",
	"hxbc", "vch", "phsa", "phc", "viha", "fnha",
}

const shortServiceName = 4

// containsServiceName reports whether the lower-cased password, as typed or
// with its look-alike characters read as letters, holds one of
// serviceNames.
func containsServiceName(lower string) bool {
	notLetter := func(r rune) bool { return !unicode.IsLetter(r) }
	for _, h := range append([]string{lower}, readings([]rune(lower))...) {
		runs := strings.FieldsFunc(h, notLetter)
		letters := strings.Join(runs, "")
		for _, name := range serviceNames {
			if len(name) > shortServiceName {
				if strings.Contains(letters, name) {
					return true
				}
				continue
			}
			for _, run := range runs {
				if strings.HasPrefix(run, name) || strings.HasSuffix(run, name) {
					return true
				}
			}
		}
	}
	return false
}

// isDictionaryWord reports whether any reading of the password's
// letters-only core is an English word.
func isDictionaryWord(cores []string) bool {
	words := wordlists.EnglishWords()
	for _, c := range cores {
		if _, ok := words[c]; ok {
			return true
		}
	}
	return false
}

// minPersonalTextLen is the shortest name part, username or email local
// part that is looked for in a password; shorter ones match too much
// by chance.
const minPersonalTextLen = 3

// phoneDigits is how many trailing digits of a phone number are looked for.
const phoneDigits = 7

// containsPersonalInfo reports whether the lower-cased password contains
// any of the owner's names, username, email local part, phone numbers or
// birth date. Text is compared with the password as typed and with its
// look-alike characters read as letters; numbers are compared with the
// password's digits alone.
func containsPersonalInfo(lower string, info PasswordInfo) bool {
	var texts []string
	for _, name := range []string{info.GivenNames, info.Surname, info.PreferredFirstName, info.PreferredLastName} {
		for _, part := range strings.FieldsFunc(strings.ToLower(name),
			func(r rune) bool { return !unicode.IsLetter(r) }) {
			if utf8.RuneCountInString(part) >= minPersonalTextLen {
				texts = append(texts, part)
			}
		}
	}
	if u := strings.ToLower(strings.TrimSpace(info.Username)); utf8.RuneCountInString(u) >= minPersonalTextLen {
		texts = append(texts, u)
	}
	if at := strings.LastIndexByte(info.Email, '@'); at >= 0 {
		if local := strings.ToLower(strings.TrimSpace(info.Email[:at])); utf8.RuneCountInString(
			local,
		) >= minPersonalTextLen {
			texts = append(texts, local)
		}
	}
	if len(texts) > 0 {
		haystacks := append([]string{lower}, readings([]rune(lower))...)
		for _, t := range texts {
			for _, h := range haystacks {
				if strings.Contains(h, t) {
					return true
				}
			}
		}
	}

	pwDigits := digitsOf(lower)
	if pwDigits == "" {
		return false
	}
	var numbers []string
	for _, phone := range []string{info.Phone, info.Mobile} {
		if d := digitsOf(phone); len(d) >= phoneDigits {
			numbers = append(numbers, d[len(d)-phoneDigits:])
		}
	}
	if b, err := time.Parse(time.DateOnly, strings.TrimSpace(info.BirthDate)); err == nil {
		numbers = append(numbers,
			b.Format("20060102"),
			b.Format("2006"),
			b.Format("02012006"),
			b.Format("01022006"),
			b.Format("060102"),
		)
	}
	for _, n := range numbers {
		if strings.Contains(pwDigits, n) {
			return true
		}
	}
	return false
}

// digitsOf returns the ASCII digits of s, in order.
func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
