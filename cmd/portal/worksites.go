package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
)

// runWorksites is the CareConnect team's command for new worksites:
//
//	portal worksites pending
//	portal worksites approve CODE --by NAME
//	portal worksites decline CODE --by NAME --reason TEXT
func runWorksites(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		return errors.New(
			"usage: portal worksites pending | approve CODE --by NAME | decline CODE --by NAME --reason TEXT",
		)
	}
	sub, args := args[0], args[1:]
	var code string
	if (sub == "approve" || sub == "decline") && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		code, args = args[0], args[1:]
	}
	opts, rest, err := commandOptions(args, "by", "reason")
	if err != nil {
		return err
	}
	by, reason := opts["by"], opts["reason"]
	if sub != "pending" && sub != "approve" && sub != "decline" {
		return fmt.Errorf("unknown worksites command %q", sub)
	}
	p, err := openPortal(ctx, "worksites", rest, stderr, getenv)
	if err != nil {
		return err
	}
	defer p.Close()
	switch sub {
	case "pending":
		ws, err := p.App.PendingWorksites(ctx)
		if err != nil {
			return err
		}
		if len(ws) == 0 {
			fmt.Fprintln(stdout, "no worksites are waiting")
			return nil
		}
		for _, w := range ws {
			decl := "declaration not signed"
			if w.DeclarationDone() {
				decl = "declaration signed " + w.DeclarationSigned.Format("2006-01-02")
			}
			addr := "address verified"
			if !w.AddressVerified {
				addr = "address typed by hand: verify it"
			}
			fmt.Fprintf(stdout, "%s  %s  %s  (%s; %s)\n", w.Code, w.Name, w.Address.Line(), decl, addr)
		}
		return nil
	case "approve", "decline":
		if code == "" || by == "" {
			return fmt.Errorf("usage: portal worksites %s CODE --by NAME%s", sub,
				map[bool]string{true: " --reason TEXT"}[sub == "decline"])
		}
		c, err := portal.ParseWorksiteCode(code)
		if err != nil {
			return userError(err)
		}
		w, err := p.App.DecideWorksite(ctx, commandMeta("worksites"), by, c, sub == "approve", reason)
		if err != nil {
			return userError(err)
		}
		fmt.Fprintf(stdout, "%s (%s) is now %s; its administrators were emailed\n", w.Name, w.Code, w.Status)
		return nil
	}
	return fmt.Errorf("unknown worksites command %q", sub)
}
