package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/store"
)

func runAddressesCmd(t *testing.T, dsn string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(name string) string {
		if name == "PORTAL_DB" {
			return dsn
		}
		return ""
	}
	err = runAddresses(context.Background(), args, &out, &errOut, getenv)
	return out.String(), errOut.String(), err
}

func countAddresses(t *testing.T, dsn string) int {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.Read().CountAddresses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRunAddresses_GenerateAndImport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "portal.db")
	csvPath := filepath.Join(dir, "addresses.csv")

	out, _, err := runAddressesCmd(t, dsn, "generate", "--count", "1000", "--seed", "7", "--out", csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "1000 addresses generated") {
		t.Fatalf("generate said %q", out)
	}
	data, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(data), "\n"); lines != 1001 {
		t.Fatalf("%d lines in the file, want a header and 1000 rows", lines)
	}

	out, _, err = runAddressesCmd(t, dsn, "import", csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "1000 addresses added, 0 already in the index, 0 unusable rows skipped") {
		t.Fatalf("first import said %q", out)
	}
	// Flags after the file name, and an idempotent second run.
	out, _, err = runAddressesCmd(t, dsn, "import", csvPath, "-progress=false", "-batch", "64")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "0 addresses added, 1000 already in the index") {
		t.Fatalf("second import said %q", out)
	}
	if n := countAddresses(t, dsn); n != 1000 {
		t.Fatalf("%d addresses in the index, want 1000", n)
	}

	// Generating straight into the index with the same seed adds nothing new.
	out, _, err = runAddressesCmd(t, dsn, "generate", "-count", "1200", "-seed", "7", "-import", "-progress=false")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "200 generated addresses added, 1000 already in the index") {
		t.Fatalf("generate -import said %q", out)
	}
}

func TestRunAddresses_BadRows(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "portal.db")
	csvPath := filepath.Join(dir, "addresses.csv")
	file := "unit,civic_number,street_name,street_type,direction,city,province,postal_code\n" +
		"101,370,Broadway,,E,Vancouver,BC,V5T 4G5\n" +
		",370,Broadway,,E,Vancouver,BC,T5T 4G5\n" +
		"too,few,fields\n" +
		"102,370,Broadway,,East,Vancouver,,v5t4g5\n"
	if err := os.WriteFile(csvPath, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runAddressesCmd(t, dsn, "import", "-progress=false", csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "2 addresses added, 0 already in the index, 2 unusable rows skipped") {
		t.Fatalf("import said %q", out)
	}
	for _, want := range []string{
		"line 3: postal_code: Enter a British Columbia postal code: they start with V.",
		"line 4: has 3 fields, the header has 8",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q lacks %q", errOut, want)
		}
	}
}

func TestRunAddresses_Usage(t *testing.T) {
	t.Parallel()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "portal.db")
	const usage = "usage: portal addresses "
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, usage},
		{[]string{"import"}, usage},
		{[]string{"import", "a.csv", "b.csv"}, usage},
		{[]string{"generate", "-count", "10"}, usage},
		{[]string{"generate", "-count", "0", "-import"}, usage},
		{[]string{"generate", "-count", "10", "-import", "-out", "x.csv"}, usage},
		{[]string{"export"}, `unknown addresses command "export"`},
	} {
		if _, _, err := runAddressesCmd(t, dsn, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want an error containing %q", tt.args, err, tt.want)
		}
	}
	if _, _, err := runAddressesCmd(t, dsn, "import", filepath.Join(t.TempDir(), "missing.csv")); err == nil ||
		!os.IsNotExist(err) {
		t.Errorf("missing file: got %v", err)
	}
}
