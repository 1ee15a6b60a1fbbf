// Package identity signs practitioners in through OpenID Connect (the BC
// Services Card in production) and provides a development identity provider
// that stands in for it, so that development sign-in takes the same code path.
package identity

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"

	"github.com/bcgov-example/careconnect-portal/internal/secret"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Sentinel errors returned by Callback. Each is wrapped with detail for the
// log; match them with errors.Is and show UserMessage to the person.
var (
	// ErrState means the callback's state is missing or does not match the
	// sign-in that this browser started.
	ErrState = errors.New("identity: state mismatch")
	// ErrNonce means the ID token's nonce does not match the sign-in request.
	ErrNonce = errors.New("identity: nonce mismatch")
	// ErrToken means the ID token is missing, invalid or lacks a subject.
	ErrToken = errors.New("identity: invalid ID token")
	// ErrExchange means the provider refused to exchange the authorization code.
	ErrExchange = errors.New("identity: code exchange failed")
	// ErrProviderDenied means the provider returned an error instead of a code.
	ErrProviderDenied = errors.New("identity: provider returned an error")
)

// UserMessage returns a short, plain sentence describing a sign-in failure,
// suitable for an error page. It never reveals internal detail.
func UserMessage(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrState):
		return "Your sign-in could not be completed because it did not start from this portal or took too long. Please sign in again."
	case errors.Is(err, ErrNonce):
		return "Your sign-in could not be completed because the response did not match the sign-in started in this browser. Please sign in again."
	case errors.Is(err, ErrToken):
		return "Your sign-in could not be completed because your identity could not be confirmed. Please sign in again."
	case errors.Is(err, ErrExchange):
		return "Your sign-in could not be completed because the sign-in was already used or has expired. Please sign in again."
	case errors.Is(err, ErrProviderDenied):
		return "Your sign-in was cancelled or was not approved by the BC Services Card. Please sign in again to continue."
	default:
		return "Your sign-in could not be completed. Please try again later."
	}
}

// Reason returns a short, stable code for a sign-in failure, for the audit
// trail: "state", "nonce", "token", "exchange", "provider_denied" or "other".
func Reason(err error) string {
	switch {
	case errors.Is(err, ErrState):
		return "state"
	case errors.Is(err, ErrNonce):
		return "nonce"
	case errors.Is(err, ErrToken):
		return "token"
	case errors.Is(err, ErrExchange):
		return "exchange"
	case errors.Is(err, ErrProviderDenied):
		return "provider_denied"
	default:
		return "other"
	}
}

// ClaimNames names the ID token claims that carry each identity attribute.
type ClaimNames struct {
	Subject, GivenNames, Surname, BirthDate, Email string
	// EmailVerified names the claim saying the provider verified Email.
	EmailVerified string
}

// DefaultClaimNames returns the standard OpenID Connect claim names.
func DefaultClaimNames() ClaimNames {
	return ClaimNames{
		Subject:    "sub",
		GivenNames: "given_name",
		Surname:    "family_name",
		BirthDate:  "birthdate",
		Email:      "email",

		EmailVerified: "email_verified",
	}
}

// withDefaults fills every empty name with its default.
func (c ClaimNames) withDefaults() ClaimNames {
	d := DefaultClaimNames()
	if c.Subject != "" {
		d.Subject = c.Subject
	}
	if c.GivenNames != "" {
		d.GivenNames = c.GivenNames
	}
	if c.Surname != "" {
		d.Surname = c.Surname
	}
	if c.BirthDate != "" {
		d.BirthDate = c.BirthDate
	}
	if c.Email != "" {
		d.Email = c.Email
	}
	if c.EmailVerified != "" {
		d.EmailVerified = c.EmailVerified
	}
	return d
}

// Config configures the relying party.
type Config struct {
	Issuer, ClientID, ClientSecret, RedirectURL string
	// Scopes requested; {"openid", "profile", "email"} when empty. "openid"
	// is always included.
	Scopes []string
	// Claims names the claims to read; empty names take the defaults.
	Claims ClaimNames
	// HTTPClient is used for discovery, token exchange and JWKS
	// (http.DefaultClient when nil).
	HTTPClient *http.Client
}

// Identity is the verified identity of a signed-in person.
type Identity struct {
	Issuer, Subject, GivenNames, Surname, Email string
	// EmailVerified is true only when the provider says it verified Email.
	EmailVerified bool
	// BirthDate is YYYY-MM-DD as given by the provider, or "".
	BirthDate string
	// IDToken is the raw ID token, kept as the end-session hint.
	IDToken string
}

// AuthRequest holds the per-sign-in secrets that the caller keeps server-side
// between the redirect to the provider and the callback.
type AuthRequest struct {
	State, Nonce, Verifier string
	// Reauth asks the provider to have the person sign in again even when
	// it still has a session for them (prompt=login), as before a password
	// change.
	Reauth bool `json:",omitempty"`
}

// NewAuthRequest returns fresh random state, nonce and PKCE verifier values.
func NewAuthRequest() AuthRequest {
	return AuthRequest{
		State:    secret.URL(32),
		Nonce:    secret.URL(32),
		Verifier: oauth2.GenerateVerifier(),
	}
}

// RP is an OpenID Connect relying party using the authorization code flow
// with PKCE.
type RP struct {
	oauth      oauth2.Config
	verifier   *oidc.IDTokenVerifier
	client     *http.Client
	claims     ClaimNames
	endSession string
}

// NewRP discovers the provider's configuration and returns a relying party.
func NewRP(ctx context.Context, cfg Config) (*RP, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("identity: issuer, client id and redirect URL are required")
	}
	client := cfg.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, client), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("identity: discovery for %s: %w", cfg.Issuer, err)
	}
	var meta struct {
		EndSessionEndpoint string   `json:"end_session_endpoint"`
		AuthMethods        []string `json:"token_endpoint_auth_methods_supported"`
	}
	if err := provider.Claims(&meta); err != nil {
		return nil, fmt.Errorf("identity: discovery document: %w", err)
	}

	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = []string{oidc.ScopeOpenID, "profile", "email"}
	}
	if !slices.Contains(scopes, oidc.ScopeOpenID) {
		scopes = append([]string{oidc.ScopeOpenID}, scopes...)
	} else {
		scopes = slices.Clone(scopes)
	}

	endpoint := provider.Endpoint()
	endpoint.AuthStyle = authStyle(meta.AuthMethods)

	return &RP{
		oauth: oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			RedirectURL:  cfg.RedirectURL,
			Endpoint:     endpoint,
			Scopes:       scopes,
		},
		verifier:   provider.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		client:     client,
		claims:     cfg.Claims.withDefaults(),
		endSession: meta.EndSessionEndpoint,
	}, nil
}

// authStyle picks the client authentication from the advertised methods;
// when both or neither are advertised the first exchange detects it.
func authStyle(methods []string) oauth2.AuthStyle {
	basic := slices.Contains(methods, "client_secret_basic")
	post := slices.Contains(methods, "client_secret_post")
	switch {
	case basic && !post:
		return oauth2.AuthStyleInHeader
	case post && !basic:
		return oauth2.AuthStyleInParams
	default:
		return oauth2.AuthStyleAutoDetect
	}
}

// AuthCodeURL returns the provider URL to send the browser to.
func (rp *RP) AuthCodeURL(ar AuthRequest) string {
	opts := []oauth2.AuthCodeOption{oidc.Nonce(ar.Nonce), oauth2.S256ChallengeOption(ar.Verifier)}
	if ar.Reauth {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", "login"))
	}
	return rp.oauth.AuthCodeURL(ar.State, opts...)
}

// Callback completes the sign-in from the provider's redirect query q and the
// AuthRequest stored when the sign-in started.
func (rp *RP) Callback(ctx context.Context, q url.Values, ar AuthRequest) (Identity, error) {
	if e := q.Get("error"); e != "" {
		return Identity{}, fmt.Errorf("%w: %q (%q)", ErrProviderDenied, e, q.Get("error_description"))
	}
	state := q.Get("state")
	if ar.State == "" || state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(ar.State)) != 1 {
		return Identity{}, fmt.Errorf("%w: callback state does not match the stored request", ErrState)
	}
	if ar.Nonce == "" {
		return Identity{}, fmt.Errorf("%w: stored request has no nonce", ErrNonce)
	}
	if ar.Verifier == "" {
		return Identity{}, fmt.Errorf("%w: stored request has no PKCE verifier", ErrExchange)
	}
	code := q.Get("code")
	if code == "" {
		return Identity{}, fmt.Errorf("%w: callback has no code", ErrExchange)
	}

	ctx = context.WithValue(ctx, oauth2.HTTPClient, rp.client)
	tok, err := rp.oauth.Exchange(ctx, code, oauth2.VerifierOption(ar.Verifier))
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %w", ErrExchange, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, fmt.Errorf("%w: token response has no id_token", ErrToken)
	}
	idt, err := rp.verifier.Verify(oidc.ClientContext(ctx, rp.client), raw)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %w", ErrToken, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(ar.Nonce)) != 1 {
		return Identity{}, fmt.Errorf("%w: ID token nonce does not match the stored request", ErrNonce)
	}

	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("%w: claims: %w", ErrToken, err)
	}
	id := Identity{
		Issuer:     idt.Issuer,
		Subject:    stringClaim(claims, rp.claims.Subject),
		GivenNames: stringClaim(claims, rp.claims.GivenNames),
		Surname:    stringClaim(claims, rp.claims.Surname),
		BirthDate:  stringClaim(claims, rp.claims.BirthDate),
		Email:      stringClaim(claims, rp.claims.Email),
		IDToken:    raw,

		EmailVerified: boolClaim(claims, rp.claims.EmailVerified),
	}
	if id.Subject == "" {
		return Identity{}, fmt.Errorf("%w: no %q claim", ErrToken, rp.claims.Subject)
	}
	return id, nil
}

// boolClaim reads a claim as a boolean: true, or the text "true" (as some
// providers send it). Anything else, or no claim, is false.
func boolClaim(claims map[string]any, name string) bool {
	switch v := claims[name].(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(strings.TrimSpace(v), "true")
	}
	return false
}

// stringClaim reads a claim as text. A list of strings (as some providers
// send given names) is joined with spaces; other types read as "".
func stringClaim(claims map[string]any, name string) string {
	switch v := claims[name].(type) {
	case string:
		return strings.TrimSpace(v)
	case []any:
		parts := make([]string, 0, len(v))
		for _, p := range v {
			if s, ok := p.(string); ok && strings.TrimSpace(s) != "" {
				parts = append(parts, strings.TrimSpace(s))
			}
		}
		return strings.Join(parts, " ")
	default:
		return ""
	}
}

// EndSessionURL returns the provider's end-session URL with the given hint and
// return address, or "" when the provider does not advertise one.
func (rp *RP) EndSessionURL(idTokenHint, postLogoutRedirectURI string) string {
	if rp.endSession == "" {
		return ""
	}
	u, err := url.Parse(rp.endSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	if idTokenHint != "" {
		q.Set("id_token_hint", idTokenHint)
	}
	if postLogoutRedirectURI != "" {
		q.Set("post_logout_redirect_uri", postLogoutRedirectURI)
	}
	q.Set("client_id", rp.oauth.ClientID)
	u.RawQuery = q.Encode()
	return u.String()
}

// HandlerTransport returns a RoundTripper that serves each request in
// process with h, without a network round trip. The portal uses it to reach
// its built-in development provider.
func HandlerTransport(h http.Handler) http.RoundTripper {
	return handlerTransport{h: h}
}

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	sreq := req.Clone(req.Context())
	if sreq.Body == nil {
		sreq.Body = http.NoBody
	}
	sreq.RequestURI = req.URL.RequestURI()
	if sreq.Host == "" {
		sreq.Host = req.URL.Host
	}
	sreq.RemoteAddr = "127.0.0.1:0"
	if sreq.Proto == "" {
		sreq.Proto, sreq.ProtoMajor, sreq.ProtoMinor = "HTTP/1.1", 1, 1
	}

	defer func() {
		if r := recover(); r != nil {
			resp, err = nil, fmt.Errorf("identity: in-process handler panicked: %v", r)
		}
	}()
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, sreq)
	resp = rec.Result()
	resp.Request = req
	return resp, nil
}
