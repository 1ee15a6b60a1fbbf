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

// runWorksites is the CareConnect team's command for new worksites:
//
//	portal worksites pending
//	portal worksites approve CODE --by NAME
//	portal worksites decline CODE --by NAME --reason TEXT
func runWorksites(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		return errors.New("usage: portal worksites pending | approve CODE --by NAME | decline CODE --by NAME --reason TEXT")
	}
	sub, args := args[0], args[1:]
	var code string
	if (sub == "approve" || sub == "decline") && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		code, args = args[0], args[1:]
	}
	var by, reason string
	rest := args[:0:0]
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "--by" && i+1 < len(args):
			by, i = args[i+1], i+1
		case args[i] == "--reason" && i+1 < len(args):
			reason, i = args[i+1], i+1
		default:
			rest = append(rest, args[i])
		}
	}
	cfg, logFormat, err := parseConfig("worksites", rest, stderr, getenv)
	if err != nil {
		return err
	}
	p, err := wire.Build(ctx, cfg, newLogger(stderr, logFormat, cfg.Dev).With("command", "worksites"))
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
			return fmt.Errorf("usage: portal worksites %s CODE --by NAME%s", sub, map[bool]string{true: " --reason TEXT"}[sub == "decline"])
		}
		c, err := portal.ParseWorksiteCode(code)
		if err != nil {
			return errors.New(portal.ErrorMessage(err))
		}
		meta := portal.RequestMeta{IP: "command line", UserAgent: "portal worksites", RequestID: "cli"}
		w, err := p.App.DecideWorksite(ctx, meta, by, c, sub == "approve", reason)
		if err != nil {
			if portal.ErrorCode(err) != portal.EINTERNAL {
				return errors.New(portal.ErrorMessage(err))
			}
			return err
		}
		fmt.Fprintf(stdout, "%s (%s) is now %s; its administrators were emailed\n", w.Name, w.Code, w.Status)
		return nil
	}
	return fmt.Errorf("unknown worksites command %q", sub)
}
