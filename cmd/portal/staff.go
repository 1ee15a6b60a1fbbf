package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"portal"
	"portal/internal/wire"
)

// runStaff manages the CareConnect team's roles:
//
//	portal staff list
//	portal staff grant --email ADDRESS --role officer|auditor|administrator --by NAME
//	portal staff revoke --email ADDRESS --role ROLE --by NAME
func runStaff(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		return errors.New("usage: portal staff list | grant|revoke --email ADDRESS --role ROLE --by NAME")
	}
	sub, args := args[0], args[1:]
	opts := map[string]string{}
	rest := args[:0:0]
	for i := 0; i < len(args); i++ {
		name := strings.TrimLeft(args[i], "-")
		if (name == "email" || name == "role" || name == "by") && strings.HasPrefix(args[i], "-") && i+1 < len(args) {
			opts[name], i = args[i+1], i+1
			continue
		}
		rest = append(rest, args[i])
	}
	cfg, logFormat, err := parseConfig("staff", rest, stderr, getenv)
	if err != nil {
		return err
	}
	p, err := wire.Build(ctx, cfg, newLogger(stderr, logFormat, cfg.Dev).With("command", "staff"))
	if err != nil {
		return err
	}
	defer p.Close()
	meta := portal.RequestMeta{IP: "command line", UserAgent: "portal staff", RequestID: "cli"}
	switch sub {
	case "list":
		team, err := p.App.ListStaff(ctx)
		if err != nil {
			return err
		}
		for _, s := range team {
			fmt.Fprintf(stdout, "%s\t%s\t%s\n", s.Email, strings.Join(s.Roles, ","), s.Name)
		}
		return nil
	case "grant", "revoke":
		var s *portal.Staff
		if sub == "grant" {
			s, err = p.App.GrantStaffRole(ctx, meta, opts["by"], opts["email"], opts["role"])
		} else {
			s, err = p.App.RevokeStaffRole(ctx, meta, opts["by"], opts["email"], opts["role"])
		}
		if err != nil {
			if fe, ok := portal.AsFieldErrors(err); ok {
				return fmt.Errorf("%v", fe)
			}
			if portal.ErrorCode(err) != portal.EINTERNAL {
				return errors.New(portal.ErrorMessage(err))
			}
			return err
		}
		fmt.Fprintf(stdout, "%s now holds: %s\n", s.Email, strings.Join(s.Roles, ", "))
		return nil
	}
	return fmt.Errorf("unknown staff command %q", sub)
}
