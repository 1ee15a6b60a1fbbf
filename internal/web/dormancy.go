package web

import (
	"net/http"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// dormancyRoutes registers the page where a person whose CareConnect
// access was suspended as unused confirms, signed in, that they still
// need it, which restores it at once.
func (s *Server) dormancyRoutes(handle func(pattern string, h handler)) {
	handle("GET /dormant", s.requireAccount(s.handleDormant))
	handle("POST /dormant", s.requireAccount(s.handleDormantPost))
}

// dormantPage is "Confirm you still need CareConnect".
type dormantPage struct {
	Page
	D       *app.Dormancy
	Confirm bool
	Errors  portal.FieldErrors
	Message string
}

func (s *Server) showDormant(
	w http.ResponseWriter,
	r *http.Request,
	status int,
	confirm bool,
	fe portal.FieldErrors,
	msg string,
) error {
	v, err := s.app.Dormancy(r.Context(), state(r).account)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "dormant.html", dormantPage{Page: s.page(r, "Confirm you still need CareConnect"),
		D: v, Confirm: confirm, Errors: fe, Message: msg})
}

func (s *Server) handleDormant(w http.ResponseWriter, r *http.Request) error {
	return s.showDormant(w, r, http.StatusOK, false, nil, "")
}

func (s *Server) handleDormantPost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	confirm := r.PostFormValue("confirm") == "yes"
	err := s.app.ConfirmStillNeeded(r.Context(), st.meta, st.account, confirm)
	if fe, ok := portal.AsFieldErrors(err); ok {
		return s.showDormant(w, r, http.StatusUnprocessableEntity, confirm, fe, "")
	}
	if portal.ErrorCode(err) == portal.ECONFLICT {
		return s.showDormant(w, r, http.StatusConflict, confirm, nil, portal.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	s.setFlash(r, "Thank you. Your CareConnect access is restored; you can use CareConnect again today.")
	http.Redirect(w, r, "/application/status", http.StatusSeeOther)
	return nil
}

// afterSignIn is where a person goes once signed in: the dormancy page
// first when their access was suspended as unused.
func (s *Server) afterSignIn(r *http.Request, acct *portal.Account, returnTo string) (string, error) {
	v, err := s.app.Dormancy(r.Context(), acct)
	if err != nil {
		return "", err
	}
	switch {
	case v.Dormant:
		return "/dormant", nil
	case returnTo != "":
		return returnTo, nil
	case acct.SignerOnly():
		// A signer-only account has declarations to sign, not a practitioner's menu.
		return "/notifications", nil
	}
	return "/menu", nil
}
