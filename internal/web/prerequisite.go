package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// prerequisiteRoutes registers the Privacy & Security training and HPCAA pages.
func (s *Server) prerequisiteRoutes(handle func(pattern string, h handler)) {
	acct := s.requireAccount
	handle("GET /training", acct(s.handleTraining))
	handle("GET /training/course", acct(s.handleTraining))
	handle("POST /training/quiz", acct(s.handleTrainingQuizPost))
	handle("GET /training/certificate", acct(s.handleTrainingCertificate))
	handle("GET /agreement", acct(s.handleAgreement))
	handle("POST /agreement", acct(s.handleAgreementPost))
	handle("GET /agreement/copy", acct(s.handleAgreementCopy))
}

// longDate shows a date in full, B.C. time, for certificates and signed copies.
func longDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(portal.Pacific()).Format("January 2, 2006")
}

// prereqState is a prerequisite's status as the pages word it.
type prereqState struct {
	Done           bool
	Outdated       bool
	Version        string // the version in force
	CompletedOn    string // of the version in force
	EarlierVersion string // the latest earlier version completed, when outdated
	EarlierOn      string
}

func newPrereqState(st *app.PrerequisiteStatus) prereqState {
	out := prereqState{Done: st.Done, Outdated: st.Outdated, Version: st.Version}
	if st.Current != nil {
		out.CompletedOn = formatDate(st.Current.CompletedAt)
	}
	if st.Outdated && st.Latest != nil {
		out.EarlierVersion, out.EarlierOn = st.Latest.Version, formatDate(st.Latest.CompletedAt)
	}
	return out
}

// handleTraining is the training in one page: where the person stands,
// the course and its quiz. /training/course is the same page.
func (s *Server) handleTraining(w http.ResponseWriter, r *http.Request) error {
	st, err := s.app.TrainingStatus(r.Context(), state(r).account)
	if err != nil {
		return err
	}
	page := newCoursePage(s.page(r, portal.TrainingTitle), nil, nil)
	status := newPrereqState(st)
	page.Status = &status
	return s.render(w, r, http.StatusOK, "training_course.html", page)
}

// quizQuestion is one question of the quiz form, with the answer given.
type quizQuestion struct {
	ID          string
	Number      int
	Text        string
	Options     []string
	Selected    int // -1 when none
	Wrong       bool
	Unanswered  bool
	Explanation string
}

// trainingCoursePage is the course and its quiz, and after a failed
// attempt the quiz marked.
type trainingCoursePage struct {
	Page
	CourseTitle string
	Version     string
	Modules     []portal.TrainingModule
	Questions   []quizQuestion
	PassMark    int
	Result      *app.QuizResult
	Missed      []quizQuestion
	Status      *prereqState // where the person stands; not shown again with a marked quiz
}

func newCoursePage(p Page, answers map[string]int, result *app.QuizResult) trainingCoursePage {
	page := trainingCoursePage{Page: p, CourseTitle: portal.TrainingTitle, Version: portal.TrainingVersion,
		Modules: portal.TrainingModules, PassMark: portal.TrainingPassMark, Result: result}
	for i, q := range portal.TrainingQuiz {
		qq := quizQuestion{
			ID:          q.ID,
			Number:      i + 1,
			Text:        q.Text,
			Options:     q.Options,
			Selected:    -1,
			Explanation: q.Explanation,
		}
		if a, ok := answers[q.ID]; ok && a >= 0 && a < len(q.Options) {
			qq.Selected = a
		}
		if result != nil {
			qq.Wrong = slices.Contains(result.Wrong, q.ID)
			qq.Unanswered = slices.Contains(result.Unanswered, q.ID)
		}
		page.Questions = append(page.Questions, qq)
		if qq.Wrong {
			page.Missed = append(page.Missed, qq)
		}
	}
	return page
}

func (s *Server) handleTrainingQuizPost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	answers := map[string]int{}
	for _, q := range portal.TrainingQuiz {
		if n, err := strconv.Atoi(r.PostFormValue(q.ID)); err == nil {
			answers[q.ID] = n
		}
	}
	result, err := s.app.SubmitQuiz(r.Context(), st.meta, st.account, answers)
	if err != nil {
		return err
	}
	if !result.Passed {
		return s.render(w, r, http.StatusUnprocessableEntity, "training_course.html",
			newCoursePage(s.page(r, portal.TrainingTitle), answers, result))
	}
	s.setFlash(
		r,
		fmt.Sprintf("Well done: you passed the quiz with %d%% and completed the %s. Your certificate is below.",
			result.Score, portal.TrainingTitle),
	)
	http.Redirect(w, r, "/training/certificate", http.StatusSeeOther)
	return nil
}

// trainingCertificatePage is the printable certificate of completion.
type trainingCertificatePage struct {
	Page
	Name        string
	Username    string
	CourseTitle string
	Version     string
	Date        string
	Score       int
	PassMark    int
	External    bool
	Next        string // the next step's page, offered first
	NextLabel   string
}

func (s *Server) handleTrainingCertificate(w http.ResponseWriter, r *http.Request) error {
	acct := state(r).account
	st, err := s.app.TrainingStatus(r.Context(), acct)
	if err != nil {
		return err
	}
	if !st.Done {
		s.setFlash(r, "There is no certificate yet: complete the current version of the training first.")
		http.Redirect(w, r, "/training", http.StatusSeeOther)
		return nil
	}
	c := st.Current
	page := trainingCertificatePage{
		Page: s.page(r, "Certificate of completion"), Name: acct.LegalName(), Username: acct.QualifiedUsername(),
		CourseTitle: portal.TrainingTitle, Version: c.Version, Date: longDate(c.CompletedAt), Score: c.Score,
		PassMark: portal.TrainingPassMark, External: c.Source == portal.CompletionSourceExternal}
	next, err := s.nextStepURL(r, acct)
	if err != nil {
		return err
	}
	switch next {
	case "/agreement":
		page.Next, page.NextLabel = next, "Next: sign the agreement (HPCAA)"
	case "/application/request":
		page.Next, page.NextLabel = next, "Next: request CareConnect access"
	}
	return s.render(w, r, http.StatusOK, "training_certificate.html", page)
}

// agreementPage shows the HPCAA, where the person stands, and the signing form.
type agreementPage struct {
	Page
	AgreementTitle string
	Version        string
	Clauses        []string
	Required       bool
	OnBehalfOf     bool // works under an authorizer's agreement
	Status         prereqState
	LegalName      string
	FullName       string
	Agree          bool
	Errors         portal.FieldErrors
}

func (s *Server) agreementPage(r *http.Request, st *app.PrerequisiteStatus) agreementPage {
	acct := state(r).account
	return agreementPage{
		Page:           s.page(r, portal.HPCAATitle),
		AgreementTitle: portal.HPCAATitle,
		Version:        portal.HPCAAVersion,
		Clauses:        portal.HPCAAClauses,
		Required:       st.Required,
		OnBehalfOf:     acct.UserType() == portal.UserOnBehalfOf,
		Status:         newPrereqState(st),
		LegalName:      acct.LegalName(),
	}
}

func (s *Server) handleAgreement(w http.ResponseWriter, r *http.Request) error {
	st, err := s.app.HPCAAStatus(r.Context(), state(r).account)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "agreement.html", s.agreementPage(r, st))
}

func (s *Server) handleAgreementPost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	sig := portal.HPCAASignature{FullName: r.PostFormValue("full_name"), Agree: r.PostFormValue("agree") == "yes"}
	c, err := s.app.SignHPCAA(r.Context(), st.meta, st.account, sig)
	if fe, ok := portal.AsFieldErrors(err); ok {
		status, serr := s.app.HPCAAStatus(r.Context(), st.account)
		if serr != nil {
			return serr
		}
		page := s.agreementPage(r, status)
		page.FullName, page.Agree, page.Errors = sig.FullName, sig.Agree, fe
		return s.render(w, r, http.StatusUnprocessableEntity, "agreement.html", page)
	}
	if err != nil {
		return err
	}
	// With everything else done, the signature leads to the request form.
	next, err := s.nextStepURL(r, st.account)
	if err != nil {
		return err
	}
	if next == "/application/request" {
		s.setFlash(
			r,
			fmt.Sprintf(
				"Thank you. You signed version %s of the %s on %s; your signed copy is under the agreement's step on the menu. You can now request CareConnect access.",
				c.Version,
				portal.HPCAATitle,
				formatDate(c.CompletedAt),
			),
		)
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	s.setFlash(
		r,
		fmt.Sprintf("Thank you. You signed version %s of the %s on %s. Print or save this copy for your records.",
			c.Version, portal.HPCAATitle, formatDate(c.CompletedAt)),
	)
	http.Redirect(w, r, "/agreement/copy", http.StatusSeeOther)
	return nil
}

// agreementCopyPage is a printable copy of the signed agreement.
type agreementCopyPage struct {
	Page
	AgreementTitle string
	Version        string
	Clauses        []string
	SignedName     string
	LegalName      string
	Username       string
	Profession     string
	Date           string
}

func (s *Server) handleAgreementCopy(w http.ResponseWriter, r *http.Request) error {
	acct := state(r).account
	st, err := s.app.HPCAAStatus(r.Context(), acct)
	if err != nil {
		return err
	}
	if !st.Done {
		msg := "You have not signed the current version of the agreement yet."
		if st.Outdated {
			msg = fmt.Sprintf(
				"You signed version %s, which has been replaced. Read and sign version %s below; you can then print a copy.",
				st.Latest.Version,
				st.Version,
			)
		}
		s.setFlash(r, msg)
		http.Redirect(w, r, "/agreement", http.StatusSeeOther)
		return nil
	}
	c := st.Current
	return s.render(
		w,
		r,
		http.StatusOK,
		"agreement_copy.html",
		agreementCopyPage{Page: s.page(r, portal.HPCAATitle+": your signed copy"),
			AgreementTitle: portal.HPCAATitle, Version: c.Version, Clauses: portal.HPCAAClauses, SignedName: c.SignedName,
			LegalName: acct.LegalName(), Username: acct.QualifiedUsername(), Profession: acct.ProfessionLabel(),
			Date: longDate(c.CompletedAt)},
	)
}
