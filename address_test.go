package portal

import (
	"slices"
	"strings"
	"testing"
)

func guideUnit(unit string) Address {
	return Address{Unit: unit, CivicNumber: "370", StreetName: "Broadway", Direction: "E", City: "Vancouver",
		Province: "BC", PostalCode: "V5T 4G5"}
}

func TestAddress_Line(t *testing.T) {
	tests := []struct {
		name           string
		a              Address
		line, building string
	}{
		{
			"Guide",
			guideUnit("101"),
			"101-370 Broadway E Vancouver, BC, V5T 4G5",
			"370 Broadway E Vancouver, BC, V5T 4G5",
		},
		{"NoUnit", guideUnit(""), "370 Broadway E Vancouver, BC, V5T 4G5", "370 Broadway E Vancouver, BC, V5T 4G5"},
		{
			"StreetType",
			Address{
				CivicNumber: "1200",
				StreetName:  "Main",
				StreetType:  "St",
				City:        "Penticton",
				Province:    "BC",
				PostalCode:  "V2A 5C9",
			},
			"1200 Main St Penticton, BC, V2A 5C9",
			"1200 Main St Penticton, BC, V2A 5C9",
		},
		{
			"TypeAndDirection",
			Address{
				Unit:        "PH1",
				CivicNumber: "55",
				StreetName:  "10th",
				StreetType:  "Ave",
				Direction:   "W",
				City:        "Vancouver",
				Province:    "BC",
				PostalCode:  "V5Y 1R6",
			},
			"PH1-55 10th Ave W Vancouver, BC, V5Y 1R6",
			"55 10th Ave W Vancouver, BC, V5Y 1R6",
		},
		{"NoPostalCode", Address{CivicNumber: "9", StreetName: "Oak", StreetType: "Rd", City: "Nelson", Province: "BC"},
			"9 Oak Rd Nelson, BC", "9 Oak Rd Nelson, BC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Line(); got != tt.line {
				t.Errorf("Line() = %q, want %q", got, tt.line)
			}
			if got := tt.a.BuildingLine(); got != tt.building {
				t.Errorf("BuildingLine() = %q, want %q", got, tt.building)
			}
		})
	}
}

func TestAddress_Normalize(t *testing.T) {
	tests := []struct {
		name string
		in   Address
		want Address
	}{
		{"AlreadyNormal", guideUnit("101A"), guideUnit("101A")},
		{"LongFormsAndSpaces",
			Address{
				Unit:        " #101a ",
				CivicNumber: "0370",
				StreetName:  "  Broadway ",
				Direction:   "east",
				City:        " Vancouver",
				Province:    "British Columbia",
				PostalCode:  "v5t4g5",
			},
			guideUnit("101A")},
		{
			"UnitWord",
			Address{
				Unit:        "Suite 200",
				CivicNumber: "1",
				StreetName:  "Main",
				StreetType:  "street",
				City:        "Hope",
				Province:    "b.c.",
				PostalCode:  "v0x-1l0",
			},
			Address{
				Unit:        "200",
				CivicNumber: "1",
				StreetName:  "Main",
				StreetType:  "St",
				City:        "Hope",
				Province:    "BC",
				PostalCode:  "V0X 1L0",
			},
		},
		{
			"EmptyProvinceIsBC",
			Address{CivicNumber: "9", StreetName: "Oak", StreetType: "Road", Direction: "Northwest", City: "Nelson"},
			Address{
				CivicNumber: "9",
				StreetName:  "Oak",
				StreetType:  "Rd",
				Direction:   "NW",
				City:        "Nelson",
				Province:    "BC",
			},
		},
		{
			"UnknownTypeKept",
			Address{CivicNumber: "9", StreetName: "Oak", StreetType: "Esplanade", City: "Nelson", Province: "AB"},
			Address{CivicNumber: "9", StreetName: "Oak", StreetType: "Esplanade", City: "Nelson", Province: "AB"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in
			got.Normalize()
			if got != tt.want {
				t.Errorf("got %+v,\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestNormalizePostalCode(t *testing.T) {
	for in, want := range map[string]string{
		"V5T 4G5": "V5T 4G5", "v5t4g5": "V5T 4G5", " v5t-4g5 ": "V5T 4G5", "V5T  4G5": "V5T 4G5",
		"": "", "v5t4g": "V5T4G", "not a code": "NOT A CODE",
	} {
		if got := NormalizePostalCode(in); got != want {
			t.Errorf("NormalizePostalCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAddress_Validate(t *testing.T) {
	tests := []struct {
		name        string
		edit        func(a *Address)
		field, want string
	}{
		{"OK", func(a *Address) {}, "", ""},
		{"OKWithLetterCivicAndAccent", func(a *Address) { a.CivicNumber, a.StreetName = "370A", "Côté" }, "", ""},
		{
			"OKAsTyped",
			func(a *Address) { a.Unit, a.CivicNumber, a.Province, a.PostalCode = "#101a", "370b", "b.c.", "v5t4g5" },
			"",
			"",
		},
		{"EmptyProvinceIsBC", func(a *Address) { a.Province = "" }, "", ""},
		{
			"BadUnit",
			func(a *Address) { a.Unit = "1-2" },
			"unit",
			"Enter the unit as up to 10 letters and digits, for example 101 or 101A.",
		},
		{"NoCivic", func(a *Address) { a.CivicNumber = "" }, "civic_number", "Enter the street number."},
		{
			"BadCivic",
			func(a *Address) { a.CivicNumber = "37OB" },
			"civic_number",
			"Enter the street number as digits, optionally followed by one letter, for example 370 or 370A.",
		},
		{"NoStreet", func(a *Address) { a.StreetName = "" }, "street_name", "Enter the street name."},
		{
			"LongStreet",
			func(a *Address) { a.StreetName = strings.Repeat("A", 61) },
			"street_name",
			"Enter a street name of at most 60 characters.",
		},
		{
			"StreetSymbols",
			func(a *Address) { a.StreetName = "Main <b>" },
			"street_name",
			"Use only letters, digits, spaces, apostrophes, hyphens and periods in the street name.",
		},
		{"NoCity", func(a *Address) { a.City = "" }, "city", "Enter the city."},
		{"NotBC", func(a *Address) { a.Province = "AB" }, "province", "The address must be in British Columbia."},
		{"NoPostalCode", func(a *Address) { a.PostalCode = "" }, "postal_code", "Enter the postal code."},
		{
			"BadPostalCode",
			func(a *Address) { a.PostalCode = "V5T 4G" },
			"postal_code",
			"Enter the postal code in the format A1A 1A1, for example V5T 4G5.",
		},
		{
			"ForbiddenLetter",
			func(a *Address) { a.PostalCode = "V5D 4G5" },
			"postal_code",
			"Enter the postal code in the format A1A 1A1, for example V5T 4G5.",
		},
		{
			"NotBCPostalCode",
			func(a *Address) { a.PostalCode = "T2P 1J9" },
			"postal_code",
			"Enter a British Columbia postal code: they start with V.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := guideUnit("101")
			tt.edit(&a)
			fe := a.Validate()
			if tt.field == "" {
				if len(fe) != 0 {
					t.Fatalf("got %v, want no errors", fe)
				}
				return
			}
			if got := fe[tt.field]; got != tt.want {
				t.Fatalf("%s: got %q, want %q (all: %v)", tt.field, got, tt.want, fe)
			}
			if len(fe) != 1 {
				t.Fatalf("got %v, want only %s", fe, tt.field)
			}
		})
	}
}

func TestAbbreviations(t *testing.T) {
	for _, tt := range []struct{ in, typ, dir string }{
		{"Street", "St", ""}, {"st.", "St", ""}, {"AVENUE", "Ave", ""}, {"Av", "Ave", ""}, {"Road", "Rd", ""},
		{"Boulevard", "Blvd", ""}, {"Drive", "Dr", ""}, {"Crescent", "Cres", ""}, {"Highway", "Hwy", ""},
		{"Place", "Pl", ""}, {"Court", "Crt", ""}, {"Ct", "Crt", ""}, {"Way", "Way", ""}, {"Lane", "Ln", ""},
		{"East", "", "E"}, {"w", "", "W"}, {"North", "", "N"}, {"South", "", "S"}, {"Northeast", "", "NE"},
		{"nw", "", "NW"}, {"Southeast", "", "SE"}, {"SOUTHWEST", "", "SW"},
	} {
		typ, _ := StreetTypeAbbr(tt.in)
		dir, _ := DirectionAbbr(tt.in)
		if typ != tt.typ || dir != tt.dir {
			t.Errorf("%q: type %q direction %q, want %q and %q", tt.in, typ, dir, tt.typ, tt.dir)
		}
	}
	if _, ok := StreetTypeAbbr("Broadway"); ok {
		t.Error("Broadway is not a street type")
	}
}

func TestSearchWords(t *testing.T) {
	for in, want := range map[string][]string{
		"370 Broadway East": {"370", "broadway", "e"},
		"370 BROADWAY E":    {"370", "broadway", "e"},
		"370 Broadwáy":      {"370", "broadway"},
		"101-370 Broadway E Vancouver, BC, V5T 4G5": {"101", "370", "broadway", "e", "vancouver", "bc", "v5t", "4g5"},
		"Main Street":            {"main", "st"},
		"Main St.":               {"main", "st"},
		"Fort Saint John":        {"fort", "st", "john"},
		"O'Hare Road North-West": {"ohare", "rd", "n", "w"},
		"Côté Avenue":            {"cote", "ave"},
		"":                       nil,
	} {
		got := SearchWords(in)
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("SearchWords(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExpandPrefix(t *testing.T) {
	for in, want := range map[string][]string{
		"ea":     {"e"},
		"east":   {"e"},
		"e":      nil, // "e" already starts east's canonical form
		"ro":     {"rd"},
		"no":     {"n", "ne", "nw"},
		"northw": {"nw"},
		"bou":    {"blvd"},
		"co":     {"crt"},
		"st":     nil,
		"av":     nil,
		"sa":     {"st"}, // saint
		"zz":     nil,
	} {
		if got := ExpandPrefix(in); !slices.Equal(got, want) {
			t.Errorf("ExpandPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUnitSortKey(t *testing.T) {
	units := []string{"PH1", "102", "101A", "1001", "", "100", "101", "9", "B", "105", "101a"}
	slices.SortStableFunc(units, func(a, b string) int {
		ka, kb := UnitSortKey(a), UnitSortKey(b)
		switch {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return 0
	})
	want := []string{"", "9", "100", "101", "101A", "101a", "102", "105", "1001", "B", "PH1"}
	if !slices.Equal(units, want) {
		t.Fatalf("got %q, want %q", units, want)
	}
}

func TestCivicSortKey(t *testing.T) {
	civics := []string{"9", "10", "370", "370A", "370B", "371", "12000"}
	for i := 1; i < len(civics); i++ {
		if CivicSortKey(civics[i-1]) >= CivicSortKey(civics[i]) {
			t.Errorf("%s should sort before %s", civics[i-1], civics[i])
		}
	}
}

func TestAddress_Key(t *testing.T) {
	a := Address{
		Unit:        "101",
		CivicNumber: "370",
		StreetName:  "BROADWAY",
		Direction:   "East",
		City:        "vancouver",
		Province:    "BC",
		PostalCode:  "v5t4g5",
	}
	b := guideUnit("101")
	if a.Key() != b.Key() {
		t.Fatalf("keys differ: %q and %q", a.Key(), b.Key())
	}
	if b.Key() == guideUnit("101A").Key() {
		t.Fatal("units 101 and 101A have the same key")
	}
}
