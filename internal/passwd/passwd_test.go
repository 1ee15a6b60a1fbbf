package passwd

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// Hashes made by the argon2 reference implementation's command line, e.g.
//
//	echo -n "correct horse battery staple" | argon2 saltsaltsalt1234 -id -t 3 -k 12288 -p 1 -l 32 -e
var referenceHashes = []struct {
	name, encoded, password string
	want                    params
}{
	{
		"current parameters",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0MTIzNA$3sOlQyZQ3asEqhCko2TQGcIzwlkxeNQtuSu1sisMsMg",
		"correct horse battery staple",
		params{memory: 19456, time: 2, threads: 1, saltLen: 16, keyLen: 32},
	},
	{
		"older parameters",
		"$argon2id$v=19$m=12288,t=3,p=1$c2FsdHNhbHRzYWx0MTIzNA$5OEo/DR7nq+744hkb61E7ssS/StVliBDyJuZ9C5bT4k",
		"correct horse battery staple",
		params{memory: 12288, time: 3, threads: 1, saltLen: 16, keyLen: 32},
	},
	{
		"two lanes, short key",
		"$argon2id$v=19$m=4096,t=1,p=2$cGVwcGVyZWRzYWx0QUJDRA$wtM/qmUm1rTNPLoUvVsPrA",
		"Tidal-Orbit-Quince9",
		params{memory: 4096, time: 1, threads: 2, saltLen: 16, keyLen: 16},
	},
}

var phcPattern = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashVerifyRoundTrip(t *testing.T) {
	h := NewHasher(0)
	ctx := context.Background()
	const pw = "Tidal-Orbit-Quince9 ünïcode"
	enc, err := h.Hash(ctx, pw)
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if !phcPattern.MatchString(enc) {
		t.Errorf("Hash = %q, want a PHC string matching %s", enc, phcPattern)
	}
	ok, err := h.Verify(ctx, enc, pw)
	if err != nil || !ok {
		t.Errorf("Verify(right password) = %v, %v; want true, nil", ok, err)
	}
	for _, wrong := range []string{"", "tidal-Orbit-Quince9 ünïcode", "Tidal-Orbit-Quince9 ünïcod", pw + " "} {
		ok, err := h.Verify(ctx, enc, wrong)
		if err != nil || ok {
			t.Errorf("Verify(%q) = %v, %v; want false, nil", wrong, ok, err)
		}
	}
	if h.NeedsRehash(enc) {
		t.Errorf("NeedsRehash(new hash) = true, want false")
	}

	// A second hash of the same password has a different salt.
	enc2, err := h.Hash(ctx, pw)
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if enc2 == enc {
		t.Errorf("two hashes of one password are equal: %q", enc)
	}
}

func TestVerifyReferenceHashes(t *testing.T) {
	h := NewHasher(1)
	ctx := context.Background()
	for _, tt := range referenceHashes {
		t.Run(tt.name, func(t *testing.T) {
			p, _, _, err := decode(tt.encoded)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if got, want := p, tt.want; got != want {
				t.Errorf("parameters = %+v, want %+v", got, want)
			}
			ok, err := h.Verify(ctx, tt.encoded, tt.password)
			if err != nil || !ok {
				t.Errorf("Verify(right password) = %v, %v; want true, nil", ok, err)
			}
			ok, err = h.Verify(ctx, tt.encoded, tt.password+"x")
			if err != nil || ok {
				t.Errorf("Verify(wrong password) = %v, %v; want false, nil", ok, err)
			}
			if got, want := h.NeedsRehash(tt.encoded), tt.want != defaultParams; got != want {
				t.Errorf("NeedsRehash = %v, want %v", got, want)
			}
		})
	}
}

// TestHashOtherParameters checks that a Hasher's own parameters are what it
// writes, and that a Hasher with the default ones verifies the result.
func TestHashOtherParameters(t *testing.T) {
	old := NewHasher(1)
	old.p = params{memory: 4096, time: 1, threads: 2, saltLen: 8, keyLen: 16}
	ctx := context.Background()
	enc, err := old.Hash(ctx, "s3cret")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=4096,t=1,p=2$") {
		t.Errorf("Hash = %q, want parameters m=4096,t=1,p=2", enc)
	}
	h := NewHasher(1)
	if ok, err := h.Verify(ctx, enc, "s3cret"); err != nil || !ok {
		t.Errorf("Verify = %v, %v; want true, nil", ok, err)
	}
	if !h.NeedsRehash(enc) {
		t.Errorf("NeedsRehash(old parameters) = false, want true")
	}
}

func TestVerifyMalformed(t *testing.T) {
	const (
		salt = "c2FsdHNhbHRzYWx0MTIzNA"
		key  = "3sOlQyZQ3asEqhCko2TQGcIzwlkxeNQtuSu1sisMsMg"
	)
	tests := []struct {
		name, encoded string
		want          error
	}{
		{"empty", "", ErrMalformed},
		{"plain text", "password", ErrMalformed},
		{"no leading dollar", "argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key, ErrMalformed},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", ErrUnsupported},
		{"argon2i", "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key, ErrUnsupported},
		{"version 16", "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key, ErrUnsupported},
		{"no version", "$argon2id$m=19456,t=2,p=1$" + salt + "$" + key, ErrMalformed},
		{"missing hash", "$argon2id$v=19$m=19456,t=2,p=1$" + salt, ErrMalformed},
		{"extra field", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "$", ErrMalformed},
		{"parameters out of order", "$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + key, ErrMalformed},
		{"missing parameter", "$argon2id$v=19$m=19456,t=2$" + salt + "$" + key, ErrMalformed},
		{"non-numeric parameter", "$argon2id$v=19$m=lots,t=2,p=1$" + salt + "$" + key, ErrMalformed},
		{"negative parameter", "$argon2id$v=19$m=19456,t=-2,p=1$" + salt + "$" + key, ErrMalformed},
		{"leading zero", "$argon2id$v=19$m=019456,t=2,p=1$" + salt + "$" + key, ErrMalformed},
		{"zero passes", "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key, ErrMalformed},
		{"zero lanes", "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key, ErrMalformed},
		{"too many lanes", "$argon2id$v=19$m=19456,t=2,p=256$" + salt + "$" + key, ErrMalformed},
		{"memory below 8 per lane", "$argon2id$v=19$m=15,t=2,p=2$" + salt + "$" + key, ErrMalformed},
		{"memory too large", "$argon2id$v=19$m=4294967295,t=2,p=1$" + salt + "$" + key, ErrMalformed},
		{"too many passes", "$argon2id$v=19$m=19456,t=100000,p=1$" + salt + "$" + key, ErrMalformed},
		{"salt not base64", "$argon2id$v=19$m=19456,t=2,p=1$not*base64$" + key, ErrMalformed},
		{"padded salt", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "==$" + key, ErrMalformed},
		{"short salt", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$" + key, ErrMalformed},
		{"empty hash", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$", ErrMalformed},
		{"short hash", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$3sOlQyZQ3asEqhCk", ErrMalformed},
		{
			"url-safe base64",
			"$argon2id$v=19$m=12288,t=3,p=1$" + salt + "$" + strings.NewReplacer("/", "_", "+", "-").
				Replace("5OEo/DR7nq+744hkb61E7ssS/StVliBDyJuZ9C5bT4k"),
			ErrMalformed,
		},
	}
	h := NewHasher(1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := h.Verify(context.Background(), tt.encoded, "correct horse battery staple")
			if ok || !errors.Is(err, tt.want) {
				t.Errorf("Verify(%q) = %v, %v; want false, %v", tt.encoded, ok, err, tt.want)
			}
			if !h.NeedsRehash(tt.encoded) {
				t.Errorf("NeedsRehash(%q) = false, want true", tt.encoded)
			}
		})
	}
}

func TestNewHasherDefaultBound(t *testing.T) {
	for _, n := range []int{0, -1} {
		if got := cap(NewHasher(n).sem); got < 1 {
			t.Errorf("NewHasher(%d) allows %d hashes at once, want at least 1", n, got)
		}
	}
	if got, want := cap(NewHasher(3).sem), 3; got != want {
		t.Errorf("NewHasher(3) allows %d hashes at once, want %d", got, want)
	}
}

// TestConcurrencyBound holds the only slot of a Hasher and checks that
// Hash and Verify wait for it, give up with their context's error, and go
// ahead once the slot is free.
func TestConcurrencyBound(t *testing.T) {
	h := NewHasher(1)
	h.sem <- struct{}{} // take the only slot

	// Already cancelled: returns at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "pw"); !errors.Is(err, context.Canceled) {
		t.Errorf("Hash(cancelled) err = %v, want %v", err, context.Canceled)
	}
	ref := referenceHashes[0]
	if ok, err := h.Verify(ctx, ref.encoded, ref.password); ok || !errors.Is(err, context.Canceled) {
		t.Errorf("Verify(cancelled) = %v, %v; want false, %v", ok, err, context.Canceled)
	}

	// Waiting: returns when its context is cancelled.
	ctx, cancel = context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := h.Hash(ctx, "pw")
		errc <- err
	}()
	select {
	case err := <-errc:
		t.Fatalf("Hash returned %v while the only slot was taken", err)
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("waiting Hash err = %v, want %v", err, context.Canceled)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("waiting Hash did not return after its context was cancelled")
	}

	// Deadline: returns context.DeadlineExceeded.
	dctx, dcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer dcancel()
	if _, err := h.Hash(dctx, "pw"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Hash(deadline) err = %v, want %v", err, context.DeadlineExceeded)
	}

	// Waiting: goes ahead once the slot is freed.
	resc := make(chan error, 1)
	go func() {
		ok, err := h.Verify(context.Background(), ref.encoded, ref.password)
		if err == nil && !ok {
			err = errors.New("Verify = false, want true")
		}
		resc <- err
	}()
	select {
	case err := <-resc:
		t.Fatalf("Verify returned %v while the only slot was taken", err)
	case <-time.After(50 * time.Millisecond):
	}
	<-h.sem // free the slot
	select {
	case err := <-resc:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("waiting Verify did not finish after the slot was freed")
	}
	if got := len(h.sem); got != 0 {
		t.Errorf("%d slots still taken after all calls returned, want 0", got)
	}
}

func BenchmarkHash(b *testing.B) {
	h := NewHasher(1)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, "Tidal-Orbit-Quince9"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	h := NewHasher(1)
	ctx := context.Background()
	enc, err := h.Hash(ctx, "Tidal-Orbit-Quince9")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := h.Verify(ctx, enc, "Tidal-Orbit-Quince9"); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// The test hasher's hashes are ordinary PHC strings at the smallest cost:
// the full-strength hasher verifies them, and refuses a wrong password.
func TestNewTestHasher(t *testing.T) {
	ctx := context.Background()
	encoded, err := NewTestHasher().Hash(ctx, "Tidal-Orbit-Quince9")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(encoded, "$argon2id$v=19$m=8,t=1,p=1$") {
		t.Fatalf("test hash %q, want m=8,t=1,p=1", encoded)
	}
	for pw, want := range map[string]bool{"Tidal-Orbit-Quince9": true, "Tidal-Orbit-Quince8": false} {
		if ok, err := NewHasher(1).Verify(ctx, encoded, pw); err != nil || ok != want {
			t.Errorf("Verify(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if !NewHasher(1).NeedsRehash(encoded) {
		t.Error("the full-strength hasher would keep a test hash")
	}
}

// Only tests and the test kit may hash at the smallest cost: a call in the
// server's wiring or a command would weaken every stored password.
func TestNewTestHasherOnlyInTests(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	allowed := []string{"internal/portaltest/", "internal/fixture/"}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if name := d.Name(); rel != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		rel = filepath.ToSlash(rel)
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") || rel == "internal/passwd/passwd.go" ||
			slices.ContainsFunc(allowed, func(dir string) bool { return strings.HasPrefix(rel, dir) }) {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool { // names in code, not in comments
			if s, ok := n.(*ast.SelectorExpr); ok && s.Sel.Name == "NewTestHasher" {
				t.Errorf("%s uses NewTestHasher: only tests and %v may", rel, allowed)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
