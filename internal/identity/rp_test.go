package identity

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"
	"github.com/oauth2-proxy/mockoidc"
)

const testRedirectURL = "http://portal.test/auth/callback"

func bcUser() fixture.OIDCUser {
	return fixture.OIDCUser{Subject: "BCSC-SUBJECT-1", Extra: map[string]any{
		"given_name":  "Dalia Marie",
		"family_name": "EIGHTEEN",
		"birthdate":   "2005-03-14",
		"email":       "dalia.eighteen@example.com",
	}}
}

// startMock runs mockoidc on 127.0.0.1:0 for the test.
func startMock(t *testing.T) *mockoidc.MockOIDC {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatalf("start mockoidc: %v", err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	return m
}

func newMockRP(t *testing.T, m *mockoidc.MockOIDC, mutate func(*Config)) *RP {
	t.Helper()
	cfg := Config{
		Issuer:       m.Issuer(),
		ClientID:     m.ClientID,
		ClientSecret: m.ClientSecret,
		RedirectURL:  testRedirectURL,
		HTTPClient:   &http.Client{},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	rp, err := NewRP(context.Background(), cfg)
	if err != nil {
		t.Fatalf("NewRP: %v", err)
	}
	return rp
}

// browser returns a client that does not follow redirects, standing in for
// the person's browser.
func browser(rt http.RoundTripper) *http.Client {
	return &http.Client{
		Transport:     rt,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// callbackQuery checks that resp redirects to the portal's callback and
// returns the callback query.
func callbackQuery(t *testing.T, resp *http.Response) url.Values {
	t.Helper()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d, want a redirect; body: %s", resp.StatusCode, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatalf("Location: %v", err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != testRedirectURL {
		t.Fatalf("redirected to %q, want %q", got, testRedirectURL)
	}
	return loc.Query()
}

// mockSignIn sends the browser to mockoidc's authorization endpoint, which
// signs the queued user in at once, and returns the callback query.
func mockSignIn(t *testing.T, rp *RP, ar AuthRequest) url.Values {
	t.Helper()
	resp, err := browser(nil).Get(rp.AuthCodeURL(ar))
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	defer resp.Body.Close()
	return callbackQuery(t, resp)
}

// mockSignedIn starts mockoidc and a relying party on it, and signs in
// there: it returns the relying party, the sign-in's stored request and the
// callback query the provider sent back.
func mockSignedIn(t *testing.T) (*RP, AuthRequest, url.Values) {
	t.Helper()
	rp := newMockRP(t, startMock(t), nil)
	ar := NewAuthRequest()
	return rp, ar, mockSignIn(t, rp, ar)
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
	for _, other := range []error{ErrState, ErrNonce, ErrToken, ErrExchange, ErrProviderDenied} {
		if other != want && errors.Is(err, other) {
			t.Fatalf("error %v also matches %v", err, other)
		}
	}
}

func TestNewAuthRequest(t *testing.T) {
	a, b := NewAuthRequest(), NewAuthRequest()
	for _, v := range []string{a.State, a.Nonce} {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(raw) != 32 {
			t.Fatalf("%q is not 32 bytes of base64url (%v)", v, err)
		}
	}
	if len(a.Verifier) < 43 {
		t.Fatalf("verifier %q too short", a.Verifier)
	}
	if a.State == b.State || a.Nonce == b.Nonce || a.Verifier == b.Verifier || a.State == a.Nonce {
		t.Fatal("auth request values repeat")
	}
}

func TestAuthCodeURL(t *testing.T) {
	m := startMock(t)
	rp := newMockRP(t, m, func(c *Config) { c.Scopes = []string{"email"} })
	ar := NewAuthRequest()
	u, err := url.Parse(rp.AuthCodeURL(ar))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	want := map[string]string{
		"response_type":         "code",
		"client_id":             m.ClientID,
		"redirect_uri":          testRedirectURL,
		"state":                 ar.State,
		"nonce":                 ar.Nonce,
		"code_challenge_method": "S256",
		"scope":                 "openid email",
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if q.Get("code_challenge") == "" || q.Get("code_challenge") == ar.Verifier {
		t.Errorf("code_challenge = %q", q.Get("code_challenge"))
	}
	if q.Has("prompt") {
		t.Errorf("prompt = %q on a first sign-in", q.Get("prompt"))
	}
	ar.Reauth = true
	if u, _ := url.Parse(rp.AuthCodeURL(ar)); u.Query().Get("prompt") != "login" {
		t.Errorf("signing in again: prompt = %q, want login", u.Query().Get("prompt"))
	}
}

func TestMockOIDCHappyPath(t *testing.T) {
	m := startMock(t)
	m.QueueUser(bcUser())
	rp := newMockRP(t, m, nil)
	ar := NewAuthRequest()
	id, err := rp.Callback(context.Background(), mockSignIn(t, rp, ar), ar)
	if err != nil {
		t.Fatalf("Callback: %v", err)
	}
	want := Identity{
		Issuer:     m.Issuer(),
		Subject:    "BCSC-SUBJECT-1",
		GivenNames: "Dalia Marie",
		Surname:    "EIGHTEEN",
		BirthDate:  "2005-03-14",
		Email:      "dalia.eighteen@example.com",
		IDToken:    id.IDToken,
	}
	if id != want {
		t.Fatalf("identity = %+v, want %+v", id, want)
	}
	if strings.Count(id.IDToken, ".") != 2 {
		t.Fatalf("raw ID token not kept: %q", id.IDToken)
	}
	// mockoidc advertises no end_session_endpoint.
	if got := rp.EndSessionURL(id.IDToken, "http://portal.test/"); got != "" {
		t.Fatalf("EndSessionURL = %q, want empty", got)
	}
}

func TestMockOIDCDefaultUser(t *testing.T) {
	rp := newMockRP(t, startMock(t), nil)
	ar := NewAuthRequest()
	id, err := rp.Callback(context.Background(), mockSignIn(t, rp, ar), ar)
	if err != nil {
		t.Fatalf("Callback: %v", err)
	}
	def := mockoidc.DefaultUser()
	if id.Subject != def.Subject || id.Email != def.Email || id.GivenNames != "" || id.BirthDate != "" {
		t.Fatalf("identity = %+v", id)
	}
}

func TestCustomClaimNames(t *testing.T) {
	m := startMock(t)
	m.QueueUser(fixture.OIDCUser{Subject: "ignored-sub", Extra: map[string]any{
		"bcsc_guid":     "GUID-42",
		"given_names":   []string{"Dalia", "Marie"},
		"surname":       "EIGHTEEN",
		"date_of_birth": "2005-03-14",
		"email_address": "dalia@example.com",
	}})
	rp := newMockRP(t, m, func(c *Config) {
		c.Claims = ClaimNames{
			Subject:    "bcsc_guid",
			GivenNames: "given_names",
			Surname:    "surname",
			BirthDate:  "date_of_birth",
			Email:      "email_address",
		}
	})
	ar := NewAuthRequest()
	id, err := rp.Callback(context.Background(), mockSignIn(t, rp, ar), ar)
	if err != nil {
		t.Fatalf("Callback: %v", err)
	}
	if id.Subject != "GUID-42" || id.GivenNames != "Dalia Marie" || id.Surname != "EIGHTEEN" ||
		id.BirthDate != "2005-03-14" || id.Email != "dalia@example.com" {
		t.Fatalf("identity = %+v", id)
	}
}

func TestMissingSubjectClaim(t *testing.T) {
	m := startMock(t)
	m.QueueUser(bcUser())
	rp := newMockRP(t, m, func(c *Config) { c.Claims.Subject = "bcsc_guid" })
	ar := NewAuthRequest()
	_, err := rp.Callback(context.Background(), mockSignIn(t, rp, ar), ar)
	wantErr(t, err, ErrToken)
}

func TestStateMismatch(t *testing.T) {
	rp := newMockRP(t, startMock(t), nil)
	for name, change := range map[string]func(url.Values){
		"wrong":   func(q url.Values) { q.Set("state", NewAuthRequest().State) },
		"missing": func(q url.Values) { q.Del("state") },
		"empty":   func(q url.Values) { q.Set("state", "") },
	} {
		t.Run(name, func(t *testing.T) {
			ar := NewAuthRequest()
			q := mockSignIn(t, rp, ar)
			change(q)
			_, err := rp.Callback(context.Background(), q, ar)
			wantErr(t, err, ErrState)
		})
	}
	t.Run("no stored state", func(t *testing.T) {
		_, err := rp.Callback(context.Background(), url.Values{"code": {"x"}}, AuthRequest{Nonce: "n", Verifier: "v"})
		wantErr(t, err, ErrState)
	})
}

func TestNonceMismatch(t *testing.T) {
	rp, ar, q := mockSignedIn(t)
	other := ar
	other.Nonce = NewAuthRequest().Nonce
	_, err := rp.Callback(context.Background(), q, other)
	wantErr(t, err, ErrNonce)
}

func TestReusedCodeMockOIDC(t *testing.T) {
	rp, ar, q := mockSignedIn(t)
	if _, err := rp.Callback(context.Background(), q, ar); err != nil {
		t.Fatalf("first Callback: %v", err)
	}
	_, err := rp.Callback(context.Background(), q, ar)
	wantErr(t, err, ErrExchange)
}

// mockoidc checks PKCE (S256) at its token endpoint, so a wrong verifier is
// refused there as it would be by the BC Services Card.
func TestWrongVerifierMockOIDC(t *testing.T) {
	rp, ar, q := mockSignedIn(t)
	other := ar
	other.Verifier = NewAuthRequest().Verifier
	_, err := rp.Callback(context.Background(), q, other)
	wantErr(t, err, ErrExchange)
}

func TestUnknownCode(t *testing.T) {
	rp := newMockRP(t, startMock(t), nil)
	ar := NewAuthRequest()
	_, err := rp.Callback(context.Background(), url.Values{"code": {"made-up"}, "state": {ar.State}}, ar)
	wantErr(t, err, ErrExchange)
	_, err = rp.Callback(context.Background(), url.Values{"state": {ar.State}}, ar)
	wantErr(t, err, ErrExchange)
}

// mockoidc answers authorization errors with JSON rather than a redirect, so
// the provider's error redirect is given here as the callback query; the
// development provider's cancel button covers the full redirect.
func TestProviderErrorParam(t *testing.T) {
	rp := newMockRP(t, startMock(t), nil)
	ar := NewAuthRequest()
	q := url.Values{
		"error":             {"access_denied"},
		"error_description": {"internal provider detail"},
		"state":             {ar.State},
	}
	_, err := rp.Callback(context.Background(), q, ar)
	wantErr(t, err, ErrProviderDenied)
	if !strings.Contains(err.Error(), "internal provider detail") {
		t.Fatalf("error %q lost the description for the log", err)
	}
	if msg := UserMessage(err); strings.Contains(msg, "internal") || strings.Contains(msg, "access_denied") {
		t.Fatalf("UserMessage leaks detail: %q", msg)
	}
}

// tokenRewriter alters the ID token in successful responses from the token
// endpoint, standing in for a tampering intermediary.
type tokenRewriter struct {
	tokenPath string
	rewrite   func(idToken string) (string, bool)
}

func (tr tokenRewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || req.URL.Path != tr.tokenPath || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, err
	}
	raw, _ := m["id_token"].(string)
	if v, keep := tr.rewrite(raw); keep {
		m["id_token"] = v
	} else {
		delete(m, "id_token")
	}
	body, err = json.Marshal(m)
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

func decodePayload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", tok)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func TestTamperedIDToken(t *testing.T) {
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherSigner, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: otherKey}, nil)
	if err != nil {
		t.Fatal(err)
	}

	cases := map[string]func(t *testing.T, tok string) (string, bool){
		"payload altered": func(t *testing.T, tok string) (string, bool) {
			claims := decodePayload(t, tok)
			claims["sub"] = "someone-else"
			raw, _ := json.Marshal(claims)
			parts := strings.Split(tok, ".")
			parts[1] = base64.RawURLEncoding.EncodeToString(raw)
			return strings.Join(parts, "."), true
		},
		"signed by another key": func(t *testing.T, tok string) (string, bool) {
			forged, err := josejwt.Signed(otherSigner).Claims(decodePayload(t, tok)).Serialize()
			if err != nil {
				t.Error(err)
			}
			return forged, true
		},
		"signature stripped": func(t *testing.T, tok string) (string, bool) {
			return tok[:strings.LastIndex(tok, ".")+1], true
		},
		"not a token": func(*testing.T, string) (string, bool) { return "garbage", true },
		"missing":     func(*testing.T, string) (string, bool) { return "", false },
	}
	for name, rewrite := range cases {
		t.Run(name, func(t *testing.T) {
			m := startMock(t)
			m.QueueUser(bcUser())
			rt := tokenRewriter{
				tokenPath: mockoidc.TokenEndpoint,
				rewrite:   func(tok string) (string, bool) { return rewrite(t, tok) },
			}
			rp := newMockRP(t, m, func(c *Config) { c.HTTPClient = &http.Client{Transport: rt} })
			ar := NewAuthRequest()
			_, err := rp.Callback(context.Background(), mockSignIn(t, rp, ar), ar)
			wantErr(t, err, ErrToken)
		})
	}
}

func TestWrongAudience(t *testing.T) {
	m := startMock(t)
	// A relying party registered under another client id must refuse a
	// token minted for this one: rewrite the exchange to present it.
	rp := newMockRP(t, m, nil)
	ar := NewAuthRequest()
	q := mockSignIn(t, rp, ar)
	other := newMockRP(t, m, func(c *Config) {
		c.HTTPClient = &http.Client{Transport: clientIDSwap{from: "someone-else", to: m.ClientID}}
		c.ClientID = "someone-else"
	})
	_, err := other.Callback(context.Background(), q, ar)
	wantErr(t, err, ErrToken)
}

// clientIDSwap presents credentials for client "to" when the relying party
// uses client "from", so the exchange succeeds but the token's audience
// differs from the relying party's client id.
type clientIDSwap struct{ from, to string }

func (s clientIDSwap) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && req.Body != nil {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		if user, pass, ok := req.BasicAuth(); ok && user == s.from {
			req = req.Clone(req.Context())
			req.SetBasicAuth(s.to, pass)
		}
		if form.Get("client_id") == s.from {
			form.Set("client_id", s.to)
		}
		enc := form.Encode()
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(strings.NewReader(enc))
		req.ContentLength = int64(len(enc))
	}
	return http.DefaultTransport.RoundTrip(req)
}

func TestNewRPErrors(t *testing.T) {
	m := startMock(t)
	if _, err := NewRP(context.Background(), Config{Issuer: m.Issuer(), ClientID: "x"}); err == nil {
		t.Fatal("NewRP without redirect URL succeeded")
	}
	_, err := NewRP(
		context.Background(),
		Config{Issuer: m.Issuer() + "/other", ClientID: "x", RedirectURL: testRedirectURL},
	)
	if err == nil {
		t.Fatal("NewRP with an unknown issuer succeeded")
	}
}

func TestUserMessage(t *testing.T) {
	seen := map[string]bool{}
	for _, sentinel := range []error{ErrState, ErrNonce, ErrToken, ErrExchange, ErrProviderDenied} {
		msg := UserMessage(fmt.Errorf("%w: secret internal detail", sentinel))
		if msg == "" || strings.Contains(msg, "secret") || strings.Contains(msg, "identity:") {
			t.Errorf("UserMessage(%v) = %q", sentinel, msg)
		}
		if seen[msg] {
			t.Errorf("UserMessage(%v) repeats %q", sentinel, msg)
		}
		seen[msg] = true
	}
	if got := UserMessage(ErrState); got != "Your sign-in could not be completed because it did not start from this portal or took too long. Please sign in again." {
		t.Errorf("UserMessage(ErrState) = %q", got)
	}
	if UserMessage(errors.New("boom")) == "" || UserMessage(nil) != "" {
		t.Error("UserMessage fallback")
	}
}

func TestStringClaim(t *testing.T) {
	claims := map[string]any{"s": " a ", "l": []any{"Dalia", " ", "Marie"}, "n": 3.0}
	for name, want := range map[string]string{"s": "a", "l": "Dalia Marie", "n": "", "absent": ""} {
		if got := stringClaim(claims, name); got != want {
			t.Errorf("stringClaim(%q) = %q, want %q", name, got, want)
		}
	}
}

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
