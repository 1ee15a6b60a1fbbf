package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/identity"
	"github.com/bcgov-example/careconnect-portal/internal/secret"
)

// sessionData is what a session remembers between requests.
type sessionData struct {
	CSRF     string                `json:"csrf"`
	Auth     *identity.AuthRequest `json:"auth,omitempty"`      // between the sign-in redirect and the callback
	Card     *portal.CardIdentity  `json:"card,omitempty"`      // who the card says this is
	IDToken  string                `json:"id_token,omitempty"`  // for the provider's end-session endpoint
	Flash    string                `json:"flash,omitempty"`     // a message for the next page
	ReturnTo string                `json:"return_to,omitempty"` // where to go after sign-in
	// SignedInAt is when the person last signed in with the card; a
	// password change needs it recent (portal.SignInRecent).
	SignedInAt time.Time `json:"signed_in_at,omitzero"`
}

type session struct {
	row  *portal.Session
	data sessionData
}

func (s *Server) cookieName() string {
	if s.secure {
		return "__Host-portal_session"
	}
	return "portal_session"
}

// loadSession finds the request's session and its account (nil before
// the person has one) in one query; expired or idle sessions are deleted.
// Its error is only ever that the database is unavailable.
func (s *Server) loadSession(r *http.Request) (*session, *portal.Account, error) {
	c, err := r.Cookie(s.cookieName())
	if err != nil || len(c.Value) != 64 {
		return nil, nil, nil
	}
	row, acct, err := s.app.FindSession(r.Context(), secret.Hash(c.Value))
	if app.Unavailable(err) {
		return nil, nil, err
	}
	if err != nil {
		return nil, nil, nil
	}
	now := s.app.Now()
	if !now.Before(row.ExpiresAt) || now.Sub(row.LastSeenAt) > s.cfg.SessionIdle {
		_ = s.app.DeleteSession(r.Context(), row.IDHash)
		return nil, nil, nil
	}
	sess := &session{row: row}
	if err := json.Unmarshal([]byte(row.Data), &sess.data); err != nil {
		return nil, nil, nil
	}
	if now.Sub(row.LastSeenAt) > time.Minute {
		row.LastSeenAt = now
		_ = s.app.UpdateSession(r.Context(), row)
	}
	return sess, acct, nil
}

// newSession creates a session with a fresh token and sets its cookie.
func (s *Server) newSession(
	w http.ResponseWriter,
	r *http.Request,
	account portal.AccountID,
	data sessionData,
) (*session, error) {
	tok := secret.Hex(32)
	now := s.app.Now()
	data.CSRF = secret.Hex(32)
	raw, _ := json.Marshal(data)
	row := &portal.Session{
		IDHash:     secret.Hash(tok),
		AccountID:  account,
		Data:       string(raw),
		CreatedAt:  now,
		LastSeenAt: now,
		ExpiresAt:  now.Add(s.cfg.SessionAbsolute),
	}
	if err := s.app.CreateSession(r.Context(), row); err != nil {
		return nil, err
	}
	// No Max-Age: the cookie ends with the browser; the server ends the
	// session sooner when it is idle or too old.
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: tok, Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode})
	sess := &session{row: row, data: data}
	state(r).sess = sess
	return sess, nil
}

// ensureSession returns the request's session, creating one when needed.
func (s *Server) ensureSession(w http.ResponseWriter, r *http.Request) (*session, error) {
	if sess := state(r).sess; sess != nil {
		return sess, nil
	}
	return s.newSession(w, r, 0, sessionData{})
}

// rotateSession replaces the session with a new one (new token, new CSRF
// token), as at sign-in, so a token planted before sign-in is worthless after.
func (s *Server) rotateSession(
	w http.ResponseWriter,
	r *http.Request,
	account portal.AccountID,
	data sessionData,
) (*session, error) {
	if old := state(r).sess; old != nil {
		_ = s.app.DeleteSession(r.Context(), old.row.IDHash)
	}
	return s.newSession(w, r, account, data)
}

// saveSession writes the session's data back.
func (s *Server) saveSession(ctx context.Context, sess *session) error {
	raw, _ := json.Marshal(sess.data)
	sess.row.Data = string(raw)
	sess.row.LastSeenAt = s.app.Now()
	return s.app.UpdateSession(ctx, sess.row)
}

// destroySession deletes the session and its cookie.
func (s *Server) destroySession(w http.ResponseWriter, r *http.Request) {
	if sess := state(r).sess; sess != nil {
		_ = s.app.DeleteSession(r.Context(), sess.row.IDHash)
		state(r).sess = nil
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// setFlash stores a message for the next page shown.
func (s *Server) setFlash(r *http.Request, msg string) {
	if sess := state(r).sess; sess != nil {
		sess.data.Flash = msg
		if err := s.saveSession(r.Context(), sess); err != nil {
			state(r).logger.Error("save flash", "err", err)
		}
	}
}

// popFlash returns and clears the pending message.
func (s *Server) popFlash(r *http.Request) string {
	sess := state(r).sess
	if sess == nil || sess.data.Flash == "" {
		return ""
	}
	msg := sess.data.Flash
	sess.data.Flash = ""
	_ = s.saveSession(r.Context(), sess)
	return msg
}

func validCSRF(sess *session, token string) bool {
	return sess != nil && sess.data.CSRF != "" && subtle.ConstantTimeCompare([]byte(sess.data.CSRF), []byte(token)) == 1
}
