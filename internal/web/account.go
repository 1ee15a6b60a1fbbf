package web

import (
	"fmt"
	"net/http"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// registerPage is the HxBC account registration form.
type registerPage struct {
	Page
	Card         portal.CardIdentity
	Form         portal.RegistrationInput
	Errors       portal.FieldErrors
	Requirements string
	WorksiteCode string // optional: the worksite to ask to join once registered
	// SignerLink: the person came from a declaration's emailed link, and
	// may sign it without this form (see handleRegisterSigner).
	SignerLink bool
}

// notEligiblePage stops the registration of a person whose profession
// cannot be granted CareConnect access, and says what to do instead.
type notEligiblePage struct {
	Page
	Profession portal.ProfessionInfo
	Message    string
	Eligible   []portal.ProfessionInfo
}

func (s *Server) registrationCard(w http.ResponseWriter, r *http.Request) (*portal.CardIdentity, bool) {
	st := state(r)
	if st.account != nil {
		http.Redirect(w, r, "/menu", http.StatusSeeOther)
		return nil, false
	}
	if st.sess == nil || st.sess.data.Card == nil {
		_ = s.toSignIn(w, r)
		return nil, false
	}
	return st.sess.data.Card, true
}

func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) error {
	card, ok := s.registrationCard(w, r)
	if !ok {
		return nil
	}
	form := portal.RegistrationInput{Email: card.Email, HealthAuthorityAccount: "no"}
	form.Username = s.app.SuggestUsername(r.Context(), card.GivenNames, card.Surname)
	return s.render(w, r, http.StatusOK, "register.html", registerPage{Page: s.page(r, "Account Registration"),
		Card: *card, Form: form, Requirements: portal.PasswordRequirements, SignerLink: declarationToken(r) != ""})
}

func (s *Server) handleRegisterPost(w http.ResponseWriter, r *http.Request) error {
	card, ok := s.registrationCard(w, r)
	if !ok {
		return nil
	}
	in := portal.RegistrationInput{
		PreferredFirstName: r.PostFormValue(
			"preferred_first_name",
		), PreferredLastName: r.PostFormValue("preferred_last_name"),
		Profession: r.PostFormValue("profession"), NurseLicence: r.PostFormValue("nurse_licence"),
		MSPBillingNumber: r.PostFormValue("msp_billing_number"), CPSID: r.PostFormValue("cpsid"),
		Resident: r.PostFormValue("resident"), CollegeID: r.PostFormValue("college_id"),
		OtherProfession: r.PostFormValue("other_profession"), Email: r.PostFormValue("email"),
		Phone: r.PostFormValue("phone"), Mobile: r.PostFormValue("mobile"),
		HealthAuthorityAccount: r.PostFormValue("health_authority_account"), Username: r.PostFormValue("username"),
		Password: r.PostFormValue("password"), ConfirmPassword: r.PostFormValue("confirm_password"),
	}
	if p := portal.Profession(strings.TrimSpace(in.Profession)); !portal.ProfessionEligible(p) {
		if info, listed := portal.LookupProfession(p); listed {
			// Told before anything else is checked, and before any account exists.
			return s.render(
				w,
				r,
				http.StatusOK,
				"not_eligible.html",
				notEligiblePage{Page: s.page(r, "Profession not eligible"),
					Profession: info, Message: portal.NotEligibleMessage(p), Eligible: portal.EligibleProfessions()},
			)
		}
	}
	if in.NeedsHealthAuthorityRoute() {
		return s.render(
			w,
			r,
			http.StatusOK,
			"health_authority.html",
			homePage{Page: s.page(r, "Health authority network account")},
		)
	}
	refuse := func(fe portal.FieldErrors, code string) error {
		// Keep everything typed except the passwords.
		in.Password, in.ConfirmPassword = "", ""
		return s.render(
			w,
			r,
			http.StatusUnprocessableEntity,
			"register.html",
			registerPage{Page: s.page(r, "Account Registration"),
				Card: *card, Form: in, Errors: fe, Requirements: portal.PasswordRequirements, WorksiteCode: code,
				SignerLink: declarationToken(r) != ""},
		)
	}
	// An optional Worksite ID: the request to join it is made as soon as
	// the account exists, so that the person goes on to the next step.
	code := strings.TrimSpace(r.PostFormValue("worksite_code"))
	var ws *portal.Worksite
	if code != "" {
		// Not yet an account: the card's subject stands for the person.
		if err := s.rateLimit(r, "worksite-code:card:"+card.Issuer+" "+card.Subject, 20); err != nil {
			return err
		}
		if err := s.rateLimit(r, "worksite-code:ip:"+state(r).meta.IP, 60); err != nil {
			return err
		}
		var err error
		ws, err = s.app.FindWorksiteToJoin(r.Context(), code)
		if c := portal.ErrorCode(err); c == portal.EINVALID || c == portal.ENOTFOUND {
			return refuse(portal.FieldErrors{"worksite_code": portal.ErrorMessage(err)}, code)
		}
		if err != nil {
			return err
		}
	}
	acct, err := s.app.Register(r.Context(), state(r).meta, *card, in)
	if fe, ok := portal.AsFieldErrors(err); ok {
		return refuse(fe, code)
	}
	if err != nil {
		return err
	}
	flash := "Your HxBC account has been created. Your username is " + acct.QualifiedUsername() + "; we have emailed it to you at " +
		acct.Email + ", with a link and a code to confirm that address."
	next := "/menu"
	if ws != nil {
		if _, err := s.app.RequestToJoin(r.Context(), state(r).meta, acct, ws, "code", ""); err != nil {
			// The account stands; the person can ask again from the menu.
			s.logger.Warn("request to join at registration", "worksite", ws.ID, "err", err)
			flash += " Your request to join " + ws.Name + " could not be sent: join it from Worksites on the menu."
		} else {
			flash += " Your request to join " + ws.Name + " was sent to its site administrators; you will receive an email once it is approved."
			if next, err = s.nextStepURL(r, acct); err != nil {
				return err
			}
		}
	}
	sess := state(r).sess
	if back := safeReturnTo(sess.data.ReturnTo); back != "" {
		// The page an emailed link opened before the form.
		next = back
	}
	if _, err := s.rotateSession(w, r, acct.ID, sessionData{Card: card, IDToken: sess.data.IDToken, SignedInAt: sess.data.SignedInAt,
		Flash: flash}); err != nil {
		return err
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// nextStepURL is the page of the first step the person can take now
// towards a CareConnect request: a step waiting on someone else (a worksite
// to be approved) is passed over. With nothing left to do it is the
// enrolment form, or the menu when no request can be made.
func (s *Server) nextStepURL(r *http.Request, acct *portal.Account) (string, error) {
	st, err := s.app.Standing(r.Context(), acct)
	if err != nil {
		return "", err
	}
	missing := st.Missing()
	for _, m := range missing {
		switch m.Key {
		case "training":
			return "/training/course", nil // the overview's one action is to start the course
		case "hpcaa":
			return m.NextURL, nil
		}
	}
	if len(missing) == 0 && st.ApplicationAccessOpen() == nil {
		status, err := s.app.AccessRequestStatus(r.Context(), acct)
		if err != nil {
			return "", err
		}
		if status == nil || (!status.Request.Open() && status.Request.Status != portal.ARApproved) {
			return "/application/request", nil
		}
	}
	return "/menu", nil
}

// menuPage is the main menu: one tile per step of the journey.
type menuPage struct {
	Page
	Attention int
	Steps     []portal.Step
	Pending   []app.PendingItem // the person's requests waiting for someone else
}

func (s *Server) handleMenu(w http.ResponseWriter, r *http.Request) error {
	m, err := s.app.Menu(r.Context(), state(r).account)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "menu.html", menuPage{Page: s.page(r, "Main Menu"), Attention: m.Attention,
		Steps: m.Standing.Steps(), Pending: m.Pending})
}

// usernamePage is "Forgot My Username".
type usernamePage struct{ Page }

func (s *Server) handleUsername(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "account_username.html", usernamePage{Page: s.page(r, "Forgot My Username")})
}

func (s *Server) handleUsernamePost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	if err := s.rateLimit(r, "username-email:"+accountKey(st.account), 5); err != nil {
		return err
	}
	if err := s.app.EmailUsername(r.Context(), st.meta, st.account.ID); err != nil {
		return err
	}
	s.setFlash(r, "We have emailed your username to "+st.account.Email+".")
	http.Redirect(w, r, "/account/username", http.StatusSeeOther)
	return nil
}

// passwordPage is "Reset My Password".
type passwordPage struct {
	Page
	Errors       portal.FieldErrors
	Requirements string
}

func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request) error {
	if s.requireRecentSignIn(w, r, "/account/password") {
		return nil
	}
	return s.render(w, r, http.StatusOK, "account_password.html", passwordPage{Page: s.page(r, "Reset My Password"),
		Requirements: portal.PasswordRequirements})
}

func (s *Server) handlePasswordPost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	if s.requireRecentSignIn(w, r, "/account/password") {
		return nil
	}
	if err := s.rateLimit(r, "password-change:"+accountKey(st.account), 20); err != nil {
		return err
	}
	in := portal.PasswordChangeInput{
		Password:        r.PostFormValue("password"),
		ConfirmPassword: r.PostFormValue("confirm_password"),
		SignedInAt:      st.sess.data.SignedInAt,
		KeepSession:     st.sess.row.IDHash,
	}
	err := s.app.ChangePassword(r.Context(), st.meta, st.account.ID, in)
	if fe, ok := portal.AsFieldErrors(err); ok {
		return s.render(
			w,
			r,
			http.StatusUnprocessableEntity,
			"account_password.html",
			passwordPage{Page: s.page(r, "Reset My Password"),
				Errors: fe, Requirements: portal.PasswordRequirements},
		)
	}
	if err != nil {
		return err
	}
	s.setFlash(r, "Your HxBC password has been changed.")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}

// handleEndOtherSessions signs the person out of every other browser.
func (s *Server) handleEndOtherSessions(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	n, err := s.app.EndOtherSessions(r.Context(), st.meta, st.account.ID, st.sess.row.IDHash)
	if err != nil {
		return err
	}
	switch n {
	case 0:
		s.setFlash(r, "You were not signed in anywhere else. This browser stays signed in.")
	case 1:
		s.setFlash(r, "You are signed out of 1 other browser or device. This browser stays signed in.")
	default:
		s.setFlash(
			r,
			fmt.Sprintf("You are signed out of %d other browsers or devices. This browser stays signed in.", n),
		)
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}

// contactPage is "Update My Information".
type contactPage struct {
	Page
	Form   portal.ContactInput
	Errors portal.FieldErrors
}

func (s *Server) handleContact(w http.ResponseWriter, r *http.Request) error {
	a := state(r).account
	form := portal.ContactInput{PreferredFirstName: a.PreferredFirstName, PreferredLastName: a.PreferredLastName,
		Email: a.Email, Phone: portal.FormatPhone(a.Phone), Mobile: portal.FormatPhone(a.Mobile)}
	return s.render(
		w,
		r,
		http.StatusOK,
		"account_contact.html",
		contactPage{Page: s.page(r, "Update My Information"), Form: form},
	)
}

func (s *Server) handleContactPost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	in := portal.ContactInput{PreferredFirstName: r.PostFormValue("preferred_first_name"),
		PreferredLastName: r.PostFormValue("preferred_last_name"), Email: r.PostFormValue("email"),
		Phone: r.PostFormValue("phone"), Mobile: r.PostFormValue("mobile")}
	err := s.app.UpdateContact(r.Context(), st.meta, st.account.ID, in)
	if fe, ok := portal.AsFieldErrors(err); ok {
		return s.render(
			w,
			r,
			http.StatusUnprocessableEntity,
			"account_contact.html",
			contactPage{Page: s.page(r, "Update My Information"),
				Form: in, Errors: fe},
		)
	}
	if err != nil {
		return err
	}
	if portal.EmailKey(in.Email) != portal.EmailKey(st.account.Email) {
		s.setFlash(
			r,
			"Your information has been updated. Your new email address "+strings.TrimSpace(
				in.Email,
			)+" is not confirmed yet: "+
				"we have sent it a link and a code to confirm it, and told "+st.account.Email+" of the change.",
		)
	} else {
		s.setFlash(r, "Your information has been updated.")
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}

// declarationToken is the token of the declaration link that sent a person
// signed in with the card, but without an account, to the registration
// form; "" when they came another way.
func declarationToken(r *http.Request) string {
	sess := state(r).sess
	if sess == nil {
		return ""
	}
	tok, ok := strings.CutPrefix(safeReturnTo(sess.data.ReturnTo), "/declarations/")
	if !ok || strings.ContainsAny(tok, "/?#") {
		return ""
	}
	return tok
}

// handleRegisterSigner lets the person named to sign a worksite's
// declaration, who came through its emailed link and signed in with the
// card, go on to the declaration with a signer-only account instead of a
// practitioner's HxBC account.
func (s *Server) handleRegisterSigner(w http.ResponseWriter, r *http.Request) error {
	card, ok := s.registrationCard(w, r)
	if !ok {
		return nil
	}
	token := declarationToken(r)
	acct, ws, err := s.app.RegisterSigner(r.Context(), state(r).meta, *card, token)
	if err != nil {
		return err
	}
	sess := state(r).sess
	if _, err := s.rotateSession(w, r, acct.ID, sessionData{Card: card, IDToken: sess.data.IDToken, SignedInAt: sess.data.SignedInAt,
		Flash: "You can now sign the " + portal.DeclarationTitle + " for " + ws.Name + "."}); err != nil {
		return err
	}
	http.Redirect(w, r, "/declarations/"+token, http.StatusSeeOther)
	return nil
}
