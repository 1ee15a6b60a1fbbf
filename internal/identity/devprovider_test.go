package identity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"golang.org/x/oauth2"
)

var dalia = DevPerson{
	Key:        "DALIA-EIGHTEEN",
	GivenNames: "Dalia",
	Surname:    "EIGHTEEN",
	BirthDate:  "2005-03-14",
	Email:      "dalia.eighteen@example.com",
}

const (
	devClientID     = "portal"
	devClientSecret = "portal-secret"
)

func devConfig(issuer string, clock *fixture.Clock) DevProviderConfig {
	return DevProviderConfig{
		Issuer:  issuer,
		Enabled: true,
		Now:     clock.Now,
		Clients: []DevClient{{
			ID:           devClientID,
			Secret:       devClientSecret,
			RedirectURIs: []string{testRedirectURL, "http://portal.test/other/callback"},
		}},
		People: []DevPerson{
			dalia,
			{Key: "SAM-TWENTY", GivenNames: "Sam", Surname: "TWENTY", BirthDate: "2003-01-02"},
		},
	}
}

// devEnv is a development provider served by httptest and a relying party
// that uses it.
type devEnv struct {
	dp      *DevProvider
	issuer  string
	clock   *fixture.Clock
	rp      *RP
	browser *http.Client
}

func newDevEnv(t testing.TB, mutate func(*DevProviderConfig)) *devEnv {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String() + "/dev/oidc"
	clock := fixture.NewClock(time.Now())
	cfg := devConfig(issuer, clock)
	if mutate != nil {
		mutate(&cfg)
	}
	dp, err := NewDevProvider(cfg)
	if err != nil {
		t.Fatalf("NewDevProvider: %v", err)
	}
	srv.Config.Handler = dp.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	rp, err := NewRP(context.Background(), Config{
		Issuer:       issuer,
		ClientID:     devClientID,
		ClientSecret: devClientSecret,
		RedirectURL:  testRedirectURL,
		HTTPClient:   srv.Client(),
	})
	if err != nil {
		t.Fatalf("NewRP: %v", err)
	}
	return &devEnv{dp: dp, issuer: issuer, clock: clock, rp: rp, browser: browser(nil)}
}

var requestIDPattern = regexp.MustCompile(`name="request" value="([^"]+)"`)

// openSignIn follows the relying party's authorization URL and returns the
// sign-in page and its pending request id.
func (e *devEnv) openSignIn(t *testing.T, authURL string) (string, string) {
	t.Helper()
	resp, err := e.browser.Get(authURL)
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("authorize status %d: %s", resp.StatusCode, body)
	}
	m := requestIDPattern.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no pending request id in page: %s", body)
	}
	return string(body), string(m[1])
}

func (e *devEnv) postLogin(t *testing.T, form url.Values) *http.Response {
	t.Helper()
	resp, err := e.browser.PostForm(e.issuer+"/login", form)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// signIn runs the browser through the sign-in page, submitting form, and
// returns the callback query.
func (e *devEnv) signIn(t *testing.T, ar AuthRequest, form url.Values) url.Values {
	t.Helper()
	_, id := e.openSignIn(t, e.rp.AuthCodeURL(ar))
	form.Set("request", id)
	resp := e.postLogin(t, form)
	if resp.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("login status %d, want 303: %s", resp.StatusCode, body)
	}
	return callbackQuery(t, resp)
}

func TestDevProviderHappyPath(t *testing.T) {
	e := newDevEnv(t, nil)
	ar := NewAuthRequest()
	q := e.signIn(t, ar, url.Values{"person": {dalia.Key}})
	if q.Get("state") != ar.State {
		t.Fatalf("state = %q, want %q", q.Get("state"), ar.State)
	}
	id, err := e.rp.Callback(context.Background(), q, ar)
	if err != nil {
		t.Fatalf("Callback: %v", err)
	}
	want := Identity{
		Issuer:     e.issuer,
		Subject:    dalia.Key,
		GivenNames: dalia.GivenNames,
		Surname:    dalia.Surname,
		BirthDate:  dalia.BirthDate,
		Email:      dalia.Email,
		IDToken:    id.IDToken,

		EmailVerified: true, // the development people own the addresses they give
	}
	if id != want {
		t.Fatalf("identity = %+v, want %+v", id, want)
	}
	claims := decodePayload(t, id.IDToken)
	if claims["aud"] != devClientID || claims["nonce"] != ar.Nonce {
		t.Fatalf("ID token claims = %v", claims)
	}
	if exp, iat := claims["exp"].(float64), claims["iat"].(float64); exp-iat != 300 {
		t.Fatalf("ID token lifetime = %v s, want 300", exp-iat)
	}
}

func TestDevProviderTypedPerson(t *testing.T) {
	e := newDevEnv(t, nil)
	typed := url.Values{
		"action":      {"new"},
		"given_names": {"  Alex   Jordan "},
		"surname":     {"NEWPERSON"},
		"birth_date":  {"1990-07-31"},
		"email":       {"alex@example.com"},
	}
	signIn := func(form url.Values) Identity {
		ar := NewAuthRequest()
		id, err := e.rp.Callback(context.Background(), e.signIn(t, ar, form), ar)
		if err != nil {
			t.Fatalf("Callback: %v", err)
		}
		return id
	}
	first := signIn(typed)
	if first.GivenNames != "Alex Jordan" || first.Surname != "NEWPERSON" || first.BirthDate != "1990-07-31" ||
		first.Email != "alex@example.com" || !strings.HasPrefix(first.Subject, "dev-") {
		t.Fatalf("identity = %+v", first)
	}
	again := url.Values{}
	for k, v := range typed {
		again[k] = v
	}
	again.Set("given_names", "alex jordan")
	again.Set("email", "")
	if second := signIn(again); second.Subject != first.Subject {
		t.Fatalf("same typed person got subject %q, then %q", first.Subject, second.Subject)
	}
	again.Set("birth_date", "1990-07-30")
	if third := signIn(again); third.Subject == first.Subject {
		t.Fatal("a different birth date gave the same subject")
	}
}

func TestDevProviderTypedPersonInvalid(t *testing.T) {
	e := newDevEnv(t, nil)
	cases := map[string]struct {
		form  url.Values
		field string
	}{
		"missing given names": {
			url.Values{"given_names": {" "}, "surname": {"X"}, "birth_date": {"1990-01-01"}},
			"given-names",
		},
		"missing surname": {url.Values{"given_names": {"Alex"}, "birth_date": {"1990-01-01"}}, "surname"},
		"unreal date": {
			url.Values{"given_names": {"Alex"}, "surname": {"X"}, "birth_date": {"1990-02-30"}},
			"birth-date",
		},
		"wrong date format": {
			url.Values{"given_names": {"Alex"}, "surname": {"X"}, "birth_date": {"31/07/1990"}},
			"birth-date",
		},
		"future date": {
			url.Values{"given_names": {"Alex"}, "surname": {"X"}, "birth_date": {"2999-01-01"}},
			"birth-date",
		},
		"malformed email": {
			url.Values{"given_names": {"Alex"}, "surname": {"X<b>"}, "birth_date": {"1990-01-01"}, "email": {"alex@"}},
			"email",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, id := e.openSignIn(t, e.rp.AuthCodeURL(NewAuthRequest()))
			tc.form.Set("request", id)
			tc.form.Set("action", "new")
			resp := e.postLogin(t, tc.form)
			body, _ := io.ReadAll(resp.Body)
			page := string(body)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", resp.StatusCode)
			}
			if !strings.Contains(page, `id="`+tc.field+`-error"`) ||
				!strings.Contains(page, `id="`+tc.field+`" name=`) ||
				!regexp.MustCompile(`id="`+tc.field+`"[^>]*aria-invalid="true"`).MatchString(page) {
				t.Fatalf("no error at field %s: %s", tc.field, page)
			}
			if !strings.Contains(page, `<a href="#`+tc.field+`">`) {
				t.Fatalf("error summary does not link to %s", tc.field)
			}
			if strings.Contains(page, "X<b>") {
				t.Fatal("typed value not escaped")
			}
			if v := tc.form.Get("surname"); v == "X" && !strings.Contains(page, `value="X"`) {
				t.Fatal("typed surname not kept")
			}
			// The pending request survives the correction.
			if !strings.Contains(page, `name="request" value="`+id+`"`) {
				t.Fatal("pending request id lost")
			}
		})
	}
}

func TestDevProviderSignInPage(t *testing.T) {
	e := newDevEnv(t, func(c *DevProviderConfig) { c.Stylesheet = "/static/portal.css" })
	page, _ := e.openSignIn(t, e.rp.AuthCodeURL(NewAuthRequest()))
	for _, want := range []string{
		`<html lang="en">`,
		`<main id="main" class="container">`,
		`<h1>Development sign-in</h1>`,
		`stands in for the BC Services Card`,
		`only available when the portal runs in development mode`,
		`<link rel="stylesheet" href="/static/portal.css">`,
		`class="btn btn-primary" name="person" value="DALIA-EIGHTEEN">Continue as Dalia EIGHTEEN</button>`,
		`Continue as Sam TWENTY`,
		`class="btn btn-secondary"`,
		`<form class="form" method="post" action="/dev/oidc/login"`,
		`<div class="field">`,
		`<label for="birth-date">Birth date (YYYY-MM-DD)</label>`,
		`<label for="email">Email address</label>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, banned := range []string{"<script", "<style", "style=", "javascript:"} {
		if strings.Contains(strings.ToLower(page), banned) {
			t.Errorf("page contains %q", banned)
		}
	}
	if regexp.MustCompile(`\son[a-z]+=`).MatchString(page) {
		t.Error("page has an inline event handler")
	}
	// Every visible input has a label.
	for _, m := range regexp.MustCompile(`<input ([^>]*)>`).FindAllStringSubmatch(page, -1) {
		if strings.Contains(m[1], `type="hidden"`) {
			continue
		}
		id := regexp.MustCompile(`id="([^"]+)"`).FindStringSubmatch(m[1])
		if id == nil || !strings.Contains(page, `<label for="`+id[1]+`">`) {
			t.Errorf("input without label: %s", m[0])
		}
	}

	plain := newDevEnv(t, nil)
	page, _ = plain.openSignIn(t, plain.rp.AuthCodeURL(NewAuthRequest()))
	if strings.Contains(page, "<link") {
		t.Error("stylesheet linked although none configured")
	}
}

func TestDevProviderPendingSingleUse(t *testing.T) {
	e := newDevEnv(t, nil)
	_, id := e.openSignIn(t, e.rp.AuthCodeURL(NewAuthRequest()))
	if resp := e.postLogin(t, url.Values{"request": {id}, "person": {dalia.Key}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first login status %d", resp.StatusCode)
	}
	resp := e.postLogin(t, url.Values{"request": {id}, "person": {dalia.Key}})
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Fatalf("reused pending id: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for name, form := range map[string]url.Values{
		"unknown id":     {"request": {"nope"}, "person": {dalia.Key}},
		"unknown person": {"request": {id}, "person": {"NOBODY"}},
	} {
		if resp := e.postLogin(t, form); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", name, resp.StatusCode)
		}
	}
}

func TestDevProviderPendingExpires(t *testing.T) {
	e := newDevEnv(t, nil)
	_, id := e.openSignIn(t, e.rp.AuthCodeURL(NewAuthRequest()))
	e.clock.Advance(11 * time.Minute)
	if resp := e.postLogin(t, url.Values{"request": {id}, "person": {dalia.Key}}); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("expired pending id: status %d, want 400", resp.StatusCode)
	}
}

func TestDevProviderCancel(t *testing.T) {
	e := newDevEnv(t, nil)
	ar := NewAuthRequest()
	q := e.signIn(t, ar, url.Values{"action": {"cancel"}})
	if q.Get("error") != "access_denied" || q.Get("state") != ar.State {
		t.Fatalf("cancel query = %v", q)
	}
	_, err := e.rp.Callback(context.Background(), q, ar)
	wantErr(t, err, ErrProviderDenied)
}

func TestDevProviderStateAndNonce(t *testing.T) {
	e := newDevEnv(t, nil)
	ar := NewAuthRequest()
	q := e.signIn(t, ar, url.Values{"person": {dalia.Key}})
	bad := url.Values{"code": {q.Get("code")}, "state": {"forged"}}
	_, err := e.rp.Callback(context.Background(), bad, ar)
	wantErr(t, err, ErrState)

	other := ar
	other.Nonce = NewAuthRequest().Nonce
	_, err = e.rp.Callback(context.Background(), q, other)
	wantErr(t, err, ErrNonce)
}

func TestDevProviderReusedCode(t *testing.T) {
	e := newDevEnv(t, nil)
	ar := NewAuthRequest()
	q := e.signIn(t, ar, url.Values{"person": {dalia.Key}})
	first, err := e.rp.Callback(context.Background(), q, ar)
	if err != nil {
		t.Fatalf("first Callback: %v", err)
	}
	_, err = e.rp.Callback(context.Background(), q, ar)
	wantErr(t, err, ErrExchange)

	// A reused code revokes nothing else: other sign-ins still complete.
	ar2 := NewAuthRequest()
	second, err := e.rp.Callback(context.Background(), e.signIn(t, ar2, url.Values{"person": {dalia.Key}}), ar2)
	if err != nil || second.Subject != first.Subject {
		t.Fatalf("later sign-in: %+v, %v", second, err)
	}
}

func TestDevProviderWrongVerifier(t *testing.T) {
	e := newDevEnv(t, nil)
	// A first sign-in settles the relying party's client authentication
	// style, so the failing exchange below is attempted exactly once.
	warm := NewAuthRequest()
	if _, err := e.rp.Callback(context.Background(), e.signIn(t, warm, url.Values{"person": {dalia.Key}}), warm); err != nil {
		t.Fatal(err)
	}
	ar := NewAuthRequest()
	q := e.signIn(t, ar, url.Values{"person": {dalia.Key}})
	other := ar
	other.Verifier = NewAuthRequest().Verifier
	_, err := e.rp.Callback(context.Background(), q, other)
	wantErr(t, err, ErrExchange)
	if !strings.Contains(err.Error(), "code_verifier does not match") {
		t.Fatalf("refused for another reason: %v", err)
	}
}

func TestDevProviderCodeExpires(t *testing.T) {
	e := newDevEnv(t, nil)
	ar := NewAuthRequest()
	q := e.signIn(t, ar, url.Values{"person": {dalia.Key}})
	e.clock.Advance(61 * time.Second)
	_, err := e.rp.Callback(context.Background(), q, ar)
	wantErr(t, err, ErrExchange)
}

func TestDevProviderTamperedToken(t *testing.T) {
	e := newDevEnv(t, nil)
	tamper := tokenRewriter{
		tokenPath: "/dev/oidc/token",
		rewrite: func(tok string) (string, bool) {
			parts := strings.Split(tok, ".")
			claims := decodePayload(t, tok)
			claims["email"] = "attacker@example.com"
			raw, _ := json.Marshal(claims)
			parts[1] = base64.RawURLEncoding.EncodeToString(raw)
			return strings.Join(parts, "."), true
		},
	}
	rp, err := NewRP(context.Background(), Config{
		Issuer: e.issuer, ClientID: devClientID, ClientSecret: devClientSecret,
		RedirectURL: testRedirectURL, HTTPClient: &http.Client{Transport: tamper},
	})
	if err != nil {
		t.Fatal(err)
	}
	ar := NewAuthRequest()
	_, id := e.openSignIn(t, rp.AuthCodeURL(ar))
	q := callbackQuery(t, e.postLogin(t, url.Values{"request": {id}, "person": {dalia.Key}}))
	_, err = rp.Callback(context.Background(), q, ar)
	wantErr(t, err, ErrToken)
}

// rawAuthorize sends an authorization request with the given parameters.
func (e *devEnv) rawAuthorize(t *testing.T, params url.Values) *http.Response {
	t.Helper()
	resp, err := e.browser.Get(e.issuer + "/authorize?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func goodAuthorizeParams() url.Values {
	return url.Values{
		"client_id":             {devClientID},
		"redirect_uri":          {testRedirectURL},
		"response_type":         {"code"},
		"scope":                 {"openid profile"},
		"state":                 {"s1"},
		"nonce":                 {"n1"},
		"code_challenge":        {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())},
		"code_challenge_method": {"S256"},
	}
}

func TestDevProviderAuthorizeValidation(t *testing.T) {
	e := newDevEnv(t, nil)
	// Requests that cannot be trusted to return anywhere get an error page.
	for name, change := range map[string]func(url.Values){
		"unregistered redirect_uri": func(q url.Values) { q.Set("redirect_uri", "http://evil.test/auth/callback") },
		"redirect_uri prefix":       func(q url.Values) { q.Set("redirect_uri", testRedirectURL+"/more") },
		"missing redirect_uri":      func(q url.Values) { q.Del("redirect_uri") },
		"unknown client":            func(q url.Values) { q.Set("client_id", "stranger") },
	} {
		t.Run(name, func(t *testing.T) {
			q := goodAuthorizeParams()
			change(q)
			resp := e.rawAuthorize(t, q)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
				t.Fatalf("status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			if !strings.Contains(string(body), "<h1>") || strings.Contains(string(body), "evil.test") {
				t.Fatalf("error page: %s", body)
			}
		})
	}
	// Other faults go back to the registered redirect URI as OAuth errors.
	for name, tc := range map[string]struct {
		change func(url.Values)
		code   string
	}{
		"token flow":          {func(q url.Values) { q.Set("response_type", "token") }, "unsupported_response_type"},
		"no openid scope":     {func(q url.Values) { q.Set("scope", "profile email") }, "invalid_scope"},
		"no code challenge":   {func(q url.Values) { q.Del("code_challenge") }, "invalid_request"},
		"plain PKCE":          {func(q url.Values) { q.Set("code_challenge_method", "plain") }, "invalid_request"},
		"no challenge method": {func(q url.Values) { q.Del("code_challenge_method") }, "invalid_request"},
		"malformed challenge": {func(q url.Values) { q.Set("code_challenge", "short") }, "invalid_request"},
		"prompt none":         {func(q url.Values) { q.Set("prompt", "none") }, "login_required"},
	} {
		t.Run(name, func(t *testing.T) {
			q := goodAuthorizeParams()
			tc.change(q)
			cb := callbackQuery(t, e.rawAuthorize(t, q))
			if cb.Get("error") != tc.code || cb.Get("state") != "s1" || cb.Get("code") != "" {
				t.Fatalf("callback = %v, want error %s", cb, tc.code)
			}
		})
	}
}

// tokenRequest posts form to the token endpoint with optional basic auth.
func (e *devEnv) tokenRequest(t *testing.T, form url.Values, user, pass string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.issuer+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("token response: %v", err)
	}
	return resp.StatusCode, body
}

func TestDevProviderTokenEndpoint(t *testing.T) {
	e := newDevEnv(t, nil)
	verifier := oauth2.GenerateVerifier()
	ar := AuthRequest{State: "st", Nonce: "nn", Verifier: verifier}
	code := e.signIn(t, ar, url.Values{"person": {dalia.Key}}).Get("code")
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {testRedirectURL},
		"code_verifier": {verifier},
	}

	status, body := e.tokenRequest(t, form, devClientID, "wrong")
	if status != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Fatalf("wrong secret: %d %v", status, body)
	}
	status, body = e.tokenRequest(t, form, "", "")
	if status != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Fatalf("no client authentication: %d %v", status, body)
	}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("grant_type", "password")
	if status, body = e.tokenRequest(t, bad, devClientID, devClientSecret); status != http.StatusBadRequest ||
		body["error"] != "unsupported_grant_type" {
		t.Fatalf("password grant: %d %v", status, body)
	}

	// client_secret_post.
	post := url.Values{"client_id": {devClientID}, "client_secret": {devClientSecret}}
	for k, v := range form {
		post[k] = v
	}
	status, body = e.tokenRequest(t, post, "", "")
	if status != http.StatusOK || body["token_type"] != "Bearer" || body["id_token"] == "" ||
		body["expires_in"] != 300.0 {
		t.Fatalf("client_secret_post: %d %v", status, body)
	}
	access := body["access_token"].(string)

	// A reused code is refused, and the access token it gave still works.
	status, body = e.tokenRequest(t, form, devClientID, devClientSecret)
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Fatalf("reused code: %d %v", status, body)
	}

	req, _ := http.NewRequest(http.MethodGet, e.issuer+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var info map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&info)
	if resp.StatusCode != http.StatusOK || info["sub"] != dalia.Key || info["given_name"] != dalia.GivenNames ||
		info["family_name"] != dalia.Surname || info["birthdate"] != dalia.BirthDate || info["email"] != dalia.Email {
		t.Fatalf("userinfo: %d %v", resp.StatusCode, info)
	}

	req, _ = http.NewRequest(http.MethodGet, e.issuer+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer not-a-token")
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusUnauthorized ||
		!strings.Contains(resp2.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Fatalf("userinfo with a bad token: %d", resp2.StatusCode)
	}
}

func TestDevProviderTokenRedirectMismatch(t *testing.T) {
	e := newDevEnv(t, nil)
	verifier := oauth2.GenerateVerifier()
	code := e.signIn(t, AuthRequest{State: "s", Nonce: "n", Verifier: verifier}, url.Values{"person": {dalia.Key}}).
		Get("code")
	status, body := e.tokenRequest(t, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {"http://portal.test/other/callback"},
		"code_verifier": {verifier},
	}, devClientID, devClientSecret)
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Fatalf("redirect_uri mismatch: %d %v", status, body)
	}
}

func TestDevProviderDiscoveryAndJWKS(t *testing.T) {
	e := newDevEnv(t, nil)
	get := func(path string) map[string]any {
		resp, err := http.Get(e.issuer + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %v", path, resp.StatusCode, err)
		}
		return m
	}
	d := get("/.well-known/openid-configuration")
	if d["issuer"] != e.issuer || d["token_endpoint"] != e.issuer+"/token" ||
		d["end_session_endpoint"] != e.issuer+"/end_session" {
		t.Fatalf("discovery = %v", d)
	}
	for key, want := range map[string]string{
		"response_types_supported":              "code",
		"code_challenge_methods_supported":      "S256",
		"id_token_signing_alg_values_supported": "RS256",
	} {
		if list, _ := d[key].([]any); len(list) != 1 || list[0] != want {
			t.Errorf("%s = %v", key, d[key])
		}
	}
	keys, _ := get("/jwks")["keys"].([]any)
	if len(keys) != 1 {
		t.Fatalf("jwks keys = %v", keys)
	}
	k := keys[0].(map[string]any)
	if k["kid"] == "" || k["kty"] != "RSA" || k["alg"] != "RS256" || k["d"] != nil {
		t.Fatalf("jwk = %v", k)
	}
	resp, err := http.Post(e.issuer+"/jwks", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST /jwks status %d", resp.StatusCode)
	}
}

func TestDevProviderEndSession(t *testing.T) {
	e := newDevEnv(t, nil)
	ar := NewAuthRequest()
	id, err := e.rp.Callback(context.Background(), e.signIn(t, ar, url.Values{"person": {dalia.Key}}), ar)
	if err != nil {
		t.Fatal(err)
	}
	endURL := e.rp.EndSessionURL(id.IDToken, "http://portal.test/signed-out")
	u, _ := url.Parse(endURL)
	if !strings.HasPrefix(endURL, e.issuer+"/end_session?") || u.Query().Get("id_token_hint") != id.IDToken ||
		u.Query().Get("client_id") != devClientID {
		t.Fatalf("EndSessionURL = %q", endURL)
	}
	get := func(target string) *http.Response {
		resp, err := e.browser.Get(target)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	resp := get(endURL)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "http://portal.test/signed-out" {
		t.Fatalf("end session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// An expired hint still identifies the client.
	e.clock.Advance(time.Hour)
	if resp := get(endURL); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("end session with an expired hint: %d", resp.StatusCode)
	}

	for name, target := range map[string]string{
		"other origin":   e.rp.EndSessionURL(id.IDToken, "http://evil.test/signed-out"),
		"lookalike host": e.rp.EndSessionURL(id.IDToken, "http://portal.test.evil.test/"),
		"forged hint":    e.rp.EndSessionURL(id.IDToken[:len(id.IDToken)-4]+"AAAA", "http://portal.test/signed-out"),
		"no target":      e.rp.EndSessionURL(id.IDToken, ""),
	} {
		resp := get(target)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" ||
			!strings.Contains(string(body), "<h1>You have been signed out</h1>") {
			t.Errorf("%s: %d %q", name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

func TestDevProviderRefusesWhenDisabled(t *testing.T) {
	clock := fixture.NewClock(time.Now())
	cfg := devConfig("http://127.0.0.1:8080/dev/oidc", clock)
	cfg.Enabled = false
	dp, err := NewDevProvider(cfg)
	if err == nil || dp != nil || !strings.Contains(err.Error(), "development sign-in is disabled") {
		t.Fatalf("NewDevProvider disabled = %v, %v", dp, err)
	}
}

func TestDevProviderConfigErrors(t *testing.T) {
	clock := fixture.NewClock(time.Now())
	for name, change := range map[string]func(*DevProviderConfig){
		"bad issuer":       func(c *DevProviderConfig) { c.Issuer = "ftp://x/dev" },
		"no clients":       func(c *DevProviderConfig) { c.Clients = nil },
		"no secret":        func(c *DevProviderConfig) { c.Clients[0].Secret = "" },
		"bad redirect":     func(c *DevProviderConfig) { c.Clients[0].RedirectURIs = []string{"/relative"} },
		"duplicate person": func(c *DevProviderConfig) { c.People = append(c.People, dalia) },
		"bad birth date":   func(c *DevProviderConfig) { c.People[0].BirthDate = "2005-13-01" },
	} {
		cfg := devConfig("http://127.0.0.1:8080/dev/oidc", clock)
		cfg.Clients = []DevClient{{ID: "a", Secret: "b", RedirectURIs: []string{testRedirectURL}}}
		cfg.People = []DevPerson{dalia}
		change(&cfg)
		if _, err := NewDevProvider(cfg); err == nil {
			t.Errorf("%s: NewDevProvider succeeded", name)
		}
	}
}

// The portal reaches its built-in provider in process: no listener exists
// for the issuer's host at all.
func TestHandlerTransport(t *testing.T) {
	issuer := "http://dev-provider.invalid/dev/oidc"
	dp, err := NewDevProvider(devConfig(issuer, fixture.NewClock(time.Now())))
	if err != nil {
		t.Fatal(err)
	}
	rt := HandlerTransport(dp.Handler())
	rp, err := NewRP(context.Background(), Config{
		Issuer: issuer, ClientID: devClientID, ClientSecret: devClientSecret,
		RedirectURL: testRedirectURL, HTTPClient: &http.Client{Transport: rt},
	})
	if err != nil {
		t.Fatalf("NewRP: %v", err)
	}
	e := &devEnv{dp: dp, issuer: issuer, rp: rp, browser: browser(rt)}
	ar := NewAuthRequest()
	id, err := rp.Callback(context.Background(), e.signIn(t, ar, url.Values{"person": {dalia.Key}}), ar)
	if err != nil {
		t.Fatalf("Callback: %v", err)
	}
	if id.Subject != dalia.Key || id.Issuer != issuer {
		t.Fatalf("identity = %+v", id)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, issuer+"/jwks", nil)
	if _, err := rt.RoundTrip(req); err == nil {
		t.Fatal("RoundTrip with a cancelled context succeeded")
	}
	panicky := HandlerTransport(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	req, _ = http.NewRequest(http.MethodGet, issuer, nil)
	if _, err := panicky.RoundTrip(req); err == nil {
		t.Fatal("RoundTrip with a panicking handler succeeded")
	}
}

func TestDevProviderConcurrentSignIns(t *testing.T) {
	e := newDevEnv(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ar := NewAuthRequest()
			resp, err := e.browser.Get(e.rp.AuthCodeURL(ar))
			if err != nil {
				errs <- err
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			m := requestIDPattern.FindSubmatch(body)
			if m == nil {
				errs <- io.ErrUnexpectedEOF
				return
			}
			person := dalia.Key
			if i%2 == 1 {
				person = "SAM-TWENTY"
			}
			resp, err = e.browser.PostForm(e.issuer+"/login", url.Values{"request": {string(m[1])}, "person": {person}})
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			loc, _ := url.Parse(resp.Header.Get("Location"))
			id, err := e.rp.Callback(context.Background(), loc.Query(), ar)
			if err == nil && id.Subject != person {
				err = io.ErrUnexpectedEOF
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
