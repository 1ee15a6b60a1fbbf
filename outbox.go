package portal

import "time"

// Email is an email in the outbox: queued in the transaction of the change
// it reports, sent by the outbox job.
type Email struct {
	ID            int64
	MessageID     string
	Kind          string
	AccountID     int64
	To            string
	Subject       string
	Text          string
	HTML          string
	Status        string // pending, sent, failed
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        time.Time
	// RedactedText and RedactedHTML are the bodies without the secrets
	// (a link's token, a code) the email carries; "" when it carries none.
	// They replace the bodies once the email is sent or given up.
	RedactedText, RedactedHTML string
}

// EmailFilter selects outbox rows for the development mailbox and tests.
type EmailFilter struct {
	To    string // exact address, any case
	Kind  string
	Limit int
}
