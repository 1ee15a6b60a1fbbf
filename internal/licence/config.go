package licence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
)

// Config is the licence registry settings file (PORTAL_LICENCE_REGISTRY_FILE):
//
//	{"registries": [
//	  {"college": "cpsbc", "fhir": {"url": "https://registry.example/fhir", "system": "https://fhir.cpsbc.ca/cpsid"}},
//	  {"college": "cpbc", "csv": "/etc/portal/cpbc-licences.csv"}
//	]}
//
// Each registry names one college (portal.CollegeCPSBC, ...) and exactly one
// of fhir or csv. A relative csv path is read from the settings file's folder.
type Config struct {
	Registries []RegistryConfig `json:"registries"`
}

// RegistryConfig is one college's registry.
type RegistryConfig struct {
	College string `json:"college"`
	FHIR    *struct {
		URL                string `json:"url"`
		System             string `json:"system"`
		ConditionExtension string `json:"condition_extension"`
		TokenFile          string `json:"token_file"`
	} `json:"fhir"`
	CSV string `json:"csv"`
}

// ReadConfig reads a settings file and builds its registries; CSV files are
// read at once, so that a bad row stops the portal at start-up.
func ReadConfig(path string) (portal.LicenceRegistries, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Config
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("not a licence registry configuration: %w", err)
	}
	if len(c.Registries) == 0 {
		return nil, errors.New("it names no registry")
	}
	out := portal.LicenceRegistries{}
	var bad []error
	for i, r := range c.Registries {
		where := fmt.Sprintf("registry %d (%s)", i+1, r.College)
		switch {
		case !portal.KnownCollege(r.College):
			bad = append(bad,
				fmt.Errorf("%s: the college %q is not one the portal checks licences with", where, r.College))
			continue
		case out[r.College] != nil:
			bad = append(bad, fmt.Errorf("%s: the college is configured twice", where))
			continue
		case (r.FHIR == nil) == (r.CSV == ""):
			bad = append(bad, fmt.Errorf("%s: give exactly one of fhir or csv", where))
			continue
		}
		if r.CSV != "" {
			p := r.CSV
			if !filepath.IsAbs(p) {
				p = filepath.Join(filepath.Dir(path), p)
			}
			f := &File{Path: p}
			if err := f.Load(); err != nil {
				bad = append(bad, fmt.Errorf("%s: %s: %w", where, p, err))
				continue
			}
			out[r.College] = f
			continue
		}
		u, err := url.Parse(r.FHIR.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad = append(bad, fmt.Errorf("%s: the FHIR url %q is not an http(s) URL", where, r.FHIR.URL))
			continue
		}
		if strings.TrimSpace(r.FHIR.System) == "" {
			bad = append(bad, fmt.Errorf("%s: the FHIR identifier system is missing", where))
			continue
		}
		reg := &FHIR{URL: r.FHIR.URL, System: r.FHIR.System, ConditionExtension: r.FHIR.ConditionExtension}
		if r.FHIR.TokenFile != "" {
			tok, err := os.ReadFile(r.FHIR.TokenFile)
			if err != nil {
				bad = append(bad, fmt.Errorf("%s: %w", where, err))
				continue
			}
			reg.Token = strings.TrimSpace(string(tok))
		}
		out[r.College] = reg
	}
	if err := errors.Join(bad...); err != nil {
		return nil, err
	}
	return out, nil
}
