package identity

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
)

// FuzzCallback: whatever query the provider's redirect brings back, a
// callback without a code the provider issued never signs anyone in. A
// provider error is ErrProviderDenied, a state other than the stored one
// ErrState, no code ErrExchange; every failure is one of the sentinel
// errors, and the message shown repeats nothing of the query.
func FuzzCallback(f *testing.F) {
	for _, s := range []struct {
		state, code, errParam, errDesc string
		keepState                      bool
	}{
		{"", "abc", "", "", true},
		{"", "", "", "", true},
		{"", "abc", "access_denied", "The user cancelled", true},
		{"forged-state", "abc", "", "", false},
		{"", "", "", "", false},
		{"", "abc\x00def", "", "", true},
		{"", strings.Repeat("A", 4096), "", "", true},
		{"", "abc", "<script>alert(1)</script>", "\xff\xfe", true},
		{"x\r\nSet-Cookie: a=b", "abc", "", "", false},
	} {
		f.Add(s.state, s.code, s.errParam, s.errDesc, s.keepState)
	}
	env := newDevEnv(f, nil)
	sentinels := []error{ErrState, ErrNonce, ErrToken, ErrExchange, ErrProviderDenied}
	f.Fuzz(func(t *testing.T, state, code, errParam, errDesc string, keepState bool) {
		ar := NewAuthRequest()
		if keepState {
			state = ar.State
		}
		q := url.Values{"state": {state}, "code": {code}}
		if errParam != "" {
			q.Set("error", errParam)
			q.Set("error_description", errDesc)
		}
		id, err := env.rp.Callback(context.Background(), q, ar)
		if err == nil {
			t.Fatalf("signed in %+v with a code the provider never issued", id)
		}
		var want error
		switch {
		case errParam != "":
			want = ErrProviderDenied
		case state != ar.State:
			want = ErrState
		case code == "":
			want = ErrExchange
		}
		if want != nil && !errors.Is(err, want) {
			t.Fatalf("got %v, want %v", err, want)
		}
		known := false
		for _, s := range sentinels {
			known = known || errors.Is(err, s)
		}
		if !known {
			t.Fatalf("%v is none of the sentinel errors", err)
		}
		msg := UserMessage(err)
		for _, v := range []string{state, code, errParam, errDesc} {
			if len(v) >= 8 && strings.Contains(msg, v) {
				t.Fatalf("the message %q repeats %q from the query", msg, v)
			}
		}
	})
}
