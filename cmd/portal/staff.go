package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
)

// staffUsage is the staff command's usage.
const staffUsage = "usage: portal staff list | grant|revoke (--email ADDRESS | --subject ISSUER|SUBJECT) --role ROLE --by NAME"

// runStaff manages the CareConnect team's roles:
//
//	portal staff list
//	portal staff grant --email ADDRESS --role officer|auditor|administrator --by NAME
//	portal staff grant --subject ISSUER|SUBJECT --role ROLE --by NAME
//	portal staff revoke (--email ADDRESS | --subject ISSUER|SUBJECT) --role ROLE --by NAME
//
// A role granted by email reaches whoever first signs in with that address
// as verified by the staff identity provider; one granted by subject
// reaches only that identity.
func runStaff(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		return errors.New(staffUsage)
	}
	sub, args := args[0], args[1:]
	opts, rest, err := commandOptions(args, "email", "subject", "role", "by")
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
			fmt.Fprintf(stdout, "%s\t%s\t%s\n", staffLabel(s), strings.Join(s.Roles, ","), s.Name)
		}
		return nil
	case "grant", "revoke":
		var s *portal.Staff
		switch {
		case (opts["email"] == "") == (opts["subject"] == ""):
			return errors.New(staffUsage)
		case opts["subject"] != "":
			issuer, subject, ok := strings.Cut(opts["subject"], "|")
			if !ok {
				return errors.New("give the identity as --subject ISSUER|SUBJECT")
			}
			if sub == "grant" {
				s, err = p.App.GrantStaffRoleBySubject(ctx, meta, opts["by"], issuer, subject, opts["role"])
			} else {
				s, err = p.App.RevokeStaffRoleBySubject(ctx, meta, opts["by"], issuer, subject, opts["role"])
			}
		case sub == "grant":
			s, err = p.App.GrantStaffRole(ctx, meta, opts["by"], opts["email"], opts["role"])
		default:
			s, err = p.App.RevokeStaffRole(ctx, meta, opts["by"], opts["email"], opts["role"])
		}
		if err != nil {
			return userError(err)
		}
		fmt.Fprintf(stdout, "%s now holds: %s\n", staffLabel(s), strings.Join(s.Roles, ", "))
		return nil
	}
	return fmt.Errorf("unknown staff command %q", sub)
}

// staffLabel names a staff member by email, or by identity when granted by subject.
func staffLabel(s *portal.Staff) string {
	if s.Email != "" {
		return s.Email
	}
	return s.Issuer + "|" + s.Subject
}
