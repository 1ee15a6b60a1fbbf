package licence

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

const cpsid = "https://fhir.cpsbc.ca/cpsid"

// fhirServer answers a Practitioner search with the testdata Bundles: the
// published example Practitioner on the first page, the licence on the
// second (Bundle.link next).
func fhirServer(t *testing.T, end, condition string, active bool) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/fhir/Practitioner" || r.URL.Query().Get("identifier") != cpsid+"|23" {
			t.Errorf("unexpected request %s", r.URL)
			http.NotFound(w, r)
			return
		}
		if got := r.Header.Get("Accept"); got != "application/fhir+json" {
			t.Errorf("Accept %q", got)
		}
		name := "bundle-page1.json"
		if r.URL.Query().Get("page") == "2" {
			name = "bundle-page2.json"
		}
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		s := strings.NewReplacer("{{BASE}}", srv.URL+"/fhir", "{{END}}", end, "{{CONDITION}}", condition).
			Replace(string(b))
		if !active {
			s = strings.Replace(
				s,
				"\"active\": true,\n        \"name\": [\n          {\n            \"use\"",
				"\"active\": false,\n        \"name\": [\n          {\n            \"use\"",
				1,
			)
		}
		w.Header().Set("Content-Type", "application/fhir+json")
		w.Write([]byte(s))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func today() time.Time { return time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC) }

func TestFHIR_LookupLicence(t *testing.T) {
	tests := []struct {
		name      string
		end, cond string
		active    bool
		want      portal.Licence
	}{
		{"Active", "2027-03-31", "", true, portal.Licence{Number: "23", GivenNames: "Adam James", FamilyName: "Careful",
			Status: portal.LicenceActive, Class: "Full", Expires: "2027-03-31"}},
		{
			"Conditions",
			"2027-03-31T23:59:59-08:00",
			"Practice under supervision",
			true,
			portal.Licence{Number: "23", GivenNames: "Adam James",
				FamilyName: "Careful", Status: portal.LicenceActive, Class: "Full", Expires: "2027-03-31", Conditions: []string{"Practice under supervision"}},
		},
		{
			"Suspended",
			"2027-03-31",
			"",
			false,
			portal.Licence{Number: "23", GivenNames: "Adam James", FamilyName: "Careful",
				Status: portal.LicenceSuspended, Class: "Full", Expires: "2027-03-31"},
		},
		{
			"Lapsed",
			"2026-11-30",
			"",
			false,
			portal.Licence{Number: "23", GivenNames: "Adam James", FamilyName: "Careful",
				Status: portal.LicenceLapsed, Class: "Full", Expires: "2026-11-30"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, hits := fhirServer(t, tt.end, tt.cond, tt.active)
			f := &FHIR{URL: srv.URL + "/fhir", System: cpsid, Now: today}
			got, err := f.LookupLicence(context.Background(), "23")
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || !reflect.DeepEqual(*got, tt.want) {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
			// The example Practitioner on page 1 has the value 23 in
			// another system: it is not the licence, so page 2 was read.
			if n := hits.Load(); n != 2 {
				t.Fatalf("%d requests, want 2 (both pages)", n)
			}
		})
	}
}

func TestFHIR_NotFound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"resourceType":"Bundle","type":"searchset","total":0}`))
	}))
	defer srv.Close()
	got, err := (&FHIR{URL: srv.URL, System: cpsid}).LookupLicence(context.Background(), "99999")
	if err != nil || got != nil {
		t.Fatalf("got %+v, %v; want nil, nil", got, err)
	}
}

func TestFHIR_Outage(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{
			"ServerError",
			func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) },
			"registry unavailable: the registry answered 503 Service Unavailable",
		},
		{"NotJSON", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>maintenance</html>")) },
			"registry unavailable: the answer is not JSON"},
		{"OperationOutcome", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"transient"}]}`))
		}, `registry unavailable: the answer is a "OperationOutcome", not a Bundle`},
		{"NextElsewhere", func(w http.ResponseWriter, r *http.Request) {
			w.Write(
				[]byte(
					`{"resourceType":"Bundle","link":[{"relation":"next","url":"https://elsewhere.example/Practitioner?page=2"}]}`,
				),
			)
		}, `registry unavailable: the next page "https://elsewhere.example/Practitioner?page=2" is not on the registry's server`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			_, err := (&FHIR{URL: srv.URL, System: cpsid}).LookupLicence(context.Background(), "23")
			if !errors.Is(err, portal.ErrRegistryUnavailable) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	t.Run("Refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		u := srv.URL
		srv.Close()
		_, err := (&FHIR{URL: u, System: cpsid}).LookupLicence(context.Background(), "23")
		if !errors.Is(err, portal.ErrRegistryUnavailable) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestParseCSV(t *testing.T) {
	good := "number,family_name,given_names,status,class,conditions,expires\n" +
		"P-100,Singh,Priya,active,Full,,2027-06-30\n" +
		"P-200,Lee,Ann,Suspended,Full,Supervision; No opioid prescribing,\n"
	got, err := ParseCSV(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*portal.Licence{
		"P-100": {
			Number:     "P-100",
			FamilyName: "Singh",
			GivenNames: "Priya",
			Status:     "active",
			Class:      "Full",
			Expires:    "2027-06-30",
		},
		"P-200": {Number: "P-200", FamilyName: "Lee", GivenNames: "Ann", Status: "suspended", Class: "Full",
			Conditions: []string{"Supervision", "No opioid prescribing"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v", got)
	}
	bad := []struct{ name, in, want string }{
		{
			"Empty",
			"",
			"the file is empty: its first line must name the columns number, family_name, given_names, status, class, conditions, expires",
		},
		{
			"MissingColumns",
			"number,family_name,status\n",
			"line 1: the column(s) given_names, class, conditions, expires are missing; " +
				"the first line must name number, family_name, given_names, status, class, conditions, expires",
		},
		{"BadStatus", "number,family_name,given_names,status,class,conditions,expires\nP-1,Lee,Ann,retired,,,\n",
			`line 2: the status "retired" is not one of active, lapsed, suspended`},
		{
			"BadDate",
			"number,family_name,given_names,status,class,conditions,expires\nP-1,Lee,Ann,active,,,\nP-2,Ng,Bo,active,,,30/06/2027\n",
			`line 3: the expiry date "30/06/2027" is not a date (YYYY-MM-DD)`,
		},
		{"NoNumber", "number,family_name,given_names,status,class,conditions,expires\n,Lee,Ann,active,,,\n",
			"line 2: the registration number is missing"},
		{
			"Duplicate",
			"number,family_name,given_names,status,class,conditions,expires\nP-1,Lee,Ann,active,,,\nP-1,Lee,Ann,lapsed,,,\n",
			"line 3: the registration number P-1 is listed twice",
		},
		{"ShortRow", "number,family_name,given_names,status,class,conditions,expires\nP-1,Lee\n",
			"record on line 2: wrong number of fields"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCSV(strings.NewReader(tt.in))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestFile_LookupLicence(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cpbc.csv")
	write := func(s string) {
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("number,family_name,given_names,status,class,conditions,expires\nP-100,Singh,Priya,active,Full,,\n")
	f := &File{Path: p}
	if err := f.Load(); err != nil {
		t.Fatal(err)
	}
	lic, err := f.LookupLicence(context.Background(), "P-100")
	if err != nil || lic == nil || lic.Status != portal.LicenceActive {
		t.Fatalf("got %+v, %v", lic, err)
	}
	if lic, err := f.LookupLicence(context.Background(), "P-999"); lic != nil || err != nil {
		t.Fatalf("unknown number: %+v, %v", lic, err)
	}
	// A new export is read again; a broken one makes the registry unavailable.
	write("number,family_name,given_names,status,class,conditions,expires\nP-100,Singh,Priya,lapsed,Full,,2026-11-30\n")
	later := time.Now().Add(time.Minute)
	os.Chtimes(p, later, later)
	if lic, _ := f.LookupLicence(context.Background(), "P-100"); lic == nil || lic.Status != portal.LicenceLapsed {
		t.Fatalf("after a new export: %+v", lic)
	}
	write("number\n")
	os.Chtimes(p, later.Add(time.Minute), later.Add(time.Minute))
	if _, err := f.LookupLicence(context.Background(), "P-100"); !errors.Is(err, portal.ErrRegistryUnavailable) {
		t.Fatalf("broken export: %v", err)
	}
}

func TestReadConfig(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(
		filepath.Join(dir, "cpbc.csv"),
		[]byte("number,family_name,given_names,status,class,conditions,expires\n"),
		0o600,
	)
	write := func(s string) string {
		p := filepath.Join(dir, "registries.json")
		os.WriteFile(p, []byte(s), 0o600)
		return p
	}
	rs, err := ReadConfig(
		write(
			`{"registries":[{"college":"cpsbc","fhir":{"url":"https://registry.example/fhir","system":"` + cpsid + `"}},
		{"college":"cpbc","csv":"cpbc.csv"}]}`,
		),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rs[portal.CollegeCPSBC].(*FHIR); !ok {
		t.Fatalf("cpsbc: %T", rs[portal.CollegeCPSBC])
	}
	if f, ok := rs[portal.CollegeCPBC].(*File); !ok || f.Path != filepath.Join(dir, "cpbc.csv") {
		t.Fatalf("cpbc: %#v", rs[portal.CollegeCPBC])
	}
	bad := []struct{ name, in, want string }{
		{"Empty", `{"registries":[]}`, "it names no registry"},
		{"UnknownCollege", `{"registries":[{"college":"acme","csv":"cpbc.csv"}]}`,
			`registry 1 (acme): the college "acme" is not one the portal checks licences with`},
		{"Both", `{"registries":[{"college":"cpbc","csv":"cpbc.csv","fhir":{"url":"https://x.example","system":"s"}}]}`,
			"registry 1 (cpbc): give exactly one of fhir or csv"},
		{"BadURL", `{"registries":[{"college":"cpsbc","fhir":{"url":"ftp://x.example","system":"s"}}]}`,
			`registry 1 (cpsbc): the FHIR url "ftp://x.example" is not an http(s) URL`},
		{"Twice", `{"registries":[{"college":"cpbc","csv":"cpbc.csv"},{"college":"cpbc","csv":"cpbc.csv"}]}`,
			"registry 2 (cpbc): the college is configured twice"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadConfig(write(tt.in))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v\nwant %s", err, tt.want)
			}
		})
	}
}
