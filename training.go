package portal

import "time"

// TrainingVersion is the current Privacy & Security training. Changing a
// module or the quiz means a new version, and everyone takes it again.
const TrainingVersion = "2026.1"

// TrainingTitle names the training.
const TrainingTitle = "Privacy & Security Training for Community Care Providers"

// TrainingPassMark is the lowest quiz score, in percent, that passes.
const TrainingPassMark = 80

// TrainingModule is one part of the training: a title and short paragraphs.
type TrainingModule struct {
	Title      string
	Paragraphs []string
}

// TrainingModules is the course, read in this order before the quiz.
var TrainingModules = []TrainingModule{
	{
		Title: "Personal health information in British Columbia",
		Paragraphs: []string{
			"Personal health information is anything recorded about an identifiable person's health or health care: a diagnosis, a lab value, a prescription, an appointment time, even the fact that someone is a patient at your clinic. A name is not needed for information to be identifiable; a personal health number, a date of birth with a postal code, or a photograph can be enough.",
			"In B.C., private clinics and pharmacies are bound by the Personal Information Protection Act; health authorities and the Ministry of Health by the Freedom of Information and Protection of Privacy Act. The records you see in CareConnect come from these public bodies, and the Ministry's designation orders set which professions may see which kinds of records. The rules travel with the information into your clinic.",
			"Information is collected for a purpose, and that purpose limits its use. Records in CareConnect are there so that the people caring for a patient have what they need to treat them safely. Using them for anything else, however well meant, needs a separate legal authority that your CareConnect access does not give you.",
			"Patients trust that their information stays inside their circle of care. Talk about patients only where others cannot overhear, turn screens away from waiting areas, and keep printouts out of sight. Print from CareConnect only when the chart truly needs a copy, and shred what you no longer need.",
			"Patients have the right to ask for their own records and to ask who has looked at them. Do not read out or print CareConnect records for a patient on request; refer them to your clinic's privacy lead, who will help them ask the organisation that holds the record.",
		},
	},
	{
		Title: "Need to know and least privilege",
		Paragraphs: []string{
			"Open a patient's record only when you have a part in that patient's care right now, and read only what that part requires. A booked appointment, a referral you are acting on, a telephone call about the patient or a result you were asked to follow up are examples of a need to know.",
			"What you can see follows your profession and role. A social worker sees fewer kinds of records than a physician, and a pharmacist does not see PharmaNet through CareConnect. If your work needs something you cannot see, ask the CareConnect team; never borrow a colleague's sign-in.",
			"A medical office assistant or other on-behalf-of user sees what their authorizer sees, but only to carry out tasks the authorizer has given them, such as preparing charts for tomorrow's appointments or finding a discharge summary the physician asked for.",
			"Curiosity is not a need to know. Do not look up yourself, family members, friends, co-workers, neighbours or people in the news, even if they asked you to. They can ask their own care provider, or request their records from the organisation that holds them.",
			"When your role changes or you stop working at a worksite, tell your site administrator the same day so that your access follows. Access that nobody needs is a risk even if nobody uses it.",
		},
	},
	{
		Title: "Every access is recorded and audited",
		Paragraphs: []string{
			"CareConnect records every search and every record you open: your username, the date and time, the patient, what you looked at and the worksite you were working from. The record cannot be edited or deleted by users or clinics.",
			"Access is audited routinely and when something looks wrong. Audits include random samples, searches for patients who share your surname or address, records opened with no visit or referral at your clinic, and requests from patients who want to know who looked at their record.",
			"In an audit you may be asked why you opened a record. A good answer names the care you were providing and when: the appointment, the referral, the call. Your clinic's booking and chart notes are usually the evidence, so keep them complete.",
			"Access that cannot be explained is treated as a privacy breach. Your access may be suspended while it is looked into, and the findings may be shared with your employer, your regulatory college and the patient.",
			"Because the log shows your username, everything done under your sign-in is attributed to you. Lock your screen whenever you step away (Windows key + L), never let anyone work in your session, and sign out at the end of the day.",
		},
	},
	{
		Title: "Recognising and reporting a privacy breach",
		Paragraphs: []string{
			"A privacy breach is any access to, use, disclosure or disposal of personal information that the rules do not allow, whether on purpose or by accident. Common examples: opening the wrong patient's record and reading on, a fax or email sent to the wrong recipient, a printout left at the front desk, a lost phone or laptop with CareConnect open, or someone else using your password.",
			"Suspicions count too. If you think someone has seen your password, a device may have been lost, or a colleague is looking at records they should not, report it; you do not need proof.",
			"Act at once: contain the breach (close the record, get the paper back, ask the wrong recipient to delete the message, change your password), then report it to your clinic's privacy lead and to the CareConnect team. Do not investigate on your own and do not delete anything that shows what happened.",
			"Write down what happened, when, which patients were involved and who has been told. The CareConnect team assesses the breach with your clinic, decides whether patients and other organisations must be notified, and helps prevent it from happening again.",
			"Report your own mistakes as well. A quick report limits the harm to the patient; a hidden breach that an audit later finds is treated far more seriously than the mistake itself.",
		},
	},
}

// QuizQuestion is one multiple-choice question; Answer is the index of the
// right option.
type QuizQuestion struct {
	ID          string
	Text        string
	Options     []string
	Answer      int
	Explanation string
}

// TrainingQuiz follows the modules. Question IDs are stable within a
// version; answers are submitted by ID.
var TrainingQuiz = []QuizQuestion{
	{
		ID:   "q1",
		Text: "Which of these is personal health information?",
		Options: []string{
			"Only a patient's diagnosis",
			"Anything recorded about an identifiable person's health or care, including the fact that they are a patient at your clinic",
			"Only information that includes the patient's name",
			"Only information stored in CareConnect",
		},
		Answer:      1,
		Explanation: "Any recorded detail about an identifiable person's health or care counts, with or without a name.",
	},
	{
		ID:   "q2",
		Text: "A patient booked for tomorrow afternoon has had a hospital stay. When may the physician's medical office assistant open the patient's record in CareConnect?",
		Options: []string{
			"Any time, since the patient belongs to the clinic",
			"Only after the appointment",
			"When preparing the chart for the appointment, as the physician asked, looking only at what the task needs",
			"Never; medical office assistants cannot see CareConnect",
		},
		Answer:      2,
		Explanation: "An on-behalf-of user works on tasks the authorizer gives them, and reads only what the task needs.",
	},
	{
		ID:   "q3",
		Text: "Your neighbour asks you to look up her latest blood test results because her doctor has not called back. What do you do?",
		Options: []string{
			"Look them up, since she gave permission",
			"Decline, and suggest she contacts her own care provider or asks for her records",
			"Look them up but do not print them",
			"Ask a colleague to look them up instead",
		},
		Answer:      1,
		Explanation: "Permission does not create a need to know; you are not caring for her.",
	},
	{
		ID:   "q4",
		Text: "Which of these does CareConnect record each time you open a patient's record?",
		Options: []string{
			"Nothing; only changes to a record are recorded",
			"Only the date",
			"Your username, the time, the patient, what you looked at and your worksite",
			"Only the patient's name",
		},
		Answer:      2,
		Explanation: "Every search and every view is recorded, with who, when, what and from where.",
	},
	{
		ID:   "q5",
		Text: "An auditor asks why you opened a patient's record three weeks ago. What is the best answer?",
		Options: []string{
			"\"I don't remember, but I had access.\"",
			"\"I was checking our system was working.\"",
			"\"The patient had an appointment with Dr. Singh that morning, and I prepared the chart for it.\"",
			"\"Everyone at the clinic looks at records like that.\"",
		},
		Answer:      2,
		Explanation: "A good explanation names the care and when it was given; clinic bookings and notes back it up.",
	},
	{
		ID:   "q6",
		Text: "You need to step away from your desk for two minutes while CareConnect is open. What should you do?",
		Options: []string{
			"Ask a colleague to keep an eye on the screen",
			"Lock the screen",
			"Nothing; two minutes is too short to matter",
			"Turn off the monitor",
		},
		Answer:      1,
		Explanation: "Anything done in your session is recorded under your username; lock the screen every time.",
	},
	{
		ID:   "q7",
		Text: "A colleague's CareConnect access has not been set up yet and they ask to use your sign-in for the day. What do you do?",
		Options: []string{
			"Let them, if they promise to be careful",
			"Sign in for them and let them use your session",
			"Refuse; they must wait for their own access",
			"Let them, if the site administrator agrees",
		},
		Answer:      2,
		Explanation: "Sign-ins are never shared, not even with the site administrator's agreement.",
	},
	{
		ID:   "q8",
		Text: "You faxed a CareConnect discharge summary to the wrong clinic. What comes first?",
		Options: []string{
			"Contain it: call the clinic, ask them to destroy the fax, then report to your privacy lead and the CareConnect team",
			"Do nothing unless the patient complains",
			"Report it at the next staff meeting",
			"Fax it again to the right clinic and forget the first one",
		},
		Answer:      0,
		Explanation: "Contain the breach straight away, then report it; a quick report limits the harm.",
	},
	{
		ID:   "q9",
		Text: "You suspect someone saw you type your password, but you have no proof. Should you report it?",
		Options: []string{
			"No, not without proof",
			"Yes: change your password and report the suspicion",
			"Only if your account is later used by someone else",
			"Only if it happens twice",
		},
		Answer:      1,
		Explanation: "Suspected breaches are reported too; you do not need proof.",
	},
	{
		ID:   "q10",
		Text: "Your clinic wants to use CareConnect records to count how many of its patients had a certain test last year. Is that allowed under your CareConnect access?",
		Options: []string{
			"Yes, because it improves quality of care",
			"Yes, if the results are anonymised",
			"No; CareConnect access is for direct care of individual patients, not quality improvement or research",
			"Yes, if only the physician does it",
		},
		Answer:      2,
		Explanation: "Quality improvement, quality assurance and research are secondary uses that CareConnect access does not cover.",
	},
}

// GradeQuiz scores answers given by question ID. Every question counts;
// an unanswered question, or an answer outside its options, is wrong and
// is listed in missing, in quiz order. The score is rounded down, and a
// quiz with missing answers is not passed whatever the score.
func GradeQuiz(answers map[string]int) (scorePercent int, passed bool, missing []string) {
	if len(TrainingQuiz) == 0 {
		return 0, false, nil
	}
	right := 0
	for _, q := range TrainingQuiz {
		a, ok := answers[q.ID]
		switch {
		case !ok || a < 0 || a >= len(q.Options):
			missing = append(missing, q.ID)
		case a == q.Answer:
			right++
		}
	}
	scorePercent = right * 100 / len(TrainingQuiz)
	return scorePercent, len(missing) == 0 && scorePercent >= TrainingPassMark, missing
}

// PendingTrainingCredit is an external training completion recorded for an
// address that its account had not confirmed: it is credited to the account
// whose owner confirms the address.
type PendingTrainingCredit struct {
	ID          int64
	Email       string
	Version     string
	CompletedAt time.Time
	RecordedBy  string
	CreatedAt   time.Time
}
