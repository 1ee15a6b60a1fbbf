package identity

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/bcgov-example/careconnect-portal/internal/secret"
)

const (
	devPendingTTL  = 10 * time.Minute
	devCodeTTL     = time.Minute
	devTokenTTL    = 5 * time.Minute
	devMaxPending  = 10000
	devMaxFormSize = 64 << 10
	devMaxNameLen  = 100
	devMaxEmailLen = 254
)

// DevPerson is a test person offered on the development sign-in page. Key is
// the stable subject the person signs in as.
type DevPerson struct {
	Key, GivenNames, Surname, BirthDate, Email string
}

// DevClient is a relying party registered with the development provider.
type DevClient struct {
	ID, Secret   string
	RedirectURIs []string
}

// DevProviderConfig configures the development identity provider.
type DevProviderConfig struct {
	// Issuer is the provider's issuer URL, e.g.
	// http://127.0.0.1:8080/dev/oidc; every endpoint is served under its path.
	Issuer  string
	Clients []DevClient
	People  []DevPerson
	// Enabled must be true: the provider refuses to exist otherwise.
	Enabled bool
	// Now returns the current time (time.Now when nil).
	Now func() time.Time
	// Stylesheet, when set, is linked from the provider's pages.
	Stylesheet string
}

// DevProvider is a small OpenID Connect provider that stands in for the BC
// Services Card in development mode. It supports the authorization code flow
// with PKCE (S256) and RS256-signed ID tokens.
type DevProvider struct {
	issuer     string
	base       string // issuer path without a trailing slash
	clients    map[string]DevClient
	people     []DevPerson
	now        func() time.Time
	stylesheet string
	key        *rsa.PrivateKey
	kid        string
	signer     jose.Signer
	pages      *template.Template
	handler    http.Handler

	mu      sync.Mutex
	pending map[string]devPending
	codes   map[string]*devCode
	tokens  map[string]devGrant
}

// devPending is an authorization request waiting for the sign-in page.
type devPending struct {
	clientID, redirectURI, state, nonce, challenge string
	expires                                        time.Time
}

// devCode is an issued authorization code.
type devCode struct {
	clientID, redirectURI, challenge, nonce string
	person                                  DevPerson
	authTime, expires                       time.Time
	used                                    bool
}

// devGrant is what an access token grants: the person's claims.
type devGrant struct {
	person  DevPerson
	expires time.Time
}

// NewDevProvider returns a development provider with a fresh RS256 signing
// key. It returns an error unless cfg.Enabled is true.
func NewDevProvider(cfg DevProviderConfig) (*DevProvider, error) {
	if !cfg.Enabled {
		return nil, errors.New("identity: development sign-in is disabled")
	}
	iss, err := url.Parse(cfg.Issuer)
	if err != nil || (iss.Scheme != "http" && iss.Scheme != "https") || iss.Host == "" ||
		iss.RawQuery != "" || iss.Fragment != "" || iss.User != nil {
		return nil, fmt.Errorf(
			"identity: development issuer %q must be an http(s) URL without query or fragment",
			cfg.Issuer,
		)
	}
	if len(cfg.Clients) == 0 {
		return nil, errors.New("identity: development provider needs at least one client")
	}
	clients := make(map[string]DevClient, len(cfg.Clients))
	for _, c := range cfg.Clients {
		if c.ID == "" || c.Secret == "" {
			return nil, errors.New("identity: development client needs an id and a secret")
		}
		if _, dup := clients[c.ID]; dup {
			return nil, fmt.Errorf("identity: development client %q registered twice", c.ID)
		}
		if len(c.RedirectURIs) == 0 {
			return nil, fmt.Errorf("identity: development client %q has no redirect URI", c.ID)
		}
		for _, r := range c.RedirectURIs {
			u, err := url.Parse(r)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
				return nil, fmt.Errorf("identity: development client %q has an invalid redirect URI %q", c.ID, r)
			}
		}
		c.RedirectURIs = slices.Clone(c.RedirectURIs)
		clients[c.ID] = c
	}
	seen := make(map[string]bool, len(cfg.People))
	for _, p := range cfg.People {
		if p.Key == "" || seen[p.Key] {
			return nil, fmt.Errorf("identity: development person %q needs a unique key", p.GivenNames+" "+p.Surname)
		}
		seen[p.Key] = true
		if p.BirthDate != "" {
			if _, err := time.Parse(time.DateOnly, p.BirthDate); err != nil {
				return nil, fmt.Errorf("identity: development person %q has an invalid birth date", p.Key)
			}
		}
	}

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("identity: signing key: %w", err)
	}
	pub := jose.JSONWebKey{Key: &key.PublicKey, Algorithm: string(jose.RS256), Use: "sig"}
	thumb, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("identity: key id: %w", err)
	}
	kid := base64.RawURLEncoding.EncodeToString(thumb)
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256,
			Key: jose.JSONWebKey{Key: key, KeyID: kid, Algorithm: string(jose.RS256)}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("identity: signer: %w", err)
	}
	pages, err := template.ParseFS(devProviderFiles, "devprovider.html")
	if err != nil {
		return nil, fmt.Errorf("identity: development sign-in templates: %w", err)
	}

	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	p := &DevProvider{
		issuer:     cfg.Issuer,
		base:       strings.TrimSuffix(iss.EscapedPath(), "/"),
		clients:    clients,
		people:     slices.Clone(cfg.People),
		now:        now,
		stylesheet: cfg.Stylesheet,
		key:        key,
		kid:        kid,
		signer:     signer,
		pages:      pages,
		pending:    make(map[string]devPending),
		codes:      make(map[string]*devCode),
		tokens:     make(map[string]devGrant),
	}
	p.handler = p.routes()
	return p, nil
}

// endpoint returns the absolute URL of one of the provider's endpoints.
func (p *DevProvider) endpoint(path string) string {
	return strings.TrimSuffix(p.issuer, "/") + path
}

// Handler serves the provider's endpoints under the issuer's path.
func (p *DevProvider) Handler() http.Handler { return p.handler }

// routes maps each endpoint, below the issuer's path, to its handler. A
// request with another method is answered 405 with an Allow header.
func (p *DevProvider) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /login", p.login)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /userinfo", p.userinfo)
	mux.HandleFunc("POST /userinfo", p.userinfo)
	mux.HandleFunc("GET /end_session", p.endSession)
	return http.StripPrefix(p.base, mux)
}

func (p *DevProvider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.issuer,
		"authorization_endpoint":                p.endpoint("/authorize"),
		"token_endpoint":                        p.endpoint("/token"),
		"jwks_uri":                              p.endpoint("/jwks"),
		"userinfo_endpoint":                     p.endpoint("/userinfo"),
		"end_session_endpoint":                  p.endpoint("/end_session"),
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{string(jose.RS256)},
		"scopes_supported":                      []string{"openid", "profile", "email"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported": []string{
			"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce",
			"given_name", "family_name", "birthdate", "email", "email_verified",
		},
	})
}

func (p *DevProvider) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key:       &p.key.PublicKey,
		KeyID:     p.kid,
		Algorithm: string(jose.RS256),
		Use:       "sig",
	}}})
}

// authorize validates an authorization request and shows the sign-in page.
func (p *DevProvider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	client, ok := p.clients[q.Get("client_id")]
	if !ok {
		p.errorPage(w, http.StatusBadRequest,
			"The sign-in request came from an application that is not registered here.")
		return
	}
	redirectURI := q.Get("redirect_uri")
	if !slices.Contains(client.RedirectURIs, redirectURI) {
		p.errorPage(w, http.StatusBadRequest,
			"The sign-in request asked to return to an address that is not registered for this application.")
		return
	}
	// From here on the redirect URI is trusted, so errors go back to it.
	state := q.Get("state")
	fail := func(code, description string) {
		redirectWith(w, r, redirectURI, url.Values{
			"error": {code}, "error_description": {description}, "state": {state},
		})
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only the authorization code flow is supported")
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		fail("invalid_scope", "the openid scope is required")
		return
	case q.Get("code_challenge_method") != "S256" || !validS256Challenge(q.Get("code_challenge")):
		fail("invalid_request", "PKCE with code_challenge_method S256 is required")
		return
	case slices.Contains(strings.Fields(q.Get("prompt")), "none"):
		fail("login_required", "development sign-in always needs the sign-in page")
		return
	}

	id := secret.Text()
	now := p.now()
	p.mu.Lock()
	p.pruneLocked(now)
	full := len(p.pending) >= devMaxPending
	if !full {
		p.pending[id] = devPending{
			clientID:    client.ID,
			redirectURI: redirectURI,
			state:       state,
			nonce:       q.Get("nonce"),
			challenge:   q.Get("code_challenge"),
			expires:     now.Add(devPendingTTL),
		}
	}
	p.mu.Unlock()
	if full {
		fail("temporarily_unavailable", "too many sign-ins are waiting")
		return
	}
	p.render(w, http.StatusOK, p.signInPage(id, newPersonFields(url.Values{}, nil)))
}

// token exchanges an authorization code for tokens (RFC 6749 section 4.1.3).
func (p *DevProvider) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, devMaxFormSize)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the request body could not be read")
		return
	}
	form := r.PostForm
	client, ok := p.authenticateClient(w, r)
	if !ok {
		return
	}
	if form.Get("grant_type") != "authorization_code" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code is supported")
		return
	}
	code := form.Get("code")
	if code == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "code is required")
		return
	}

	now := p.now()
	access := secret.Text()
	p.mu.Lock()
	p.pruneLocked(now)
	c, found := p.codes[code]
	var problem string
	switch {
	case !found || !now.Before(c.expires):
		problem = "the code is unknown or has expired"
	case c.used:
		problem = "the code was already used"
	case c.clientID != client.ID:
		problem = "the code was issued to another client"
	case c.redirectURI != form.Get("redirect_uri"):
		problem = "redirect_uri does not match the authorization request"
	case !pkceMatches(form.Get("code_verifier"), c.challenge):
		problem = "code_verifier does not match the code challenge"
	}
	var issued devCode
	if found {
		// Any presentation of a code by an authenticated client spends it.
		c.used = true
		issued = *c
	}
	if problem == "" {
		p.tokens[access] = devGrant{person: c.person, expires: now.Add(devTokenTTL)}
	}
	p.mu.Unlock()
	if problem != "" {
		oauthError(w, http.StatusBadRequest, "invalid_grant", problem)
		return
	}

	claims := personClaims(issued.person)
	claims["iss"] = p.issuer
	claims["aud"] = client.ID
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(devTokenTTL).Unix()
	claims["auth_time"] = issued.authTime.Unix()
	if issued.nonce != "" {
		claims["nonce"] = issued.nonce
	}
	idToken, err := jwt.Signed(p.signer).Claims(claims).Serialize()
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "the ID token could not be signed")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   int(devTokenTTL / time.Second),
		"id_token":     idToken,
	})
}

// authenticateClient checks client_secret_basic or client_secret_post
// credentials, writing the error response itself when they fail.
func (p *DevProvider) authenticateClient(w http.ResponseWriter, r *http.Request) (DevClient, bool) {
	form := r.PostForm
	user, pass, basic := r.BasicAuth()
	var id, secret string
	switch {
	case basic:
		if form.Has("client_secret") {
			oauthError(w, http.StatusBadRequest, "invalid_request", "use only one client authentication method")
			return DevClient{}, false
		}
		var err1, err2 error
		id, err1 = url.QueryUnescape(user)
		secret, err2 = url.QueryUnescape(pass)
		if err1 != nil || err2 != nil {
			id, secret = "", ""
		}
		if f := form.Get("client_id"); f != "" && f != id {
			oauthError(w, http.StatusBadRequest, "invalid_request", "client_id does not match the authenticated client")
			return DevClient{}, false
		}
	case form.Get("client_secret") != "":
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	client, ok := p.clients[id]
	if id == "" || !ok || subtle.ConstantTimeCompare([]byte(secret), []byte(client.Secret)) != 1 {
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="development sign-in"`)
		}
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return DevClient{}, false
	}
	return client, true
}

// userinfo returns the claims of the person an access token was issued for.
func (p *DevProvider) userinfo(w http.ResponseWriter, r *http.Request) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	now := p.now()
	var grant devGrant
	ok := false
	if strings.EqualFold(scheme, "Bearer") && tok != "" {
		p.mu.Lock()
		grant, ok = p.tokens[strings.TrimSpace(tok)]
		p.mu.Unlock()
		ok = ok && now.Before(grant.expires)
	}
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", "the access token is missing, unknown or expired")
		return
	}
	writeJSON(w, http.StatusOK, personClaims(grant.person))
}

// endSession ends the (stateless) development session and returns to the
// client when post_logout_redirect_uri is on a registered client's origin.
func (p *DevProvider) endSession(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	allowed := make([]DevClient, 0, len(p.clients))
	for _, c := range p.clients {
		allowed = append(allowed, c)
	}
	trusted := true
	if hint := q.Get("id_token_hint"); hint != "" {
		aud, ok := p.hintAudience(hint)
		if c, known := p.clients[aud]; ok && known {
			allowed = []DevClient{c}
		} else {
			trusted = false
		}
	} else if c, known := p.clients[q.Get("client_id")]; known {
		allowed = []DevClient{c}
	}
	target := q.Get("post_logout_redirect_uri")
	if trusted && target != "" && onRegisteredOrigin(target, allowed) {
		v := url.Values{}
		if s := q.Get("state"); s != "" {
			v.Set("state", s)
		}
		redirectWith(w, r, target, v)
		return
	}
	p.render(w, http.StatusOK, devPage{Kind: "signedout", Title: "Signed out"})
}

// hintAudience verifies an ID token issued by this provider, ignoring its
// expiry as end-session hints usually outlive the token, and returns its
// audience.
func (p *DevProvider) hintAudience(hint string) (string, bool) {
	tok, err := jwt.ParseSigned(hint, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return "", false
	}
	var c jwt.Claims
	if err := tok.Claims(&p.key.PublicKey, &c); err != nil || c.Issuer != p.issuer || len(c.Audience) == 0 {
		return "", false
	}
	return c.Audience[0], true
}

// onRegisteredOrigin reports whether target is an absolute URL on the origin
// of one of the clients' redirect URIs.
func onRegisteredOrigin(target string, clients []DevClient) bool {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" || u.User != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	for _, c := range clients {
		for _, r := range c.RedirectURIs {
			ru, err := url.Parse(r)
			if err == nil && strings.EqualFold(ru.Scheme, u.Scheme) && strings.EqualFold(ru.Host, u.Host) {
				return true
			}
		}
	}
	return false
}

// pruneLocked drops expired pending requests, codes and access tokens.
func (p *DevProvider) pruneLocked(now time.Time) {
	for k, v := range p.pending {
		if !now.Before(v.expires) {
			delete(p.pending, k)
		}
	}
	for k, v := range p.codes {
		if !now.Before(v.expires) {
			delete(p.codes, k)
		}
	}
	for k, v := range p.tokens {
		if !now.Before(v.expires) {
			delete(p.tokens, k)
		}
	}
}

// personClaims returns the identity claims for a person.
func personClaims(dp DevPerson) map[string]any {
	c := map[string]any{"sub": dp.Key}
	for name, v := range map[string]string{
		"given_name":  dp.GivenNames,
		"family_name": dp.Surname,
		"birthdate":   dp.BirthDate,
		"email":       dp.Email,
	} {
		if v != "" {
			c[name] = v
		}
	}
	if dp.Email != "" {
		// A development stand-in: its people own the addresses they give.
		c["email_verified"] = true
	}
	return c
}

// validS256Challenge reports whether c looks like a base64url SHA-256 digest.
func validS256Challenge(c string) bool {
	b, err := base64.RawURLEncoding.DecodeString(c)
	return err == nil && len(b) == sha256.Size
}

// pkceMatches checks an RFC 7636 code verifier against an S256 challenge.
func pkceMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	for _, r := range verifier {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~", r)) {
			return false
		}
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// redirectWith sends a 303 to target with params added to its query.
func redirectWith(w http.ResponseWriter, r *http.Request, target string, params url.Values) {
	u, err := url.Parse(target)
	if err != nil {
		http.Error(w, "invalid redirect address", http.StatusInternalServerError)
		return
	}
	q := u.Query()
	for k, vs := range params {
		for _, v := range vs {
			if v != "" {
				q.Set(k, v)
			}
		}
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "response could not be encoded", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
