package portal

import (
	"bufio"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/secret"
)

// The audit chain's hashes catch a row edited or deleted behind the
// portal's back, but whoever can write the table can also recompute every
// hash after an edit, or delete the last rows and move the head back. Two
// things held outside the database stop that:
//
//   - an audit key: every row written while one is configured carries an
//     HMAC-SHA256 of its hash (and the head one of itself), which nobody
//     without the key can recompute;
//   - signed checkpoints: the head's sequence number and hash signed with
//     an ed25519 key and shipped elsewhere, so a later chain must still hold
//     that row with that hash.

// AuditKeyMinBytes is the shortest audit key accepted.
const AuditKeyMinBytes = 32

// AuditKey is the secret that keys the audit chain. It is never stored in
// the database; rows name it by ID.
type AuditKey struct {
	ID     string // 16 hex digits derived from the secret, shown in each keyed row
	secret []byte
}

// NewAuditKey returns the key of a secret of at least AuditKeyMinBytes.
func NewAuditKey(secret []byte) (*AuditKey, error) {
	if len(secret) < AuditKeyMinBytes {
		return nil, fmt.Errorf("an audit key must be at least %d bytes, this one is %d", AuditKeyMinBytes, len(secret))
	}
	sum := sha256.Sum256(append([]byte("portal audit key id\n"), secret...))
	return &AuditKey{ID: hex.EncodeToString(sum[:8]), secret: append([]byte(nil), secret...)}, nil
}

// ParseAuditKey reads an audit key file: the secret in hex (what `portal
// audit keygen` and `openssl rand -hex 32` write), surrounding space ignored.
func ParseAuditKey(text string) (*AuditKey, error) {
	secret, err := hex.DecodeString(strings.TrimSpace(text))
	if err != nil {
		return nil, errors.New("an audit key file holds the key in hexadecimal, e.g. from `portal audit keygen`")
	}
	return NewAuditKey(secret)
}

// GenerateAuditKey returns a new random audit key as the text of its file.
func GenerateAuditKey() string {
	return secret.Hex(AuditKeyMinBytes) + "\n"
}

func (k *AuditKey) mac(parts ...string) string {
	m := hmac.New(sha256.New, k.secret)
	for _, p := range parts {
		m.Write([]byte(strconv.Itoa(len(p))))
		m.Write([]byte{':'})
		m.Write([]byte(p))
		m.Write([]byte{'\n'})
	}
	return hex.EncodeToString(m.Sum(nil))
}

// RowMAC is the MAC of a row: over its hash, which covers its content and
// the hash of the row before.
func (k *AuditKey) RowMAC(e *AuditEvent) string { return k.mac("portal audit row v1", k.ID, e.Hash) }

// HeadMAC is the MAC of the chain's head, so the head cannot be moved back
// over deleted rows without the key.
func (k *AuditKey) HeadMAC(seq int64, hash string) string {
	return k.mac("portal audit head v1", k.ID, strconv.FormatInt(seq, 10), hash)
}

// AuditCheckpoint is a signed statement that the audit chain's row Seq had
// Hash at Time. Checkpoint files hold one JSON object a line.
type AuditCheckpoint struct {
	Seq       int64     `json:"seq"`
	Hash      string    `json:"hash"`
	Time      time.Time `json:"time"`
	Key       string    `json:"key"` // names the signing key: 16 hex digits of the SHA-256 of its public key
	Signature string    `json:"sig"` // ed25519, base64
	Line      int       `json:"-"`   // where it was read, for messages
}

func (c *AuditCheckpoint) message() []byte {
	return []byte("portal audit checkpoint v1\n" + strconv.FormatInt(c.Seq, 10) + "\n" + c.Hash + "\n" +
		c.Time.UTC().Format(time.RFC3339Nano) + "\n")
}

// CheckpointKeyID names a checkpoint signing key by its public key.
func CheckpointKeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// SignCheckpoint signs the head (seq, hash) at time at.
func SignCheckpoint(key ed25519.PrivateKey, seq int64, hash string, at time.Time) AuditCheckpoint {
	c := AuditCheckpoint{Seq: seq, Hash: hash, Time: at.UTC().Truncate(time.Millisecond),
		Key: CheckpointKeyID(key.Public().(ed25519.PublicKey))}
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, c.message()))
	return c
}

// Verify reports whether the checkpoint is signed by pub.
func (c *AuditCheckpoint) Verify(pub ed25519.PublicKey) bool {
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	return err == nil && ed25519.Verify(pub, c.message(), sig)
}

// MarshalLine returns the checkpoint as one line of a checkpoint file.
func (c AuditCheckpoint) MarshalLine() []byte {
	b, _ := json.Marshal(c)
	return append(b, '\n')
}

// ParseCheckpoints reads a checkpoint file; blank lines are skipped.
func ParseCheckpoints(r io.Reader) ([]AuditCheckpoint, error) {
	var out []AuditCheckpoint
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var c AuditCheckpoint
		if err := json.Unmarshal([]byte(line), &c); err != nil || c.Signature == "" {
			return nil, fmt.Errorf("checkpoint line %d is not a checkpoint", n)
		}
		c.Line = n
		out = append(out, c)
	}
	return out, sc.Err()
}

// GenerateCheckpointKey returns a new ed25519 signing key as PEM: the
// private key (PKCS #8) and its public key (PKIX), as openssl writes them.
func GenerateCheckpointKey() (private, public []byte) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	p8, _ := x509.MarshalPKCS8PrivateKey(priv)
	pk, _ := x509.MarshalPKIXPublicKey(pub)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY",
		Bytes: p8}), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pk})
}

// ParseCheckpointSigningKey reads an ed25519 private key in PEM (PKCS #8).
func ParseCheckpointSigningKey(text []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(text)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New(
			"a checkpoint signing key is an ed25519 PRIVATE KEY in PEM, e.g. from `portal audit keygen -kind signing`",
		)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	priv, ok := k.(ed25519.PrivateKey)
	if err != nil || !ok {
		return nil, errors.New("the checkpoint signing key is not an ed25519 key")
	}
	return priv, nil
}

// ParseCheckpointPublicKey reads the key checkpoints are verified with: an
// ed25519 PUBLIC KEY in PEM, or the private key it belongs to.
func ParseCheckpointPublicKey(text []byte) (ed25519.PublicKey, error) {
	block, _ := pem.Decode(text)
	if block != nil && block.Type == "PUBLIC KEY" {
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if pub, ok := k.(ed25519.PublicKey); err == nil && ok {
			return pub, nil
		}
		return nil, errors.New("the checkpoint public key is not an ed25519 key")
	}
	priv, err := ParseCheckpointSigningKey(text)
	if err != nil {
		return nil, errors.New(
			"a checkpoint public key is an ed25519 PUBLIC KEY in PEM (the .pub file `portal audit keygen -kind signing` writes)",
		)
	}
	return priv.Public().(ed25519.PublicKey), nil
}
