package web

import (
	"net/http"
	"strconv"

	portal "github.com/bcgov-example/careconnect-portal"
)

// mailboxPage lists every email of the outbox (development mode only).
type mailboxPage struct {
	Page
	Emails []*portal.Email
	To     string
}

func (s *Server) handleMailbox(w http.ResponseWriter, r *http.Request) error {
	to := r.URL.Query().Get("to")
	emails, err := s.app.Mailbox(r.Context(), portal.EmailFilter{To: to, Limit: 200})
	if err != nil {
		return err
	}
	return s.render(
		w,
		r,
		http.StatusOK,
		"mailbox.html",
		mailboxPage{Page: s.page(r, "Development mailbox"), Emails: emails, To: to},
	)
}

// mailboxMessagePage shows one email.
type mailboxMessagePage struct {
	Page
	Email *portal.Email
}

func (s *Server) mailboxEmail(r *http.Request) (*portal.Email, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, portal.Errorf(portal.ENOTFOUND, "No such email.")
	}
	return s.app.MailboxEmail(r.Context(), id)
}

func (s *Server) handleMailboxMessage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.mailboxEmail(r)
	if err != nil {
		return err
	}
	return s.render(
		w,
		r,
		http.StatusOK,
		"mailbox_message.html",
		mailboxMessagePage{Page: s.page(r, e.Subject), Email: e},
	)
}

// handleMailboxHTML serves an email's HTML body for a sandboxed frame: no
// scripts, only the email's own inline styles.
func (s *Server) handleMailboxHTML(w http.ResponseWriter, r *http.Request) error {
	e, err := s.mailboxEmail(r)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write([]byte(e.HTML))
	return err
}
