package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// runTokens manages the bearer tokens of the provisioning API's clients:
//
//	portal tokens create --name NAME --scope scim:read,events:read --expires 90d --by NAME
//	portal tokens list
//	portal tokens revoke --name NAME --by NAME
//
// create prints the token once; only its hash is kept.
func runTokens(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	const usage = "usage: portal tokens create --name NAME --scope scim:read,events:read --expires 90d --by NAME | list | revoke --name NAME --by NAME"
	if len(args) == 0 {
		return errors.New(usage)
	}
	sub, args := args[0], args[1:]
	opts, rest, err := commandOptions(args, "name", "scope", "scopes", "expires", "by")
	if err != nil {
		return fmt.Errorf("%v; %s", err, usage)
	}
	if opts["scope"] == "" {
		opts["scope"] = opts["scopes"]
	}
	switch sub {
	case "create", "list", "revoke":
	default:
		return fmt.Errorf("unknown tokens command %q; %s", sub, usage)
	}
	// Tokens live in the database alone: no sign-in or mail settings needed.
	p, err := openDatabase(ctx, "tokens", rest, stderr, getenv)
	if err != nil {
		return err
	}
	defer p.Close()
	meta := commandMeta("tokens")
	switch sub {
	case "create":
		if opts["expires"] == "" {
			return errors.New("give the token's lifetime with --expires, e.g. --expires 90d (at most 365d)")
		}
		lifetime, err := app.ParseTokenLifetime(opts["expires"])
		if err != nil {
			return userError(err)
		}
		raw, t, err := p.App.CreateToken(ctx, meta, opts["by"], app.TokenInput{Name: opts["name"],
			Scopes: strings.Split(opts["scope"], ","), Lifetime: lifetime})
		if err != nil {
			return userError(err)
		}
		fmt.Fprintf(stderr, "Token %s created with %s, valid until %s.\n", t.Name, strings.Join(t.Scopes, ", "),
			t.ExpiresAt.Format(time.RFC3339))
		fmt.Fprintln(stderr, "Store it in the client's secret store now: it is shown only this once.")
		fmt.Fprintln(stdout, raw)
		return nil
	case "list":
		ts, err := p.App.Tokens(ctx)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			fmt.Fprintln(stdout, "no tokens")
			return nil
		}
		now := p.App.Now()
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tSCOPES\tCREATED\tBY\tEXPIRES\tLAST USED\tSTATE")
		for _, t := range ts {
			state := t.State(now)
			if state == app.TokenRevoked {
				state += " " + tokenTime(t.RevokedAt)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, strings.Join(t.Scopes, ","),
				tokenTime(t.CreatedAt), t.CreatedBy,
				tokenTime(t.ExpiresAt), tokenTime(t.LastUsedAt), state)
		}
		return tw.Flush()
	case "revoke":
		if opts["name"] == "" {
			return errors.New("name the token to revoke with --name")
		}
		t, err := p.App.RevokeToken(ctx, meta, opts["by"], opts["name"])
		if err != nil {
			return userError(err)
		}
		fmt.Fprintf(stdout, "token %s revoked at %s\n", t.Name, t.RevokedAt.Format(time.RFC3339))
		return nil
	}
	return nil
}

// tokenTime shows a time to the minute, or "never".
func tokenTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}
