package portal

import "strings"

// HealthAuthority is one of B.C.'s five regional health authorities.
type HealthAuthority string

// The regional health authorities.
const (
	FraserHealth           HealthAuthority = "Fraser Health"
	InteriorHealth         HealthAuthority = "Interior Health"
	IslandHealth           HealthAuthority = "Island Health"
	NorthernHealth         HealthAuthority = "Northern Health"
	VancouverCoastalHealth HealthAuthority = "Vancouver Coastal Health"
)

// HealthAuthorities lists the regional health authorities in alphabetical order.
var HealthAuthorities = []HealthAuthority{FraserHealth, InteriorHealth, IslandHealth,
	NorthernHealth, VancouverCoastalHealth}

// Municipality is a B.C. city, town, district or community as it appears in
// addresses, with the health authority that serves it and the forward
// sortation areas (first three characters of the postal code) of its mail.
type Municipality struct {
	Name       string
	Authority  HealthAuthority
	Population int      // 2021 census, rounded; weights synthetic address sets
	FSAs       []string // each FSA is listed under one health authority only
}

// Municipalities maps B.C. places to their health authority: the largest
// municipalities, then smaller towns and communities. A rural FSA (V0x)
// covers a wide area; it is listed under the place whose health authority
// serves most of it, and left out where that is not clear, so the city
// decides. The table is data: change it here and nowhere else.
var Municipalities = []Municipality{
	{"Vancouver", VancouverCoastalHealth, 662000,
		fsas(
			"V5K V5L V5M V5N V5P V5R V5S V5T V5V V5W V5X V5Y V5Z V6A V6B V6C V6E V6G V6H V6J V6K V6L V6M V6N V6P V6R V6S V6T V6Z V7X V7Y",
		)},
	{"Surrey", FraserHealth, 568000, fsas("V3R V3S V3T V3V V3W V3X V3Z V4A V4N V4P")},
	{"Burnaby", FraserHealth, 249000, fsas("V5A V5B V5C V5E V5G V5H V5J V3N")},
	{"Richmond", VancouverCoastalHealth, 210000, fsas("V6V V6W V6X V6Y V7A V7B V7C V7E")},
	{"Langley", FraserHealth, 161000, fsas("V1M V2Y V2Z V3A")},
	{"Abbotsford", FraserHealth, 154000, fsas("V2S V2T V3G V4X")},
	{"Coquitlam", FraserHealth, 149000, fsas("V3J V3K V3E")},
	{"North Vancouver", VancouverCoastalHealth, 146000, fsas("V7G V7H V7J V7K V7L V7M V7N V7P V7R")},
	{"Kelowna", InteriorHealth, 145000, fsas("V1P V1V V1W V1X V1Y")},
	{"Saanich", IslandHealth, 118000, fsas("V8N V8P V8X V8Y V8Z V9E")},
	{"Delta", FraserHealth, 108000, fsas("V4C V4E V4G V4K V4L V4M")},
	{"Nanaimo", IslandHealth, 100000, fsas("V9R V9S V9T V9V V9X")},
	{"Kamloops", InteriorHealth, 98000, fsas("V1S V2B V2C V2E V2H")},
	{"Chilliwack", FraserHealth, 93000, fsas("V2P V2R V4Z")},
	{"Victoria", IslandHealth, 92000, fsas("V8R V8S V8T V8V V8W V9A")},
	{"Maple Ridge", FraserHealth, 91000, fsas("V2W V2X V4R")},
	{"New Westminster", FraserHealth, 79000, fsas("V3L V3M")},
	{"Prince George", NorthernHealth, 77000, fsas("V2K V2L V2M V2N")},
	{"Port Coquitlam", FraserHealth, 61000, fsas("V3B V3C")},
	{"Langford", IslandHealth, 47000, fsas("V9B")},
	{"Vernon", InteriorHealth, 45000, fsas("V1B V1H V1T")},
	{"West Vancouver", VancouverCoastalHealth, 44000, fsas("V7S V7T V7V V7W")},
	{"Mission", FraserHealth, 42000, fsas("V2V V4S")},
	{"Penticton", InteriorHealth, 37000, fsas("V2A")},
	{"West Kelowna", InteriorHealth, 36000, fsas("V1Z V4T")},
	{"Campbell River", IslandHealth, 36000, fsas("V9H V9W")},
	{"Port Moody", FraserHealth, 34000, fsas("V3H")},
	{"North Cowichan", IslandHealth, 32000, fsas("V9L")},
	{"Courtenay", IslandHealth, 28000, fsas("V9J V9N")},
	{"Squamish", VancouverCoastalHealth, 24000, fsas("V8B")},
	{"White Rock", FraserHealth, 22000, fsas("V4B")},
	{"Fort St. John", NorthernHealth, 21000, fsas("V1J")},
	{"Cranbrook", InteriorHealth, 20000, fsas("V1C")},
	{"Salmon Arm", InteriorHealth, 19000, fsas("V1E")},
	{"Colwood", IslandHealth, 19000, fsas("V9C")},
	{"Pitt Meadows", FraserHealth, 19000, fsas("V3Y")},
	{"Port Alberni", IslandHealth, 18000, fsas("V9Y")},
	{"Oak Bay", IslandHealth, 18000, nil},
	{"Esquimalt", IslandHealth, 18000, nil},
	{"Central Saanich", IslandHealth, 17000, fsas("V8M")},
	{"Lake Country", InteriorHealth, 16000, fsas("V4V")},
	{"Sooke", IslandHealth, 15000, fsas("V9Z")},
	{"Comox", IslandHealth, 15000, fsas("V9M")},
	{"Whistler", VancouverCoastalHealth, 14000, fsas("V8E")},
	{"Powell River", VancouverCoastalHealth, 14000, fsas("V8A")},
	{"Parksville", IslandHealth, 14000, fsas("V9P")},
	{"Dawson Creek", NorthernHealth, 12000, fsas("V1G")},
	{"Prince Rupert", NorthernHealth, 12000, fsas("V8J")},
	{"North Saanich", IslandHealth, 12000, fsas("V8L")},
	{"Sidney", IslandHealth, 12000, nil},
	{"Salt Spring Island", IslandHealth, 12000, fsas("V8K")},
	{"Terrace", NorthernHealth, 12000, fsas("V8G")},
	{"View Royal", IslandHealth, 12000, nil},
	{"Summerland", InteriorHealth, 12000, fsas("V0H")},
	{"Coldstream", InteriorHealth, 11000, nil},
	{"Nelson", InteriorHealth, 11000, fsas("V1L")},
	{"Williams Lake", InteriorHealth, 11000, fsas("V2G V0L")},
	{"Sechelt", VancouverCoastalHealth, 11000, fsas("V7Z V0N")},
	{"Quesnel", NorthernHealth, 10000, fsas("V2J")},
	{"Qualicum Beach", IslandHealth, 9000, fsas("V9K")},
	{"Ladysmith", IslandHealth, 9000, fsas("V9G")},
	{"Castlegar", InteriorHealth, 8000, fsas("V1N")},
	{"Revelstoke", InteriorHealth, 8000, fsas("V0E")},
	{"Kitimat", NorthernHealth, 8000, fsas("V8C")},
	{"Kimberley", InteriorHealth, 8000, fsas("V1A")},
	{"Trail", InteriorHealth, 8000, fsas("V1R")},
	{"Merritt", InteriorHealth, 7000, fsas("V1K")},
	{"Hope", FraserHealth, 7000, nil},
	{"Fernie", InteriorHealth, 6000, fsas("V0B")},
	{"Agassiz", FraserHealth, 6000, fsas("V0M")},
	{"Peachland", InteriorHealth, 6000, nil},
	{"Creston", InteriorHealth, 6000, nil},
	{"Osoyoos", InteriorHealth, 6000, nil},
	{"Smithers", NorthernHealth, 5000, fsas("V0J")},
	{"Armstrong", InteriorHealth, 5000, nil},
	{"Duncan", IslandHealth, 5000, nil},
	{"Oliver", InteriorHealth, 5000, nil},
	{"Gibsons", VancouverCoastalHealth, 5000, nil},
	{"Cumberland", IslandHealth, 4000, fsas("V0R")},
	{"Vanderhoof", NorthernHealth, 4000, nil},
	{"Bowen Island", VancouverCoastalHealth, 4000, nil},
	{"Grand Forks", InteriorHealth, 4000, nil},
	{"Rossland", InteriorHealth, 4000, fsas("V0G")},
	{"Sparwood", InteriorHealth, 4000, nil},
	{"Golden", InteriorHealth, 4000, fsas("V0A")},
	{"Invermere", InteriorHealth, 4000, nil},
	{"Port Hardy", IslandHealth, 4000, nil},
	{"Pemberton", VancouverCoastalHealth, 3000, nil},
	{"Enderby", InteriorHealth, 3000, nil},
	{"Lake Cowichan", IslandHealth, 3000, nil},
	{"Fort Nelson", NorthernHealth, 3000, fsas("V0C")},
	{"Princeton", InteriorHealth, 3000, fsas("V0X")},
	{"Tofino", IslandHealth, 3000, nil},
	{"Mackenzie", NorthernHealth, 3000, nil},
	{"Chetwynd", NorthernHealth, 2000, nil},
	{"Tumbler Ridge", NorthernHealth, 2000, nil},
	{"Lillooet", InteriorHealth, 2000, nil},
	{"100 Mile House", InteriorHealth, 2000, fsas("V0K")},
	{"Ucluelet", IslandHealth, 2000, nil},
	{"Harrison Hot Springs", FraserHealth, 2000, nil},
	{"Burns Lake", NorthernHealth, 2000, nil},
	{"Fort St. James", NorthernHealth, 1000, nil},
	{"Masset", NorthernHealth, 1000, fsas("V0T")},
	{"Quadra Island", IslandHealth, 3000, fsas("V0P")},
	{"Port Renfrew", IslandHealth, 100, fsas("V0S")},
	{"Atlin", NorthernHealth, 400, fsas("V0W")},
	{"Valemount", NorthernHealth, 1000, nil},
	{"Bella Coola", VancouverCoastalHealth, 2000, nil},
	{"Ladner", FraserHealth, 0, nil},
	{"Tsawwassen", FraserHealth, 0, nil},
	{"Aldergrove", FraserHealth, 0, fsas("V4W")},
	{"Sardis", FraserHealth, 0, nil},
	{"Anmore", FraserHealth, 2000, nil},
	{"Belcarra", FraserHealth, 700, nil},
	{"Lions Bay", VancouverCoastalHealth, 1400, nil},
	{"Metchosin", IslandHealth, 5000, nil},
	{"Highlands", IslandHealth, 2500, nil},
	{"Lantzville", IslandHealth, 4000, nil},
	{"Chemainus", IslandHealth, 0, nil},
	{"Saanichton", IslandHealth, 0, nil},
	{"Brentwood Bay", IslandHealth, 0, nil},
}

func fsas(s string) []string { return strings.Fields(s) }

// cityAuthority and fsaAuthority index Municipalities by place and by FSA.
var cityAuthority, fsaAuthority = func() (map[string]HealthAuthority, map[string]HealthAuthority) {
	byCity := map[string]HealthAuthority{}
	byFSA := map[string]HealthAuthority{}
	for _, m := range Municipalities {
		byCity[cityKey(m.Name)] = m.Authority
		for _, f := range m.FSAs {
			byFSA[f] = m.Authority
		}
	}
	return byCity, byFSA
}()

// cityKey is the comparable form of a place name: "Fort St. John", "FORT
// SAINT JOHN" and "Fort St John" are one key.
func cityKey(name string) string { return strings.Join(SearchWords(name), " ") }

// HealthAuthorityFor returns the health authority serving a B.C. address:
// by its city, or, when the city is not in Municipalities, by the forward
// sortation area of its postal code. It reports false for addresses
// outside B.C. and for places it cannot tell.
func HealthAuthorityFor(a Address) (HealthAuthority, bool) {
	if !IsBCProvince(a.Province) {
		return "", false
	}
	if ha, ok := cityAuthority[cityKey(a.City)]; ok {
		return ha, true
	}
	pc := NormalizePostalCode(a.PostalCode)
	if len(pc) < 3 {
		return "", false
	}
	ha, ok := fsaAuthority[pc[:3]]
	return ha, ok
}
