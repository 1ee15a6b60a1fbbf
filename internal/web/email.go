package web

import (
	"net/http"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// codeTriesPerHour bounds the confirmation codes one account may type in an
// hour, over every confirmation it asks for.
const codeTriesPerHour = 20

// accountPage is Manage My Account, with the state of the email address.
type accountPage struct {
	Page
	Email  *app.EmailStatus
	Code   string // what was typed in the code box, kept on a re-show
	Errors portal.FieldErrors
}

func (s *Server) renderAccount(
	w http.ResponseWriter,
	r *http.Request,
	status int,
	code string,
	fe portal.FieldErrors,
) error {
	st, err := s.app.EmailStatus(r.Context(), state(r).account.ID)
	if err != nil {
		return err
	}
	return s.render(
		w,
		r,
		status,
		"account.html",
		accountPage{Page: s.page(r, "Manage My Account"), Email: st, Code: code, Errors: fe},
	)
}

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, http.StatusOK, "", nil)
}

// emailConfirmPage is what a confirmation link opens: one button confirms.
type emailConfirmPage struct {
	Page
	Confirmation *portal.EmailConfirmation
	Done         bool // the address is already confirmed
	Token        string
}

// handleEmailConfirmLink shows the page of a confirmation link. Confirming
// changes the account, so it is the button's POST that does it.
func (s *Server) handleEmailConfirmLink(w http.ResponseWriter, r *http.Request) error {
	acct := state(r).account
	token := r.PathValue("token")
	c, err := s.app.EmailConfirmationByToken(r.Context(), acct, token)
	if err != nil {
		return err
	}
	return s.render(
		w,
		r,
		http.StatusOK,
		"account_email_confirm.html",
		emailConfirmPage{Page: s.page(r, "Confirm your email address"),
			Confirmation: c, Done: acct.EmailConfirmed(), Token: token},
	)
}

// handleEmailConfirmPost confirms the address with the link's token (the
// link's page) or the typed code (Manage My Account).
func (s *Server) handleEmailConfirmPost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	token, code := r.PostFormValue("token"), r.PostFormValue("code")
	if token == "" {
		if err := s.rateLimit(r, "email-code:"+accountKey(st.account), codeTriesPerHour); err != nil {
			return err
		}
	}
	acct, err := s.app.ConfirmEmail(r.Context(), st.meta, st.account.ID, token, code)
	if fe, ok := portal.AsFieldErrors(err); ok {
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, code, fe)
	}
	if err != nil {
		return err
	}
	s.setFlash(r, "Thank you. Your email address "+acct.Email+" is confirmed.")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}

// handleEmailResend sends the confirmation again, a few times an hour at most.
func (s *Server) handleEmailResend(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	if err := s.rateLimit(r, "email-confirmation:"+accountKey(st.account), portal.EmailConfirmationsPerHour); err != nil {
		return err
	}
	if err := s.app.SendEmailConfirmation(r.Context(), st.meta, st.account.ID); err != nil {
		return err
	}
	s.setFlash(
		r,
		"We have sent a new confirmation to "+st.account.Email+". Open its link, or type its code below. Links and codes in earlier emails no longer work.",
	)
	http.Redirect(w, r, "/account#email", http.StatusSeeOther)
	return nil
}
