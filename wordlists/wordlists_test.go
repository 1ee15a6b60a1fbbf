package wordlists

import "testing"

func TestCommonPasswords(t *testing.T) {
	set := CommonPasswords()
	if got, want := len(set), 30000; got != want {
		t.Errorf("len(CommonPasswords()) = %d, want %d", got, want)
	}
	for _, w := range []string{"password", "p@ssw0rd", "qwerty", "trustno1", "sunshine"} {
		if _, ok := set[w]; !ok {
			t.Errorf("CommonPasswords() lacks %q", w)
		}
	}
}

func TestEnglishWords(t *testing.T) {
	set := EnglishWords()
	if got := len(set); got < 50000 {
		t.Errorf("len(EnglishWords()) = %d, want at least 50000", got)
	}
	for _, w := range []string{"house", "butterflies", "correct", "umbrella"} {
		if _, ok := set[w]; !ok {
			t.Errorf("EnglishWords() lacks %q", w)
		}
	}
	for w := range set {
		if len(w) < 4 {
			t.Errorf("EnglishWords() holds %q, shorter than four letters", w)
		}
		for _, r := range w {
			if r < 'a' || r > 'z' {
				t.Errorf("EnglishWords() holds %q, not lower-case ASCII letters", w)
				break
			}
		}
	}
}
