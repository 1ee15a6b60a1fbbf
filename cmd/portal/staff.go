package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"portal"
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
	opts, rest, err := commandOptions(args, "email", "role", "by")
	if err != nil {
		return err
	}
	if sub != "list" && sub != "grant" && sub != "revoke" {
		return fmt.Errorf("unknown staff command %q", sub)
	}
	p, err := openPortal(ctx, "staff", rest, stderr, getenv)
	if err != nil {
		return err
	}
	defer p.Close()
	meta := commandMeta("staff")
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
			return userError(err)
		}
		fmt.Fprintf(stdout, "%s now holds: %s\n", s.Email, strings.Join(s.Roles, ", "))
		return nil
	}
	return fmt.Errorf("unknown staff command %q", sub)
}
