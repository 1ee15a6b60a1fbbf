package mail

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS modes for SMTPConfig.TLS.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which is required
	TLSImplicit = "tls"      // TLS from the first byte
	TLSNone     = "none"     // no encryption; authentication only to a loopback host
)

// SMTPConfig configures an SMTPMailer.
type SMTPConfig struct {
	Host string
	// Port defaults to 587 for "starttls", 465 for "tls" and 25 for "none".
	Port     int
	Username string // when set, SMTP AUTH PLAIN is used
	Password string
	// TLS is "starttls" (the default), "tls" (implicit) or "none".
	TLS string
	// From is the default sender, used when a Message has no From.
	From string
	// HeloName is the name sent with EHLO; empty lets the library choose.
	HeloName string
	// Timeout bounds connecting and each command; it defaults to 15 seconds.
	Timeout time.Duration
	// TLSConfig overrides the TLS settings, for example to trust a private
	// certificate authority. Nil verifies the server against the system roots.
	TLSConfig *tls.Config
}

// SMTPMailer delivers messages through an SMTP relay, using a fresh
// connection for every message.
type SMTPMailer struct {
	cfg SMTPConfig
}

const defaultSMTPTimeout = 15 * time.Second

// NewSMTPMailer checks cfg and returns a mailer for it. It refuses to send
// credentials over an unencrypted connection unless the host is a loopback
// address.
func NewSMTPMailer(cfg SMTPConfig) (*SMTPMailer, error) {
	cfg.Host = strings.TrimSpace(cfg.Host)
	if cfg.Host == "" {
		return nil, fmt.Errorf("mail: SMTP host is required")
	}
	cfg.TLS = strings.ToLower(strings.TrimSpace(cfg.TLS))
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	switch cfg.TLS {
	case TLSStartTLS:
		if cfg.Port == 0 {
			cfg.Port = 587
		}
	case TLSImplicit:
		if cfg.Port == 0 {
			cfg.Port = 465
		}
	case TLSNone:
		if cfg.Port == 0 {
			cfg.Port = 25
		}
	default:
		return nil, fmt.Errorf("mail: unknown SMTP TLS mode %q (want starttls, tls or none)", cfg.TLS)
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("mail: SMTP port %d out of range", cfg.Port)
	}
	if cfg.Username != "" && cfg.TLS == TLSNone && !isLoopback(cfg.Host) {
		return nil, fmt.Errorf("mail: refusing SMTP authentication without TLS to non-loopback host %q", cfg.Host)
	}
	if cfg.From == "" {
		return nil, fmt.Errorf("mail: sender address is required")
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("%w: sender %q: %v", ErrInvalidAddress, cfg.From, err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultSMTPTimeout
	}
	s := &SMTPMailer{cfg: cfg}
	if _, err := s.client(); err != nil {
		return nil, err
	}
	return s, nil
}

// client builds a go-mail client for one delivery.
func (s *SMTPMailer) client() (*gomail.Client, error) {
	cfg := s.cfg
	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTimeout(cfg.Timeout),
	}
	if cfg.HeloName != "" {
		opts = append(opts, gomail.WithHELO(cfg.HeloName))
	}
	tlsConfig := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		tlsConfig = cfg.TLSConfig.Clone()
		if tlsConfig.ServerName == "" {
			tlsConfig.ServerName = cfg.Host
		}
	}
	switch cfg.TLS {
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithTLSConfig(tlsConfig))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL(), gomail.WithTLSConfig(tlsConfig))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if cfg.Username != "" {
		auth := gomail.SMTPAuthPlain // go-mail itself refuses PLAIN without TLS
		if cfg.TLS == TLSNone {
			// NewSMTPMailer has checked that the host is a loopback address.
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts,
			gomail.WithSMTPAuth(auth),
			gomail.WithUsername(cfg.Username),
			gomail.WithPassword(cfg.Password),
		)
	}
	c, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP client: %w", err)
	}
	return c, nil
}

// Send delivers m: a plain-text body, with an HTML alternative when m.HTML
// is set, under m.MessageID.
func (s *SMTPMailer) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail: SMTP %s:%d: %w", s.cfg.Host, s.cfg.Port, err)
	}
	return nil
}

// build turns m into a go-mail message.
func (s *SMTPMailer) build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	from := m.From
	if from == "" {
		from = s.cfg.From
	}
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("%w: sender: %v", ErrInvalidAddress, err)
	}
	msg.FromMailAddress(fromAddr)
	toAddr, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("%w: recipient: %v", ErrInvalidAddress, err)
	}
	msg.ToMailAddress(toAddr)

	id := m.MessageID
	if id == "" {
		id = NewMessageID(domainOf(fromAddr.Address))
	}
	if !validMessageID(id) {
		return nil, fmt.Errorf("%w: malformed Message-ID", ErrInvalidMessage)
	}
	msg.SetMessageIDWithValue(strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">"))
	msg.SetDate()
	msg.Subject(oneLine(m.Subject))
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// validMessageID reports whether id has the shape "<left@right>" with no
// spaces or control characters.
func validMessageID(id string) bool {
	if len(id) < 5 || len(id) > 250 || id[0] != '<' || id[len(id)-1] != '>' {
		return false
	}
	inner := id[1 : len(id)-1]
	at := strings.IndexByte(inner, '@')
	if at <= 0 || at == len(inner)-1 || strings.Count(inner, "@") != 1 {
		return false
	}
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		if c <= ' ' || c >= 0x7f || c == '<' || c == '>' {
			return false
		}
	}
	return true
}

// oneLine collapses all runs of white space, line breaks included, to single
// spaces so a value is safe in a header.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// domainOf returns the lower-cased domain of an address, or "" when there is
// none. It accepts both "a@b" and "Name <a@b>".
func domainOf(addr string) string {
	if a, err := mail.ParseAddress(addr); err == nil {
		addr = a.Address
	}
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(strings.Trim(addr[i+1:], " >"))
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// parseAddr returns the bare address of "a@b" or "Name <a@b>".
func parseAddr(s string) (string, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", err
	}
	return a.Address, nil
}
