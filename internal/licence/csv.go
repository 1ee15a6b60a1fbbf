package licence

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// CSVColumns are the columns a college's exported list must have, in any
// order, named on its first line. conditions are separated by ";";
// expires is YYYY-MM-DD or empty.
var CSVColumns = []string{"number", "family_name", "given_names", "status", "class", "conditions", "expires"}

// ParseCSV reads a college's exported list of licences. A bad row stops
// it with the line and what is wrong.
func ParseCSV(r io.Reader) (map[string]*portal.Licence, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New(
			"the file is empty: its first line must name the columns " + strings.Join(CSVColumns, ", "),
		)
	}
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	var missing []string
	for _, c := range CSVColumns {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("line 1: the column(s) %s are missing; the first line must name %s",
			strings.Join(missing, ", "), strings.Join(CSVColumns, ", "))
	}
	out := map[string]*portal.Licence{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		get := func(c string) string { return strings.TrimSpace(rec[col[c]]) }
		lic := &portal.Licence{Number: get("number"), FamilyName: get("family_name"), GivenNames: get("given_names"),
			Status: strings.ToLower(get("status")), Class: get("class"), Expires: get("expires")}
		for _, c := range strings.Split(get("conditions"), ";") {
			if c = strings.TrimSpace(c); c != "" {
				lic.Conditions = append(lic.Conditions, c)
			}
		}
		if err := lic.Validate(); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if _, dup := out[lic.Number]; dup {
			return nil, fmt.Errorf("line %d: the registration number %s is listed twice", line, lic.Number)
		}
		out[lic.Number] = lic
	}
}

// File is a college's exported list, for colleges without an API. The
// file is read again whenever it changes; a file that cannot be read makes
// the registry unavailable.
type File struct {
	Path string

	mu      sync.Mutex
	modTime time.Time
	size    int64
	list    map[string]*portal.Licence
}

// Load reads the file now, so that a bad file is found at start-up.
func (f *File) Load() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.load()
}

func (f *File) load() error {
	st, err := os.Stat(f.Path)
	if err != nil {
		return err
	}
	if f.list != nil && st.ModTime().Equal(f.modTime) && st.Size() == f.size {
		return nil
	}
	fh, err := os.Open(f.Path)
	if err != nil {
		return err
	}
	defer fh.Close()
	list, err := ParseCSV(fh)
	if err != nil {
		return err
	}
	f.list, f.modTime, f.size = list, st.ModTime(), st.Size()
	return nil
}

// LookupLicence implements portal.LicenceRegistry.
func (f *File) LookupLicence(_ context.Context, number string) (*portal.Licence, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.load(); err != nil {
		return nil, unavailable("%s: %v", f.Path, err)
	}
	lic, ok := f.list[number]
	if !ok {
		return nil, nil
	}
	cp := *lic
	return &cp, nil
}
