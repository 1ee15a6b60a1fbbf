package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/identity"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
	"github.com/bcgov-example/careconnect-portal/internal/wire"

	"github.com/oauth2-proxy/mockoidc"
)

// providerRedirect signs a typed person in at the development provider and
// returns the provider's redirect back to the portal's callback, unfollowed.
func providerRedirect(t *testing.T, c *portaltest.Client) *url.URL {
	t.Helper()
	login := c.StartSignIn()
	p := c.Post(login.URL[:strings.Index(login.URL, "/authorize")]+"/login", url.Values{
		"request": {login.Attr(`input[name="request"]`, "value")}, "action": {"new"},
		"given_names": {"Ivy"}, "surname": {"INTRUDER"}, "birth_date": {"1980-01-01"},
	})
	u, err := url.Parse(p.Location)
	if err != nil || !strings.HasSuffix(u.Path, "/auth/callback") {
		t.Fatalf("provider redirect %q", p.Location)
	}
	return u
}

func wantSignInRefused(t *testing.T, p *portaltest.Page, sentinel error) {
	t.Helper()
	if p.Status != http.StatusBadRequest || p.Text("h1") != "Sign-in not completed" {
		t.Fatalf("status %d, h1 %q; want the sign-in error page", p.Status, p.Text("h1"))
	}
	if got, want := p.Text(".flash-error"), identity.UserMessage(sentinel); got != want {
		t.Fatalf("message %q, want %q", got, want)
	}
	if len(p.Find(`a[href="/signin"]`)) == 0 {
		t.Fatal("no way to sign in again")
	}
}

func TestWeb_SignInRefusesWrongState(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	c := inst.Client(t)
	u := providerRedirect(t, c)
	q := u.Query()
	q.Set("state", "forged-state")
	u.RawQuery = q.Encode()
	wantSignInRefused(t, c.Get(u.String()), identity.ErrState)
	// The genuine callback no longer works either: the attempt is spent.
	if p := c.Get("/menu"); p.Status != http.StatusSeeOther {
		t.Fatalf("signed in after a forged state: %d", p.Status)
	}
}

func TestWeb_SignInRefusesCallbackWithoutSignIn(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	wantSignInRefused(t, inst.Client(t).Get("/auth/callback?code=abc&state=def"), identity.ErrState)
}

func TestWeb_SignInRefusesReusedCode(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	c := inst.Client(t)
	first := providerRedirect(t, c)
	if p := c.Follow(c.Get(first.String())); !strings.HasSuffix(p.URL, "/register") {
		t.Fatalf("first sign-in landed on %s", p.URL)
	}
	// A new sign-in attempt, answered with the code already spent.
	attacker := inst.Client(t)
	second := providerRedirect(t, attacker)
	q := second.Query()
	q.Set("code", first.Query().Get("code"))
	second.RawQuery = q.Encode()
	wantSignInRefused(t, attacker.Get(second.String()), identity.ErrExchange)
}

// mockPortal runs a portal whose identity provider is mockoidc, with an
// optional transport between the portal and the provider's back channel.
func mockPortal(t *testing.T, rt http.RoundTripper) (*portaltest.Instance, *mockoidc.MockOIDC) {
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"], func(cfg *wire.Config) {
		cfg.OIDC = identity.Config{Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret,
			HTTPClient: &http.Client{Transport: rt}}
	})
	return inst, m
}

func TestWeb_SignInWithMockProvider(t *testing.T) {
	t.Parallel()
	inst, _ := mockPortal(t, nil)
	c := inst.Client(t)
	p := c.Follow(c.Get("/signin"))
	if !strings.HasSuffix(p.URL, "/register") {
		t.Fatalf("landed on %s (%d): %s", p.URL, p.Status, p.Text("main"))
	}
}

func TestWeb_SignInRefusesWrongNonce(t *testing.T) {
	t.Parallel()
	inst, _ := mockPortal(t, nil)
	c := inst.Client(t)
	wantSignInRefused(t, signInWithWrongNonce(c), identity.ErrNonce)
}

// signInWithWrongNonce starts a sign-in on c and answers it as if the
// identity provider had been sent another nonce.
func signInWithWrongNonce(c *portaltest.Client) *portaltest.Page {
	start := c.Get("/signin")
	u, _ := url.Parse(start.Location)
	q := u.Query()
	q.Set("nonce", "a-nonce-the-portal-never-sent")
	u.RawQuery = q.Encode()
	return c.Follow(c.Get(u.String()))
}

// tamper alters the ID token's payload in the token endpoint's answer.
type tamper struct{}

func (tamper) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, mockoidc.TokenEndpoint) {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var tok map[string]any
	if err := json.Unmarshal(body, &tok); err == nil {
		if id, ok := tok["id_token"].(string); ok {
			parts := strings.Split(id, ".")
			// Change one character of the payload: the signature no longer matches.
			b := []byte(parts[1])
			if b[10] == 'A' {
				b[10] = 'B'
			} else {
				b[10] = 'A'
			}
			parts[1] = string(b)
			tok["id_token"] = strings.Join(parts, ".")
			body, _ = json.Marshal(tok)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

func TestWeb_SignInRefusesTamperedToken(t *testing.T) {
	t.Parallel()
	inst, _ := mockPortal(t, tamper{})
	c := inst.Client(t)
	wantSignInRefused(t, c.Follow(c.Get("/signin")), identity.ErrToken)
	if p := c.Get("/register"); p.Status != http.StatusSeeOther {
		t.Fatalf("a tampered token left a usable session: %d", p.Status)
	}
}
