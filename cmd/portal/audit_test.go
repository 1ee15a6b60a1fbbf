package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/wire"

	"github.com/prometheus/client_golang/prometheus"
)

// auditEnv makes an audit key and a checkpoint signing key with the
// commands an operator uses, and returns the settings naming them.
func auditEnv(t *testing.T) (env map[string]string, dir string) {
	t.Helper()
	dir = t.TempDir()
	keyFile, signFile := filepath.Join(dir, "audit.key"), filepath.Join(dir, "checkpoint.pem")
	out, err := runCmd(t, nil, "audit", "keygen", "--kind", "mac", "--out", keyFile)
	if err != nil || !strings.HasPrefix(out, "audit key ") {
		t.Fatalf("keygen mac: %q %v", out, err)
	}
	if out, err := runCmd(t, nil, "audit", "keygen", "--kind", "signing", "--out", signFile); err != nil ||
		!strings.Contains(out, signFile+".pub") {
		t.Fatalf("keygen signing: %q %v", out, err)
	}
	if _, err := runCmd(t, nil, "audit", "keygen", "--kind", "mac", "--out", keyFile); err == nil ||
		!strings.Contains(err.Error(), "file exists") {
		t.Fatalf("keygen over an existing key: %v", err)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", fi, err)
	}
	return map[string]string{
		"PORTAL_DB": "sqlite:" + filepath.Join(dir, "p.db"), "PORTAL_DEV": "true",
		"PORTAL_AUDIT_KEY_FILE": keyFile, "PORTAL_AUDIT_SIGNING_KEY_FILE": signFile,
	}, dir
}

func sqlExec(t *testing.T, env map[string]string, query string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", strings.TrimPrefix(env["PORTAL_DB"], "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func TestRun_AuditKeyedAndCheckpointed(t *testing.T) {
	t.Parallel()
	env, dir := auditEnv(t)
	out, err := runCmd(t, env, "audit", "verify")
	if err != nil || out != "audit trail intact: it is empty, nothing has been audited yet\n" {
		t.Fatalf("empty trail: %q %v", out, err)
	}
	for _, name := range []string{"viewer-one", "viewer-two", "viewer-three"} {
		if _, err := runCmd(t, env, "tokens", "create", "--name", name, "--scope", "scim:read", "--expires", "30d", "--by", "Ada"); err != nil {
			t.Fatal(err)
		}
	}
	cps := filepath.Join(dir, "checkpoints.jsonl")
	if out, err := runCmd(t, env, "audit", "checkpoint", "--out", cps); err != nil ||
		out != "checkpoint of row 3 appended to "+cps+"\n" {
		t.Fatalf("checkpoint: %q %v", out, err)
	}
	// verify with the checkpoints file and the key that signs them
	withCheckpoints := []string{"audit", "verify", "--checkpoints", cps, "--public-key",
		env["PORTAL_AUDIT_SIGNING_KEY_FILE"] + ".pub"}
	if _, err := runCmd(t, env, "tokens", "revoke", "--name", "viewer-three", "--by", "Ada"); err != nil {
		t.Fatal(err)
	}
	out, err = runCmd(t, env, withCheckpoints...)
	if err != nil ||
		out != "audit trail intact: 4 row(s) verified; 4 MAC(s) checked with the audit key; 1 checkpoint(s) hold\n" {
		t.Fatalf("verify: %q %v", out, err)
	}

	// Whoever can write the tables deletes the last two rows and moves the
	// head back to row 2.
	sqlExec(t, env, "DELETE FROM audit_log WHERE seq > 2")
	sqlExec(t, env, "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2)")
	noKey := map[string]string{"PORTAL_DB": env["PORTAL_DB"]}
	if out, err := runCmd(t, noKey, "audit", "verify"); err != nil {
		t.Fatalf("without the key or a checkpoint the truncation is invisible (%q %v)", out, err)
	}
	out, err = runCmd(t, noKey, withCheckpoints...)
	if err == nil ||
		!strings.Contains(
			out,
			"records row 3, but the trail ends at row 2: rows were deleted from the end and the head moved back",
		) {
		t.Fatalf("truncated, with the checkpoint: %q %v", out, err)
	}
	out, err = runCmd(t, env, "audit", "verify")
	if err == nil ||
		!strings.Contains(out, "row 2: the head's MAC does not match: the head was moved without the audit key") {
		t.Fatalf("truncated, with the key: %q %v", out, err)
	}
}

func TestRun_KeyedTrailNeedsItsKey(t *testing.T) {
	t.Parallel()
	env, _ := auditEnv(t)
	if _, err := runCmd(t, env, "tokens", "create", "--name", "viewer", "--scope", "scim:read", "--expires", "30d", "--by", "Ada"); err != nil {
		t.Fatal(err)
	}
	delete(env, "PORTAL_AUDIT_KEY_FILE")
	if _, err := runCmd(t, env, "demo"); err == nil ||
		!strings.Contains(err.Error(), "the audit trail is keyed with audit key ") {
		t.Fatalf("a portal without the key: %v", err)
	}
	_, err := runCmd(t, env, "tokens", "revoke", "--name", "viewer", "--by", "Ada")
	if err == nil || !strings.Contains(err.Error(), "set PORTAL_AUDIT_KEY_FILE") {
		t.Fatalf("a command writing without the key: %v", err)
	}
	env["PORTAL_AUDIT_KEY_FILE"] = filepath.Join(t.TempDir(), "missing.key")
	if _, err := runCmd(t, env, "tokens", "list"); err == nil ||
		!strings.Contains(err.Error(), "PORTAL_AUDIT_KEY_FILE: open ") {
		t.Fatalf("an unreadable key file: %v", err)
	}
}

// TestCheckpointJob: the server signs its head on a schedule, logs it and
// appends it to the checkpoint file, once per head.
func TestCheckpointJob(t *testing.T) {
	t.Parallel()
	env, dir := auditEnv(t)
	env["PORTAL_AUDIT_CHECKPOINT_FILE"] = filepath.Join(dir, "server-checkpoints.jsonl")
	cfg, _, err := parseConfig("serve", nil, &bytes.Buffer{}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Registerer = prometheus.NewRegistry()
	var logs bytes.Buffer
	p, err := wire.Build(context.Background(), cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var job *wire.Job
	for _, j := range p.Jobs() {
		if j.Name == "audit-checkpoint" {
			job = &j
		}
	}
	if job == nil || job.Every.String() != "1h0m0s" {
		t.Fatalf("no hourly audit-checkpoint job: %+v", job)
	}
	for range 2 { // the second run finds the same head and writes nothing
		if err := job.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(cfg.AuditCheckpointFile)
	if err != nil {
		t.Fatal(err)
	}
	cps, err := portal.ParseCheckpoints(bytes.NewReader(b))
	head, _ := p.DB.Read().FindAuditHead(context.Background())
	if err != nil || len(cps) != 1 || cps[0].Seq != head.Seq || cps[0].Hash != head.Hash ||
		!cps[0].Verify(cfg.AuditSigningKey.Public().(ed25519.PublicKey)) {
		t.Fatalf("checkpoint file %q %v", b, err)
	}
	if !strings.Contains(logs.String(), "msg=\"audit checkpoint\"") ||
		!strings.Contains(logs.String(), cps[0].Signature) {
		t.Errorf("not logged: %s", logs.String())
	}
}
