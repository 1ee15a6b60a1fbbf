package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/wire"
)

// commandOptions takes a command's own options (`--name value` or
// `--name=value`, for the names given) out of args; what remains are the
// portal's flags, for parseConfig.
func commandOptions(args []string, names ...string) (opts map[string]string, rest []string, err error) {
	opts = map[string]string{}
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") || !contains(names, name) {
			rest = append(rest, args[i])
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, nil, fmt.Errorf("--%s needs a value", name)
			}
			value, i = args[i+1], i+1
		}
		opts[name] = value
	}
	return opts, rest, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// openPortal reads the portal's flags and builds the portal for a one-off
// command; the caller closes it.
func openPortal(ctx context.Context, cmd string, flags []string, stderr io.Writer,
	getenv func(string) string) (*wire.Portal, error) {
	cfg, logFormat, err := parseConfig(cmd, flags, stderr, getenv)
	if err != nil {
		return nil, err
	}
	return wire.Build(ctx, cfg, newLogger(stderr, logFormat, cfg.Dev).With("command", cmd))
}

// openDatabase reads the portal's flags and opens the database and the use
// cases alone, for a command that needs neither sign-in nor email; the
// caller closes it.
func openDatabase(ctx context.Context, cmd string, flags []string, stderr io.Writer,
	getenv func(string) string) (*wire.Portal, error) {
	cfg, logFormat, err := parseConfig(cmd, flags, stderr, getenv)
	if err != nil {
		return nil, err
	}
	return wire.Open(ctx, cfg, newLogger(stderr, logFormat, cfg.Dev).With("command", cmd))
}

// commandMeta says, in the audit trail, that a change came from a command.
func commandMeta(cmd string) portal.RequestMeta {
	return portal.RequestMeta{IP: "command line", UserAgent: "portal " + cmd, RequestID: "cli"}
}

// userError turns a use case's error into a message for the command line:
// the field messages or the safe message; internal errors stay as they are.
func userError(err error) error {
	if fe, ok := portal.AsFieldErrors(err); ok {
		var msgs []string
		for _, m := range fe {
			msgs = append(msgs, m)
		}
		sort.Strings(msgs)
		return errors.New(strings.Join(msgs, " "))
	}
	if portal.ErrorCode(err) != portal.EINTERNAL {
		return errors.New(portal.ErrorMessage(err))
	}
	return err
}
