// Package passwd hashes and verifies passwords with argon2id, storing each
// hash in the PHC string format:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// where salt and hash are unpadded standard base64. New hashes use the
// OWASP-recommended parameters below; Verify reads the parameters from the
// stored string, so hashes made with earlier parameters still verify and
// NeedsRehash tells when to store a fresh one.
//
// Each hash takes about 19 MiB of memory and tens of milliseconds of CPU,
// so a Hasher bounds how many run at once.
package passwd

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// The parameters of new hashes (OWASP Password Storage Cheat Sheet,
// argon2id, second configuration).
const (
	Memory  = 19456 // KiB
	Time    = 2     // passes
	Threads = 1     // lanes
	SaltLen = 16    // bytes
	KeyLen  = 32    // bytes
)

// Limits on the parameters Verify accepts from a stored string, so that a
// corrupt or hostile value cannot make a single verification take
// unbounded memory or time.
const (
	maxMemory  = 1 << 20 // KiB (1 GiB)
	maxTime    = 64
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 128
)

var (
	// ErrMalformed is returned by Verify for an encoded hash that is not a
	// well-formed argon2id PHC string within the accepted limits.
	ErrMalformed = errors.New("passwd: malformed password hash")
	// ErrUnsupported is returned by Verify for a well-formed PHC string of
	// another algorithm or argon2 version.
	ErrUnsupported = errors.New("passwd: unsupported password hash")
)

// b64 is the PHC string format's base64: standard alphabet, no padding,
// and no stray bits in the last character.
var b64 = base64.RawStdEncoding.Strict()

// params are the argon2id cost parameters and lengths of one hash.
type params struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
	saltLen int
	keyLen  int
}

var defaultParams = params{memory: Memory, time: Time, threads: Threads, saltLen: SaltLen, keyLen: KeyLen}

// Hasher hashes and verifies passwords, running at most a fixed number of
// hashes at once. It is safe for concurrent use.
type Hasher struct {
	p   params
	sem chan struct{}
}

// NewHasher returns a Hasher that runs at most maxConcurrent hashes at once
// (Hash and Verify calls together), or runtime.NumCPU() when maxConcurrent
// is zero or less. Further calls wait for a free slot or for their context
// to end.
func NewHasher(maxConcurrent int) *Hasher {
	if maxConcurrent <= 0 {
		maxConcurrent = runtime.NumCPU()
	}
	return &Hasher{p: defaultParams, sem: make(chan struct{}, maxConcurrent)}
}

// NewTestHasher returns a Hasher with the smallest cost argon2id allows
// (8 KiB, one pass) and the default bound on hashes at once: for tests,
// which register thousands of people to check what happens around a hash,
// not its strength, which this package's own tests check. Its hashes are
// ordinary PHC strings that any Hasher verifies, as they carry their
// parameters. Only test code calls it; TestNewTestHasherOnlyInTests fails
// when anything else does.
func NewTestHasher() *Hasher {
	h := NewHasher(0)
	h.p.memory, h.p.time = 8, 1
	return h
}

// acquire takes a slot, or returns ctx's error if ctx ends first (or has
// already ended).
func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// derive computes the argon2id key of password in a slot.
func (h *Hasher) derive(ctx context.Context, p params, password string, salt []byte) ([]byte, error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() { <-h.sem }()
	return argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(p.keyLen)), nil
}

// Hash returns the PHC string of password with a new random salt.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.p.saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("passwd: reading salt: %w", err)
	}
	key, err := h.derive(ctx, h.p, password, salt)
	if err != nil {
		return "", err
	}
	return encode(h.p, salt, key), nil
}

// Verify reports whether password matches the PHC string encoded, hashing
// it with the parameters and salt read from encoded. It returns an error
// wrapping ErrMalformed or ErrUnsupported when encoded cannot be read, and
// ctx's error when ctx ends before a slot is free.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (bool, error) {
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false, err
	}
	got, err := h.derive(ctx, p, password, salt)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NeedsRehash reports whether encoded was made with parameters other than
// the ones Hash uses now (or cannot be read), so that after a successful
// Verify the caller should store a fresh hash of the password.
func (h *Hasher) NeedsRehash(encoded string) bool {
	p, _, _, err := decode(encoded)
	return err != nil || p != h.p
}

func encode(p params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decode reads a PHC string made by encode, with any parameters within
// the accepted limits.
func decode(encoded string) (params, []byte, []byte, error) {
	var p params
	fields := strings.Split(encoded, "$")
	if len(fields) < 2 || fields[0] != "" {
		return p, nil, nil, fmt.Errorf("%w: not a PHC string", ErrMalformed)
	}
	if fields[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: algorithm %q", ErrUnsupported, fields[1])
	}
	if len(fields) != 6 {
		return p, nil, nil, fmt.Errorf("%w: want 5 fields, have %d", ErrMalformed, len(fields)-1)
	}
	version, ok := strings.CutPrefix(fields[2], "v=")
	if !ok {
		return p, nil, nil, fmt.Errorf("%w: no version", ErrMalformed)
	}
	v, err := parseDecimal(version, 1<<32-1)
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: version: %v", ErrMalformed, err)
	}
	if v != argon2.Version {
		return p, nil, nil, fmt.Errorf("%w: argon2 version %d", ErrUnsupported, v)
	}

	var m, t, par uint64
	names := []string{"m", "t", "p"}
	dst := []*uint64{&m, &t, &par}
	maxima := []uint64{maxMemory, maxTime, 255}
	parts := strings.Split(fields[3], ",")
	if len(parts) != len(names) {
		return p, nil, nil, fmt.Errorf("%w: want parameters m, t and p", ErrMalformed)
	}
	for i, part := range parts {
		val, ok := strings.CutPrefix(part, names[i]+"=")
		if !ok {
			return p, nil, nil, fmt.Errorf("%w: want parameter %s, have %q", ErrMalformed, names[i], part)
		}
		n, err := parseDecimal(val, maxima[i])
		if err != nil {
			return p, nil, nil, fmt.Errorf("%w: parameter %s: %v", ErrMalformed, names[i], err)
		}
		*dst[i] = n
	}
	if t < 1 || par < 1 || m < 8*par {
		return p, nil, nil, fmt.Errorf("%w: parameters m=%d,t=%d,p=%d out of range", ErrMalformed, m, t, par)
	}

	salt, err := b64.DecodeString(fields[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return p, nil, nil, fmt.Errorf("%w: salt", ErrMalformed)
	}
	key, err := b64.DecodeString(fields[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return p, nil, nil, fmt.Errorf("%w: hash", ErrMalformed)
	}
	p = params{memory: uint32(m), time: uint32(t), threads: uint8(par), saltLen: len(salt), keyLen: len(key)}
	return p, salt, key, nil
}

// parseDecimal reads a decimal number in canonical form (no sign, no
// leading zeros) no greater than maxVal.
func parseDecimal(s string, maxVal uint64) (uint64, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("%q is not a canonical decimal number", s)
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a canonical decimal number", s)
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > maxVal {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return n, nil
}
