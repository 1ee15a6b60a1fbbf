package mail

import (
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NameMax is the most characters of a name (a worksite's, a person's, an
// organisation's) that an email shows.
const NameMax = 120

// OneLine makes free text fit for one line of an email: line breaks, tabs
// and other control characters become spaces, bidirectional-text controls
// (which can make a name read backwards) are dropped, runs of white space
// collapse to one space, and the result is cut to at most max characters,
// never inside a character. A max of zero or less means no cap.
func OneLine(s string, max int) string {
	var b strings.Builder
	b.Grow(len(s))
	space, n := false, 0
	for _, r := range s {
		switch {
		case r == utf8.RuneError, isBidiControl(r):
			continue
		case unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			space = b.Len() > 0
			continue
		}
		if max > 0 && n+btoi(space)+1 > max {
			break
		}
		if space {
			b.WriteByte(' ')
			space = false
			n++
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// isBidiControl reports the embedding, override and isolate controls
// (U+202A..U+202E, U+2066..U+2069) and the marks U+200E, U+200F, U+061C.
func isBidiControl(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' || r == '\u200e' || r == '\u200f' ||
		r == '\u061c'
}

// singleLineNames returns a copy of an email's data in which every string
// field whose name ends in "Name" (WorksiteName, InviterName,
// RecipientName...), in the struct, its embedded Common and the structs of
// its slices, has passed through OneLine(s, NameMax). Names come from what
// people typed, and Render applies this to every email, so none can add a
// line to a subject or a body, or grow without bound.
func singleLineNames(data any) any {
	v := reflect.ValueOf(data)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return data
	}
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	cleanNames(c)
	return c.Interface()
}

// cleanNames applies OneLine to the name fields of the addressable struct v.
func cleanNames(v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		f, fv := t.Field(i), v.Field(i)
		if !f.IsExported() {
			continue
		}
		switch fv.Kind() {
		case reflect.String:
			if strings.HasSuffix(f.Name, "Name") {
				fv.SetString(OneLine(fv.String(), NameMax))
			}
		case reflect.Struct:
			cleanNames(fv)
		case reflect.Slice:
			if fv.Type().Elem().Kind() != reflect.Struct || fv.Len() == 0 {
				continue
			}
			cp := reflect.MakeSlice(fv.Type(), fv.Len(), fv.Len())
			reflect.Copy(cp, fv)
			for j := range cp.Len() {
				cleanNames(cp.Index(j))
			}
			fv.Set(cp)
		}
	}
}
