package address

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// addressComplete is a stand-in for the AddressComplete service answering
// with the documented response shapes.
func addressComplete(t *testing.T) (*AddressComplete, *[]string) {
	t.Helper()
	var calls []string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /Capture/Interactive/Find/v1.10/json3.ws", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		calls = append(calls, "find "+q.Get("Text")+" "+q.Get("Container"))
		w.Header().Set("Content-Type", "application/json")
		switch {
		case q.Get("Key") != "AA11-AA11-AA11-AA11":
			_, _ = w.Write(
				[]byte(
					`{"Items":[{"Error":"2","Description":"Unknown key","Cause":"The key you are using to access the service was not found.","Resolution":"Please check that the key is correct. It should be in the form AA11-AA11-AA11-AA11."}]}`,
				),
			)
		case q.Get("Countries") != "CAN" || q.Get("IsMiddleware") != "false":
			http.Error(w, "bad parameters", http.StatusBadRequest)
		case q.Get("Text") == "370 Broadway E":
			_, _ = w.Write([]byte(`{"Items":[
				{"Id":"CA|CP|B|0000370|ENG","Type":"BuildingNumber","Text":"370 Broadway E","Highlight":"0-3,4-14","Description":"Vancouver, BC, V5T 4G5 - 7 Addresses"},
				{"Id":"CA|CP|A|11111111","Type":"Address","Text":"101-370 Broadway E","Highlight":"0-3;4-7,8-18","Description":"Vancouver, BC, V5T 4G5"},
				{"Id":"CA|CP|A|11111112","Type":"Address","Text":"102-370 Broadway E","Highlight":"","Description":"Vancouver, BC, V5T 4G5"}]}`))
		default:
			_, _ = w.Write([]byte(`{"Items":[]}`))
		}
	})
	mux.HandleFunc("GET /Capture/Interactive/Retrieve/v1.20/json3.ws", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		calls = append(calls, "retrieve "+q.Get("Id"))
		w.Header().Set("Content-Type", "application/json")
		unit := map[string]string{"CA|CP|A|11111111": "101", "CA|CP|A|11111112": "102"}[q.Get("Id")]
		if unit == "" {
			_, _ = w.Write(
				[]byte(
					`{"Items":[{"Error":"1001","Description":"Id Invalid","Cause":"The Id parameter supplied was invalid.","Resolution":"Try again, using only IDs from the Find services."}]}`,
				),
			)
			return
		}
		_, _ = w.Write([]byte(`{"Items":[
			{"Id":"` + q.Get("Id") + `","DomesticId":"11111111","Language":"ENG","LanguageAlternatives":"ENG,FRE","Department":"","Company":"",
			 "SubBuilding":"` + unit + `","BuildingNumber":"370","BuildingName":"","SecondaryStreet":"","Street":"Broadway E","Block":"",
			 "Neighbourhood":"","District":"","City":"Vancouver","Line1":"` + unit + `-370 Broadway E","Line2":"","Line3":"","Line4":"","Line5":"",
			 "AdminAreaName":"","AdminAreaCode":"","Province":"BC","ProvinceName":"British Columbia","ProvinceCode":"BC",
			 "PostalCode":"V5T 4G5","CountryName":"Canada","CountryIso2":"CA","CountryIso3":"CAN","CountryIsoNumber":124,
			 "SortingNumber1":"","SortingNumber2":"","Barcode":"","POBoxNumber":"","Label":"` + unit + `-370 Broadway E\nVANCOUVER BC  V5T 4G5\nCANADA",
			 "Type":"Residential","DataLevel":"Premise"},
			{"Id":"` + q.Get("Id") + `","Language":"FRE","SubBuilding":"` + unit + `","BuildingNumber":"370","Street":"Broadway E","City":"Vancouver",
			 "ProvinceCode":"BC","PostalCode":"V5T 4G5","CountryIso2":"CA"}]}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &AddressComplete{Key: "AA11-AA11-AA11-AA11", BaseURL: srv.URL, HTTP: srv.Client()}, &calls
}

func TestAddressComplete_Find(t *testing.T) {
	ac, _ := addressComplete(t)
	items, err := ac.Find(context.Background(), "370 Broadway E", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 {
		t.Fatalf("got %d items", len(items))
	}
	want := FindItem{
		ID:          "CA|CP|A|11111111",
		Type:        "Address",
		Text:        "101-370 Broadway E",
		Highlight:   "0-3;4-7,8-18",
		Description: "Vancouver, BC, V5T 4G5",
	}
	if items[1] != want {
		t.Fatalf("got %+v, want %+v", items[1], want)
	}
}

func TestAddressComplete_Retrieve(t *testing.T) {
	ac, _ := addressComplete(t)
	got, err := ac.Retrieve(context.Background(), "CA|CP|A|11111111")
	if err != nil {
		t.Fatal(err)
	}
	if want := broadway101; got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestAddressComplete_ErrorItem(t *testing.T) {
	ac, _ := addressComplete(t)
	ac.Key = "wrong"
	_, err := ac.Find(context.Background(), "370 Broadway E", "")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Number != "2" || apiErr.Description != "Unknown key" ||
		apiErr.Resolution != "Please check that the key is correct. It should be in the form AA11-AA11-AA11-AA11." {
		t.Fatalf("got %v, want the Unknown key error", err)
	}
	ac.Key = "AA11-AA11-AA11-AA11"
	if _, err := ac.Retrieve(context.Background(), "nonsense"); !errors.As(err, &apiErr) || apiErr.Number != "1001" {
		t.Fatalf("retrieve: got %v, want error 1001", err)
	}
}

func TestAddressComplete_Search(t *testing.T) {
	ac, calls := addressComplete(t)
	var p Provider = ac
	got, err := p.Search(context.Background(), "370 Broadway E", 20)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, a := range got {
		lines = append(lines, a.Line())
	}
	if want := []string{"101-370 Broadway E Vancouver, BC, V5T 4G5", "102-370 Broadway E Vancouver, BC, V5T 4G5"}; !slices.Equal(
		lines,
		want,
	) {
		t.Fatalf("got %q, want %q", lines, want)
	}
	// The building container is not retrieved; each address is.
	if want := []string{"find 370 Broadway E ", "retrieve CA|CP|A|11111111", "retrieve CA|CP|A|11111112"}; !slices.Equal(
		*calls,
		want,
	) {
		t.Fatalf("calls %q, want %q", *calls, want)
	}
	if got, err := p.Search(context.Background(), "370 Broadway E", 1); err != nil || len(got) != 1 {
		t.Fatalf("limit 1: %d results, %v", len(got), err)
	}
}

func TestSplitStreet(t *testing.T) {
	for in, want := range map[string][3]string{
		"Broadway E":       {"Broadway", "", "E"},
		"Main St":          {"Main", "St", ""},
		"10th Ave W":       {"10th", "Ave", "W"},
		"Kingsway":         {"Kingsway", "", ""},
		"Fraser Highway":   {"Fraser", "Hwy", ""},
		"St":               {"St", "", ""},
		"Marine Drive Sw":  {"Marine", "Dr", "SW"},
		"West Georgia St":  {"West Georgia", "St", ""},
		"Commercial Drive": {"Commercial", "Dr", ""},
	} {
		name, typ, dir := SplitStreet(in)
		if got := [3]string{name, typ, dir}; got != want {
			t.Errorf("SplitStreet(%q) = %q, want %q", in, got, want)
		}
	}
}
