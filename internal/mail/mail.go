// Package mail renders and delivers the portal's transactional emails.
//
// Emails are never sent inline with a request. The change that causes an
// email writes a row to the outbox table in the same transaction; a Worker
// later claims due rows, hands them to a Mailer and records the outcome, so
// an email is sent if and only if its change was committed.
package mail

import (
	"context"
	"errors"
	"net/textproto"
	"strings"

	"github.com/bcgov-example/careconnect-portal/internal/secret"

	gomail "github.com/wneessen/go-mail"
)

// Message is one email as stored in the outbox.
type Message struct {
	// ID is the outbox row id.
	ID int64
	// MessageID is the RFC 5322 Message-ID, angle brackets included. It is
	// fixed when the row is written, so every retry carries the same id and
	// receiving systems can recognise duplicates.
	MessageID string
	// From is the sender address; empty means the mailer's default sender.
	From    string
	To      string
	Subject string
	Text    string
	HTML    string
	// Attempts is the number of earlier delivery attempts.
	Attempts int
}

// Mailer delivers one message.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// DevMailer delivers nothing. In development mode the outbox rows themselves
// are the mailbox and a page of the portal shows them.
type DevMailer struct{}

// Send does nothing and returns nil.
func (DevMailer) Send(context.Context, Message) error { return nil }

// Errors returned for messages that can never be delivered as they stand.
var (
	// ErrInvalidAddress reports a malformed sender or recipient address.
	ErrInvalidAddress = errors.New("mail: invalid address")
	// ErrInvalidMessage reports a message that is malformed in another way,
	// such as an unusable Message-ID.
	ErrInvalidMessage = errors.New("mail: invalid message")
)

// NewMessageID returns a fresh Message-ID of the form "<hex@domain>" built
// from 16 random bytes. An empty domain is replaced by "localhost".
func NewMessageID(domain string) string {
	domain = strings.TrimSpace(domain)
	if domain == "" {
		domain = "localhost"
	}
	return "<" + secret.Hex(16) + "@" + domain + ">"
}

// Permanent reports whether err means the message can never be delivered as
// it stands, so retrying is pointless: a 5xx reply from the SMTP server to
// the message's MAIL FROM, RCPT TO or DATA, or a malformed address or
// message. Temporary (4xx) replies, network failures, timeouts and errors
// while connecting or authenticating are not permanent: they describe the
// relay rather than the message, and the email is retried.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalidAddress) || errors.Is(err, ErrInvalidMessage) {
		return true
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		switch se.Reason {
		case gomail.ErrGetSender, gomail.ErrGetRcpts:
			return true // the addresses could not be parsed
		case gomail.ErrConnCheck, gomail.ErrSMTPReset:
			return false // the connection, not the message
		}
		if se.IsTemp() {
			return false
		}
		code := se.ErrorCode()
		return code >= 500 && code <= 599
	}
	return false
}

// smtpCode returns the reply code of the first SMTP protocol error in err's
// chain, or 0.
func smtpCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.ErrorCode()
	}
	return 0
}
