package mail

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message as the test SMTP server saw it.
type received struct {
	From  string
	Rcpts []string
	Data  []byte
	User  string // authenticated user, if any
	Pass  string
	TLS   bool
}

// testBackend is an in-process SMTP server that records what it receives.
type testBackend struct {
	mu      sync.Mutex
	rcptErr *smtp.SMTPError // returned for every RCPT TO when set
	msgs    []received
}

func (b *testBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &testSession{b: b, tls: isTLS, conn: c}, nil
}

func (b *testBackend) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

type testSession struct {
	b          *testBackend
	conn       *smtp.Conn
	tls        bool
	user, pass string
	cur        received
}

func (s *testSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *testSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		s.user, s.pass = username, password
		return nil
	}), nil
}

func (s *testSession) Mail(from string, _ *smtp.MailOptions) error {
	s.cur = received{From: from}
	return nil
}

func (s *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.b.mu.Lock()
	rcptErr := s.b.rcptErr
	s.b.mu.Unlock()
	if rcptErr != nil {
		return rcptErr
	}
	s.cur.Rcpts = append(s.cur.Rcpts, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = data
	s.cur.User, s.cur.Pass = s.user, s.pass
	_, s.cur.TLS = s.conn.TLSConnectionState()
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, s.cur)
	s.b.mu.Unlock()
	return nil
}

func (s *testSession) Reset()        { s.cur = received{} }
func (s *testSession) Logout() error { return nil }

// startSMTP runs a test SMTP server on 127.0.0.1 and returns its port.
func startSMTP(t *testing.T, be *testBackend, tlsConfig *tls.Config) int {
	t.Helper()
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true // loopback only
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.TLSConfig = tlsConfig
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	return l.Addr().(*net.TCPAddr).Port
}

// selfSigned returns a server certificate for 127.0.0.1 and a pool that
// trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "portal test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

func testMessage() Message {
	return Message{
		ID:        42,
		MessageID: "<outbox-42.7f3a9c@mycareconnect.example>",
		To:        "Dalia Ng <dalia@clinic.example>",
		Subject:   "Your new HxBC account",
		Text:      "Your username is: HXBC\\dalia18\n",
		HTML:      "<p>Your username is: <strong>HXBC\\dalia18</strong></p>\n",
	}
}

// parsed is a received message taken apart.
type parsed struct {
	header    netmail.Header
	subject   string
	text      string
	html      string
	partTypes []string
}

func parseReceived(t *testing.T, data []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, data)
	}
	var p parsed
	p.header = msg.Header
	p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		t.Fatalf("Content-Type = %s, want multipart", mediaType)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = part
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(part)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		p.partTypes = append(p.partTypes, ct)
		switch ct {
		case "text/plain":
			p.text = string(b)
		case "text/html":
			p.html = string(b)
		}
	}
	return p
}

// testMailer returns a mailer to 127.0.0.1:port without TLS, from
// noreply@mycareconnect.example, with edit (if any) applied to its
// configuration first; a configuration error fails the test.
func testMailer(t *testing.T, port int, edit func(*SMTPConfig)) *SMTPMailer {
	t.Helper()
	cfg := SMTPConfig{
		Host: "127.0.0.1", Port: port, TLS: "none",
		From: "noreply@mycareconnect.example", Timeout: 5 * time.Second,
	}
	if edit != nil {
		edit(&cfg)
	}
	m, err := NewSMTPMailer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSMTPMailerSends(t *testing.T) {
	be := &testBackend{}
	port := startSMTP(t, be, nil)
	m := testMailer(t, port, func(c *SMTPConfig) {
		c.From, c.HeloName = "my.CareConnect <noreply@mycareconnect.example>", "portal.test"
	})
	msg := testMessage()
	if err := m.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := be.messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	r := got[0]
	if r.From != "noreply@mycareconnect.example" {
		t.Errorf("MAIL FROM = %q", r.From)
	}
	if len(r.Rcpts) != 1 || r.Rcpts[0] != "dalia@clinic.example" {
		t.Errorf("RCPT TO = %q", r.Rcpts)
	}
	if r.User != "" {
		t.Errorf("authenticated as %q without credentials", r.User)
	}
	p := parseReceived(t, r.Data)
	if id := p.header.Get("Message-ID"); id != msg.MessageID {
		t.Errorf("Message-ID = %q, want %q", id, msg.MessageID)
	}
	if p.subject != msg.Subject {
		t.Errorf("Subject = %q, want %q", p.subject, msg.Subject)
	}
	if to := p.header.Get("To"); !strings.Contains(to, "dalia@clinic.example") {
		t.Errorf("To = %q", to)
	}
	if from := p.header.Get("From"); !strings.Contains(from, "noreply@mycareconnect.example") {
		t.Errorf("From = %q", from)
	}
	if _, err := p.header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if !strings.Contains(p.text, `HXBC\dalia18`) {
		t.Errorf("text part = %q", p.text)
	}
	if !strings.Contains(p.html, `<strong>HXBC\dalia18</strong>`) {
		t.Errorf("html part = %q", p.html)
	}
	if len(p.partTypes) != 2 {
		t.Errorf("parts = %v, want text/plain and text/html", p.partTypes)
	}
}

func TestSMTPMailerAuth(t *testing.T) {
	be := &testBackend{}
	port := startSMTP(t, be, nil)
	m := testMailer(t, port, func(c *SMTPConfig) { c.Username, c.Password = "portal", "s3cret pass" })
	if err := m.Send(context.Background(), testMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := be.messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages", len(got))
	}
	if got[0].User != "portal" || got[0].Pass != "s3cret pass" {
		t.Errorf("credentials = %q/%q", got[0].User, got[0].Pass)
	}
}

func TestSMTPMailerStartTLS(t *testing.T) {
	serverTLS, pool := selfSigned(t)
	be := &testBackend{}
	port := startSMTP(t, be, serverTLS)
	m := testMailer(t, port, func(c *SMTPConfig) {
		c.TLS = "" // defaults to starttls
		c.Username, c.Password = "portal", "s3cret"
		c.TLSConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	})
	if err := m.Send(context.Background(), testMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := be.messages()
	if len(got) != 1 || !got[0].TLS || got[0].User != "portal" {
		t.Fatalf("received %+v, want one message over TLS from portal", got)
	}
}

func TestSMTPMailerRequiresStartTLS(t *testing.T) {
	be := &testBackend{}
	port := startSMTP(t, be, nil) // offers no STARTTLS
	m := testMailer(t, port, func(c *SMTPConfig) { c.TLS = "starttls" })
	err := m.Send(context.Background(), testMessage())
	if err == nil {
		t.Fatal("Send without STARTTLS succeeded")
	}
	if Permanent(err) {
		t.Errorf("Permanent(%v) = true, want false", err)
	}
	if n := len(be.messages()); n != 0 {
		t.Errorf("server received %d messages", n)
	}
}

func TestSMTPMailerRejections(t *testing.T) {
	cases := []struct {
		name      string
		rcptErr   *smtp.SMTPError
		permanent bool
	}{
		{
			"550 no such user",
			&smtp.SMTPError{
				Code:         550,
				EnhancedCode: smtp.EnhancedCode{5, 1, 1},
				Message:      "No such user <dalia@clinic.example>",
			},
			true,
		},
		{
			"451 try later",
			&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"},
			false,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			be := &testBackend{rcptErr: tc.rcptErr}
			port := startSMTP(t, be, nil)
			err := testMailer(t, port, nil).Send(context.Background(), testMessage())
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if got := Permanent(err); got != tc.permanent {
				t.Errorf("Permanent(%v) = %v, want %v", err, got, tc.permanent)
			}
			if got := smtpCode(err); got != tc.rcptErr.Code {
				t.Errorf("smtpCode = %d, want %d", got, tc.rcptErr.Code)
			}
		})
	}
}

func TestSMTPMailerNetworkErrorIsTransient(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close() // nothing listens there now
	m := testMailer(t, port, func(c *SMTPConfig) { c.Timeout = 2 * time.Second })
	err = m.Send(context.Background(), testMessage())
	if err == nil {
		t.Fatal("Send succeeded")
	}
	if Permanent(err) {
		t.Errorf("Permanent(%v) = true, want false", err)
	}
}

func TestSMTPMailerMalformedMessage(t *testing.T) {
	m := testMailer(t, 1, func(c *SMTPConfig) { c.Timeout = 0 }) // never dialled
	for name, msg := range map[string]Message{
		"bad recipient":  {MessageID: "<a@b>", To: "not an address"},
		"two recipients": {MessageID: "<a@b>", To: "a@example.org, b@example.org"},
		"bad sender":     {MessageID: "<a@b>", To: "a@example.org", From: "nobody"},
		"bad message id": {MessageID: "<a b@c>\r\nBcc: x@example.org", To: "a@example.org"},
	} {
		err := m.Send(context.Background(), msg)
		if err == nil {
			t.Errorf("%s: Send succeeded", name)
			continue
		}
		if !Permanent(err) {
			t.Errorf("%s: Permanent(%v) = false, want true", name, err)
		}
	}
}

func TestNewSMTPMailerConfig(t *testing.T) {
	bad := map[string]struct {
		cfg  SMTPConfig
		want string
	}{
		"no host":    {SMTPConfig{From: "a@example.org"}, "SMTP host is required"},
		"no sender":  {SMTPConfig{Host: "smtp.example.org"}, "sender address is required"},
		"bad sender": {SMTPConfig{Host: "smtp.example.org", From: "nobody"}, `sender "nobody"`},
		"unknown tls": {
			SMTPConfig{Host: "smtp.example.org", From: "a@example.org", TLS: "ssl3"},
			`unknown SMTP TLS mode "ssl3"`,
		},
		"auth without tls": {
			SMTPConfig{Host: "smtp.example.org", From: "a@example.org", TLS: "none", Username: "u", Password: "p"},
			"refusing SMTP authentication without TLS",
		},
		"auth without tls (ip)": {
			SMTPConfig{Host: "10.0.0.5", From: "a@example.org", TLS: "none", Username: "u", Password: "p"},
			"refusing SMTP authentication without TLS",
		},
		"bad port": {
			SMTPConfig{Host: "smtp.example.org", From: "a@example.org", Port: 70000},
			"SMTP port 70000 out of range",
		},
	}
	for name, tt := range bad {
		if _, err := NewSMTPMailer(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, tt.want)
		}
	}
	good := map[string]SMTPConfig{
		"defaults": {Host: "smtp.example.org", From: "a@example.org"},
		"implicit tls with auth": {
			Host:     "smtp.example.org",
			From:     "a@example.org",
			TLS:      "tls",
			Username: "u",
			Password: "p",
		},
		"loopback auth":      {Host: "localhost", From: "a@example.org", TLS: "none", Username: "u", Password: "p"},
		"loopback ipv6 auth": {Host: "::1", From: "a@example.org", TLS: "none", Username: "u", Password: "p"},
	}
	for name, cfg := range good {
		if _, err := NewSMTPMailer(cfg); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	m, err := NewSMTPMailer(SMTPConfig{Host: "smtp.example.org", From: "a@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if m.cfg.TLS != TLSStartTLS || m.cfg.Port != 587 || m.cfg.Timeout != defaultSMTPTimeout {
		t.Errorf("defaults = %q port %d timeout %v", m.cfg.TLS, m.cfg.Port, m.cfg.Timeout)
	}
}

func TestPermanent(t *testing.T) {
	if Permanent(nil) {
		t.Error("Permanent(nil)")
	}
	if !Permanent(ErrInvalidAddress) {
		t.Error("invalid address should be permanent")
	}
	if Permanent(context.DeadlineExceeded) || Permanent(errors.New("connection reset")) {
		t.Error("network errors should not be permanent")
	}
}

func TestDevMailer(t *testing.T) {
	var m Mailer = DevMailer{}
	if err := m.Send(context.Background(), testMessage()); err != nil {
		t.Fatal(err)
	}
}

func TestNewMessageID(t *testing.T) {
	a := NewMessageID("mycareconnect.example")
	b := NewMessageID("mycareconnect.example")
	if a == b {
		t.Fatal("two message ids are equal")
	}
	if !validMessageID(a) || !strings.HasSuffix(a, "@mycareconnect.example>") ||
		len(a) != 1+32+1+len("mycareconnect.example")+1 {
		t.Fatalf("NewMessageID = %q", a)
	}
	if id := NewMessageID(""); !validMessageID(id) {
		t.Fatalf("NewMessageID(\"\") = %q", id)
	}
}
