package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/wire"
)

// auditFlags registers the audit trail's settings and returns what reads
// the key files once the flags are parsed:
//
//	-audit-key-file          PORTAL_AUDIT_KEY_FILE          the audit key (hex) that keys each row
//	-audit-signing-key-file  PORTAL_AUDIT_SIGNING_KEY_FILE  the ed25519 key (PEM) that signs checkpoints
//	-audit-checkpoint-file   PORTAL_AUDIT_CHECKPOINT_FILE   where the server appends its checkpoints
//	-audit-checkpoint-every  PORTAL_AUDIT_CHECKPOINT_EVERY  how often (default 1h)
func auditFlags(fs *flag.FlagSet, cfg *wire.Config, env func(name, def string) string,
	envDur func(name string, def time.Duration) time.Duration) func() error {
	var keyFile, signingFile string
	fs.StringVar(&keyFile, "audit-key-file", env("AUDIT_KEY_FILE", ""),
		"file holding the audit key that keys every audit row; keep it outside the database (PORTAL_AUDIT_KEY_FILE)")
	fs.StringVar(&signingFile, "audit-signing-key-file", env("AUDIT_SIGNING_KEY_FILE", ""),
		"ed25519 private key (PEM) that signs checkpoints of the audit trail (PORTAL_AUDIT_SIGNING_KEY_FILE)")
	fs.StringVar(&cfg.AuditCheckpointFile, "audit-checkpoint-file", env("AUDIT_CHECKPOINT_FILE", ""),
		"file the server appends signed checkpoints to; ship it off this machine (PORTAL_AUDIT_CHECKPOINT_FILE)")
	fs.DurationVar(&cfg.AuditCheckpointEvery, "audit-checkpoint-every", envDur("AUDIT_CHECKPOINT_EVERY", time.Hour),
		"how often the server signs a checkpoint (PORTAL_AUDIT_CHECKPOINT_EVERY)")
	return func() error {
		var errs []error
		if keyFile != "" {
			k, err := readAuditKey(keyFile)
			if err != nil {
				errs = append(errs, fmt.Errorf("PORTAL_AUDIT_KEY_FILE: %w", err))
			}
			cfg.AuditKey = k
		}
		if signingFile != "" {
			b, err := os.ReadFile(signingFile)
			if err == nil {
				cfg.AuditSigningKey, err = portal.ParseCheckpointSigningKey(b)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("PORTAL_AUDIT_SIGNING_KEY_FILE: %w", err))
			}
		}
		return errors.Join(errs...)
	}
}

func readAuditKey(path string) (*portal.AuditKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := portal.ParseAuditKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

const auditUsage = "usage: portal audit verify [--key FILE[,FILE...]] [--checkpoints FILE [--public-key FILE]]" +
	" | checkpoint [--out FILE] | keygen --kind mac|signing --out FILE"

// runAudit runs the audit trail's commands:
//
//	portal audit verify      checks the hash chain, the MACs of keyed rows (with
//	                         PORTAL_AUDIT_KEY_FILE and any --key) and the checkpoints
//	portal audit checkpoint  signs the head now and appends it to --out (or
//	                         PORTAL_AUDIT_CHECKPOINT_FILE; else prints it)
//	portal audit keygen      writes a new audit key (--kind mac) or checkpoint
//	                         signing key and its FILE.pub (--kind signing)
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		return errors.New(auditUsage)
	}
	sub, args := args[0], args[1:]
	opts, rest, err := commandOptions(args, "key", "checkpoints", "public-key", "out", "kind")
	if err != nil {
		return fmt.Errorf("%v; %s", err, auditUsage)
	}
	switch sub {
	case "keygen":
		if len(rest) > 0 {
			return fmt.Errorf("unexpected arguments: %v; %s", rest, auditUsage)
		}
		return auditKeygen(opts["kind"], opts["out"], stdout)
	case "verify", "checkpoint":
	default:
		return fmt.Errorf("unknown audit command %q; %s", sub, auditUsage)
	}
	cfg, logFormat, err := parseConfig("audit", rest, stderr, getenv)
	if err != nil {
		return err
	}
	if sub == "checkpoint" {
		return auditCheckpoint(ctx, cfg, logFormat, opts["out"], stdout, stderr)
	}
	vopts := portal.AuditVerifyOptions{}
	if cfg.AuditKey != nil {
		vopts.Keys = append(vopts.Keys, cfg.AuditKey)
	}
	if opts["key"] != "" {
		for _, f := range strings.Split(opts["key"], ",") {
			k, err := readAuditKey(strings.TrimSpace(f))
			if err != nil {
				return fmt.Errorf("--key: %w", err)
			}
			vopts.Keys = append(vopts.Keys, k)
		}
	}
	if opts["checkpoints"] != "" {
		f, err := os.Open(opts["checkpoints"])
		if err != nil {
			return fmt.Errorf("--checkpoints: %w", err)
		}
		vopts.Checkpoints, err = portal.ParseCheckpoints(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("--checkpoints %s: %w", opts["checkpoints"], err)
		}
		switch {
		case opts["public-key"] != "":
			b, err := os.ReadFile(opts["public-key"])
			if err == nil {
				vopts.CheckpointKey, err = portal.ParseCheckpointPublicKey(b)
			}
			if err != nil {
				return fmt.Errorf("--public-key: %w", err)
			}
		case cfg.AuditSigningKey != nil:
			vopts.CheckpointKey = cfg.AuditSigningKey.Public().(ed25519.PublicKey)
		default:
			return errors.New(
				"give the checkpoints' public key with --public-key FILE (or the signing key in PORTAL_AUDIT_SIGNING_KEY_FILE)",
			)
		}
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	r, err := db.VerifyAuditWith(ctx, vopts)
	if err != nil {
		return err
	}
	for _, b := range r.Breaks {
		if b.Seq == 0 {
			fmt.Fprintf(stdout, "%s\n", b.Reason)
			continue
		}
		fmt.Fprintf(stdout, "row %d: %s\n", b.Seq, b.Reason)
	}
	if len(r.Breaks) > 0 {
		return fmt.Errorf("audit trail verification FAILED: %d problem(s) in %d row(s)", len(r.Breaks), r.Rows)
	}
	if r.Empty {
		fmt.Fprintln(stdout, "audit trail intact: it is empty, nothing has been audited yet")
		return nil
	}
	fmt.Fprintf(stdout, "audit trail intact: %d row(s) verified%s\n", r.Rows, auditSummary(r, vopts))
	return nil
}

// auditSummary says what beyond the hashes the verification covered.
func auditSummary(r portal.AuditReport, opts portal.AuditVerifyOptions) string {
	var parts []string
	if r.Keyed > 0 {
		parts = append(parts, fmt.Sprintf("%d MAC(s) checked with the audit key", r.Keyed))
	}
	if r.KeyedUnchecked > 0 {
		parts = append(
			parts,
			fmt.Sprintf(
				"%d keyed row(s) not checked: no audit key given (PORTAL_AUDIT_KEY_FILE or --key)",
				r.KeyedUnchecked,
			),
		)
	}
	if r.Unkeyed > 0 {
		parts = append(parts, fmt.Sprintf("%d unkeyed row(s), written before an audit key was configured", r.Unkeyed))
	}
	if len(opts.Checkpoints) > 0 {
		parts = append(parts, fmt.Sprintf("%d checkpoint(s) hold", r.Checkpoints))
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, "; ")
}

// auditCheckpoint signs the head and appends it to out, to the configured
// checkpoint file, or to stdout.
func auditCheckpoint(ctx context.Context, cfg wire.Config, logFormat, out string, stdout, stderr io.Writer) error {
	if cfg.AuditSigningKey == nil {
		return errors.New(
			"no checkpoint signing key: set PORTAL_AUDIT_SIGNING_KEY_FILE (portal audit keygen --kind signing makes one)",
		)
	}
	p, err := wire.Open(ctx, cfg, newLogger(stderr, logFormat, cfg.Dev).With("command", "audit checkpoint"))
	if err != nil {
		return err
	}
	defer p.Close()
	c, err := p.App.AuditCheckpoint(ctx, cfg.AuditSigningKey)
	if err != nil {
		return userError(err)
	}
	if out == "" {
		out = cfg.AuditCheckpointFile
	}
	if out == "" {
		_, err := stdout.Write(c.MarshalLine())
		return err
	}
	if err := wire.AppendCheckpoint(out, c); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "checkpoint of row %d appended to %s\n", c.Seq, out)
	return nil
}

// auditKeygen writes a new key file, never over an existing one.
func auditKeygen(kind, out string, stdout io.Writer) error {
	if out == "" {
		return errors.New("name the key file with --out FILE; " + auditUsage)
	}
	switch kind {
	case "mac":
		text := portal.GenerateAuditKey()
		k, err := portal.ParseAuditKey(text)
		if err != nil {
			return err
		}
		if err := writeNewFile(out, []byte(text), 0o600); err != nil {
			return err
		}
		fmt.Fprintf(stdout,
			"audit key %s written to %s: give it to every instance in PORTAL_AUDIT_KEY_FILE, keep it outside the "+
				"database and its backups, and keep old keys to verify older rows\n", k.ID, out)
	case "signing":
		priv, pub := portal.GenerateCheckpointKey()
		if err := writeNewFile(out, priv, 0o600); err != nil {
			return err
		}
		if err := writeNewFile(out+".pub", pub, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout,
			"checkpoint signing key written to %s (PORTAL_AUDIT_SIGNING_KEY_FILE) and its public key to %s.pub "+
				"(portal audit verify --public-key); keep the public key with the shipped checkpoint files\n", out, out)
	default:
		return fmt.Errorf(
			"say which key with --kind mac (the audit key) or --kind signing (checkpoints); %s",
			auditUsage,
		)
	}
	return nil
}

func writeNewFile(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
