package portal

import (
	"slices"
	"strings"
	"testing"
)

func TestHealthAuthorityFor(t *testing.T) {
	tests := []struct {
		city, postal string
		want         HealthAuthority
	}{
		{"Vancouver", "V5T 4G5", VancouverCoastalHealth},
		{"Richmond", "V6X 1A1", VancouverCoastalHealth},
		{"North Vancouver", "V7M 1A1", VancouverCoastalHealth},
		{"West Vancouver", "V7T 1A1", VancouverCoastalHealth},
		{"Whistler", "V8E 0A1", VancouverCoastalHealth},
		{"Squamish", "V8B 0A1", VancouverCoastalHealth},
		{"Powell River", "V8A 1A1", VancouverCoastalHealth},
		{"Sechelt", "V0N 3A0", VancouverCoastalHealth},
		{"Burnaby", "V5H 1A1", FraserHealth},
		{"Surrey", "V3T 1A1", FraserHealth},
		{"Langley", "V2Y 1A1", FraserHealth},
		{"Abbotsford", "V2S 1A1", FraserHealth},
		{"Chilliwack", "V2P 1A1", FraserHealth},
		{"Coquitlam", "V3J 1A1", FraserHealth},
		{"Hope", "V0X 1L0", FraserHealth}, // the city decides over the FSA
		{"Kelowna", "V1Y 1A1", InteriorHealth},
		{"Kamloops", "V2C 1A1", InteriorHealth},
		{"Vernon", "V1T 1A1", InteriorHealth},
		{"Penticton", "V2A 1A1", InteriorHealth},
		{"Cranbrook", "V1C 1A1", InteriorHealth},
		{"Nelson", "V1L 1A1", InteriorHealth},
		{"Victoria", "V8W 1A1", IslandHealth},
		{"Saanich", "V8X 1A1", IslandHealth},
		{"Nanaimo", "V9R 1A1", IslandHealth},
		{"Courtenay", "V9N 1A1", IslandHealth},
		{"Campbell River", "V9W 1A1", IslandHealth},
		{"Prince George", "V2L 1A1", NorthernHealth},
		{"Fort St. John", "V1J 1A1", NorthernHealth},
		{"Terrace", "V8G 1A1", NorthernHealth},
		{"Prince Rupert", "V8J 1A1", NorthernHealth},
		// Other spellings of the city.
		{"FORT SAINT JOHN", "", NorthernHealth},
		{"Fort St John", "", NorthernHealth},
		{"N. Vancouver", "", VancouverCoastalHealth},
		{"  west   vancouver ", "", VancouverCoastalHealth},
		// Unknown place: by FSA.
		{"Deep Cove", "V7G 1A1", VancouverCoastalHealth},
		{"Cloverdale", "v3s 1a1", FraserHealth},
		{"Rutland", "V1X1A1", InteriorHealth},
		{"Cobble Hill", "V0R 1L0", IslandHealth},
		{"Hudson's Hope", "V0C 1V0", NorthernHealth},
	}
	for _, tt := range tests {
		t.Run(tt.city, func(t *testing.T) {
			got, ok := HealthAuthorityFor(Address{City: tt.city, Province: "BC", PostalCode: tt.postal})
			if !ok || got != tt.want {
				t.Fatalf("got %q %v, want %q", got, ok, tt.want)
			}
		})
	}
}

func TestHealthAuthorityFor_Unknown(t *testing.T) {
	for _, a := range []Address{
		{City: "Nowhere", Province: "BC", PostalCode: ""},
		{City: "Nowhere", Province: "BC", PostalCode: "V0Z 1A1"},
		{City: "Calgary", Province: "AB", PostalCode: "T2P 1J9"},
		{City: "Vancouver", Province: "WA", PostalCode: ""}, // Vancouver, Washington
	} {
		if got, ok := HealthAuthorityFor(a); ok {
			t.Errorf("%+v: got %q, want none", a, got)
		}
	}
}

func TestMunicipalities(t *testing.T) {
	names := map[string]bool{}
	fsaOwner := map[string]HealthAuthority{}
	largest := 0
	for _, m := range Municipalities {
		key := cityKey(m.Name)
		if names[key] {
			t.Errorf("%s listed twice", m.Name)
		}
		names[key] = true
		if !slices.Contains(HealthAuthorities, m.Authority) {
			t.Errorf("%s: unknown health authority %q", m.Name, m.Authority)
		}
		if m.Population >= 5000 {
			largest++
		}
		for _, f := range m.FSAs {
			if len(f) != 3 || !strings.HasPrefix(f, "V") || NormalizePostalCode(f+"1A1") != f+" 1A1" {
				t.Errorf("%s: FSA %q is not a B.C. FSA", m.Name, f)
			}
			if owner, ok := fsaOwner[f]; ok && owner != m.Authority {
				t.Errorf("FSA %s is listed under %s and %s", f, owner, m.Authority)
			}
			fsaOwner[f] = m.Authority
		}
	}
	if largest < 60 {
		t.Errorf("%d municipalities of 5,000 people or more, want at least 60", largest)
	}
}
