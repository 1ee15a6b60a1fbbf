package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Every SCIM answer the tests receive is kept, and checked at the end of
// the run by testdata/scimcheck: a node script validating them with SCIMMY,
// an implementation of RFC 7643/7644 the portal does not share code with.
// Without node or its installed modules (npm ci in testdata/scimcheck) the
// check is skipped, saying so; PORTAL_SCIM_VALIDATE_REQUIRED=1 makes it
// required.

const scimCheckDir = "testdata/scimcheck"

type scimRecord struct {
	Source  string          `json:"source"`
	Status  int             `json:"status"`
	Partial bool            `json:"partial"`
	Body    json.RawMessage `json:"body"`
}

var scimSeen struct {
	sync.Mutex
	records []scimRecord
}

// recordSCIM keeps an answer served as application/scim+json.
func recordSCIM(method, path, reqBody, contentType string, status int, body []byte) {
	if !strings.HasPrefix(contentType, "application/scim+json") || !json.Valid(body) {
		return
	}
	q := strings.ToLower(path + " " + reqBody)
	if len(path) > 200 {
		path = path[:200] + "..."
	}
	scimSeen.Lock()
	defer scimSeen.Unlock()
	scimSeen.records = append(scimSeen.records, scimRecord{Source: method + " " + path, Status: status,
		Partial: strings.Contains(q, "attributes"), Body: append(json.RawMessage(nil), body...)})
}

// checkSCIMResponses runs the SCIMMY check on what was kept and returns the
// exit code to use.
func checkSCIMResponses(code int) int {
	scimSeen.Lock()
	records := scimSeen.records
	scimSeen.Unlock()
	if len(records) == 0 {
		return code
	}
	required := os.Getenv("PORTAL_SCIM_VALIDATE_REQUIRED") == "1"
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(scimCheckDir, "node_modules", "scimmy", "package.json"))
	}
	if err != nil {
		msg := fmt.Sprintf(
			"SCIM responses not validated with SCIMMY: %v (install node and run npm ci in internal/web/%s)",
			err,
			scimCheckDir,
		)
		if required {
			fmt.Fprintln(os.Stderr, msg+"; PORTAL_SCIM_VALIDATE_REQUIRED=1")
			return 1
		}
		fmt.Fprintln(os.Stderr, msg)
		return code
	}
	f, err := os.CreateTemp("", "portal-scim-*.json")
	if err != nil {
		fmt.Fprintln(os.Stderr, "scimcheck:", err)
		return 1
	}
	defer os.Remove(f.Name())
	if err := json.NewEncoder(f).Encode(records); err != nil {
		fmt.Fprintln(os.Stderr, "scimcheck:", err)
		return 1
	}
	f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "check.js", f.Name())
	cmd.Dir = scimCheckDir
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "SCIM responses that RFC 7643/7644 (as SCIMMY reads them) does not accept:", err)
		return 1
	}
	return code
}
