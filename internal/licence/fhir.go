// Package licence holds the adapters to colleges' licence registries
// (portal.LicenceRegistry): an HL7 FHIR R4 Practitioner search, and a
// college's exported list as a CSV file.
package licence

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// DefaultConditionExtension ends the URL of the qualification extension
// that carries a condition on practice, when FHIR.ConditionExtension is
// not set.
const DefaultConditionExtension = "licence-condition"

// MaxPages bounds how many pages of one search the FHIR adapter reads.
const MaxPages = 20

// FHIR asks a FHIR R4 server, such as the B.C. Provider Location Registry
// or a college's registry, with a Practitioner search by identifier:
//
//	GET {URL}/Practitioner?identifier={System}|{number}
//
// The Practitioner whose identifier has that system and value is the
// licence: its name (official, else first), active, and the qualification
// carrying the same identifier (else the first): its code is the licence
// class, its period's end the expiry, and its extensions whose URL ends in
// ConditionExtension the conditions. An inactive Practitioner whose
// qualification has ended has lapsed; otherwise inactive is suspended.
type FHIR struct {
	URL    string // base URL of the FHIR server, no trailing slash
	System string // the identifier system of the college's registration numbers
	// ConditionExtension: see DefaultConditionExtension.
	ConditionExtension string
	Token              string // sent as a bearer token when set
	Client             *http.Client
	Now                func() time.Time
}

// LookupLicence implements portal.LicenceRegistry.
func (f *FHIR) LookupLicence(ctx context.Context, number string) (*portal.Licence, error) {
	next := strings.TrimRight(f.URL, "/") + "/Practitioner?identifier=" + url.QueryEscape(f.System+"|"+number)
	base, err := url.Parse(f.URL)
	if err != nil {
		return nil, unavailable("the registry's URL: %v", err)
	}
	for page := 0; next != "" && page < MaxPages; page++ {
		u, err := url.Parse(next)
		if err != nil || u.Host != base.Host || u.Scheme != base.Scheme {
			return nil, unavailable("the next page %q is not on the registry's server", next)
		}
		b, err := f.get(ctx, next)
		if err != nil {
			return nil, err
		}
		var bundle fhirBundle
		if err := json.Unmarshal(b, &bundle); err != nil {
			return nil, unavailable("the answer is not JSON: %v", err)
		}
		if bundle.ResourceType != "Bundle" {
			return nil, unavailable("the answer is a %q, not a Bundle", bundle.ResourceType)
		}
		for _, e := range bundle.Entry {
			p := e.Resource
			if p.ResourceType != "Practitioner" || !p.hasIdentifier(f.System, number) {
				continue
			}
			return f.licence(p, number), nil
		}
		next = ""
		for _, l := range bundle.Link {
			if l.Relation == "next" {
				next = l.URL
			}
		}
	}
	if next != "" {
		return nil, unavailable("the search has more than %d pages", MaxPages)
	}
	return nil, nil
}

func (f *FHIR) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, unavailable("%v", err)
	}
	req.Header.Set("Accept", "application/fhir+json")
	if f.Token != "" {
		req.Header.Set("Authorization", "Bearer "+f.Token)
	}
	c := f.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, unavailable("%v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, unavailable("reading the answer: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, unavailable("the registry answered %s", resp.Status)
	}
	return b, nil
}

func (f *FHIR) licence(p fhirPractitioner, number string) *portal.Licence {
	lic := &portal.Licence{Number: number, Status: portal.LicenceActive}
	if n := p.name(); n != nil {
		lic.FamilyName = n.Family
		lic.GivenNames = strings.Join(n.Given, " ")
	}
	q := p.qualification(f.System, number)
	ended := false
	if q != nil {
		lic.Class = q.Code.label()
		if end := q.Period.End; len(end) >= len(time.DateOnly) {
			lic.Expires = end[:len(time.DateOnly)]
			now := time.Now
			if f.Now != nil {
				now = f.Now
			}
			ended = lic.Expires < now().Format(time.DateOnly)
		}
		suffix := f.ConditionExtension
		if suffix == "" {
			suffix = DefaultConditionExtension
		}
		for _, x := range q.Extension {
			if strings.HasSuffix(x.URL, suffix) && strings.TrimSpace(x.ValueString) != "" {
				lic.Conditions = append(lic.Conditions, strings.TrimSpace(x.ValueString))
			}
		}
	}
	switch {
	case p.Active != nil && !*p.Active && ended:
		lic.Status = portal.LicenceLapsed
	case p.Active != nil && !*p.Active:
		lic.Status = portal.LicenceSuspended
	}
	return lic
}

func unavailable(format string, args ...any) error {
	return fmt.Errorf("%w: %s", portal.ErrRegistryUnavailable, fmt.Sprintf(format, args...))
}

// The parts of FHIR R4's Bundle and Practitioner the adapter reads.
type fhirBundle struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Link         []struct {
		Relation string `json:"relation"`
		URL      string `json:"url"`
	} `json:"link"`
	Entry []struct {
		Resource fhirPractitioner `json:"resource"`
	} `json:"entry"`
}

type fhirIdentifier struct {
	System string `json:"system"`
	Value  string `json:"value"`
}

type fhirHumanName struct {
	Use    string   `json:"use"`
	Family string   `json:"family"`
	Given  []string `json:"given"`
}

type fhirCodeableConcept struct {
	Coding []struct {
		System  string `json:"system"`
		Code    string `json:"code"`
		Display string `json:"display"`
	} `json:"coding"`
	Text string `json:"text"`
}

func (c fhirCodeableConcept) label() string {
	if c.Text != "" {
		return c.Text
	}
	for _, cd := range c.Coding {
		if cd.Display != "" {
			return cd.Display
		}
		if cd.Code != "" {
			return cd.Code
		}
	}
	return ""
}

type fhirQualification struct {
	Identifier []fhirIdentifier    `json:"identifier"`
	Code       fhirCodeableConcept `json:"code"`
	Period     struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"period"`
	Extension []struct {
		URL         string `json:"url"`
		ValueString string `json:"valueString"`
	} `json:"extension"`
}

type fhirPractitioner struct {
	ResourceType  string              `json:"resourceType"`
	ID            string              `json:"id"`
	Identifier    []fhirIdentifier    `json:"identifier"`
	Active        *bool               `json:"active"`
	Name          []fhirHumanName     `json:"name"`
	Qualification []fhirQualification `json:"qualification"`
}

func hasIdentifier(ids []fhirIdentifier, system, value string) bool {
	for _, id := range ids {
		if id.System == system && id.Value == value {
			return true
		}
	}
	return false
}

func (p fhirPractitioner) hasIdentifier(system, value string) bool {
	return hasIdentifier(p.Identifier, system, value)
}

func (p fhirPractitioner) name() *fhirHumanName {
	for i := range p.Name {
		if p.Name[i].Use == "official" {
			return &p.Name[i]
		}
	}
	if len(p.Name) > 0 {
		return &p.Name[0]
	}
	return nil
}

func (p fhirPractitioner) qualification(system, value string) *fhirQualification {
	for i := range p.Qualification {
		if hasIdentifier(p.Qualification[i].Identifier, system, value) {
			return &p.Qualification[i]
		}
	}
	if len(p.Qualification) > 0 {
		return &p.Qualification[0]
	}
	return nil
}
