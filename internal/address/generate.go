package address

import (
	"errors"
	"iter"
	"math/rand/v2"
	"strconv"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
)

// GuideBuilding is the building the portal's guide uses as its example. Every
// generated address set starts with its units (GuideUnits), so examples,
// demonstrations and tests can rely on it.
var GuideBuilding = portal.Address{CivicNumber: "370", StreetName: "Broadway", Direction: "E",
	City: "Vancouver", Province: "BC", PostalCode: "V5T 4G5"}

// GuideUnits are the units of GuideBuilding, in natural order.
var GuideUnits = []string{"100", "101", "101A", "102", "103", "104", "105"}

// Generate produces n distinct, valid, synthetic B.C. addresses and passes
// each to emit, stopping at emit's first error. The same seed gives the same
// addresses in the same order. The set is shaped like the real one: real
// municipalities weighted by population with their postal FSAs, plausible
// street names, types and directions (numbered avenues in Vancouver, Surrey's
// grid), civic numbers rising along each street, and apartment buildings
// (more in the dense cities) whose units (100, 101, 101A, 205, PH1...) make
// about half of the addresses. The first addresses are the
// units of GuideBuilding.
func Generate(seed int64, n int, emit func(portal.Address) error) error {
	if n < 0 {
		return errors.New("address: negative count")
	}
	g := newGenerator(seed)
	count := 0
	out := func(a portal.Address) error {
		count++
		return emit(a)
	}
	for _, u := range GuideUnits {
		if count == n {
			return nil
		}
		a := GuideBuilding
		a.Unit = u
		if err := out(a); err != nil {
			return err
		}
	}
	for count < n {
		c := g.pickCity()
		st := g.newStreet(c)
		for b := 0; b < st.buildings && count < n; b++ {
			civic := g.nextCivic(st)
			a := portal.Address{CivicNumber: civic, StreetName: st.name, StreetType: st.typ, Direction: st.dir,
				City: c.name, Province: "BC", PostalCode: g.postalCode(st, civic)}
			units := g.units(c)
			if len(units) == 0 {
				if err := out(a); err != nil {
					return err
				}
				continue
			}
			for _, u := range units {
				if count == n {
					break
				}
				a.Unit = u
				if err := out(a); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

type genCity struct {
	name    string
	weight  int
	fsas    []string
	grid    bool    // Surrey-style numbered grid with five-digit civic numbers
	ordinal bool    // numbered avenues: "10th Ave W"
	towers  float64 // share of buildings with units
	streets map[string]bool
}

type genStreet struct {
	name, typ, dir string
	buildings      int
	civic          int
	step           int
	fsa            string
	ldu            map[int]string // postal LDU per block of 100 civic numbers
	skipGuide      bool
}

type generator struct {
	rng    *rand.Rand
	cities []*genCity
	total  int
}

var gridCities = map[string]bool{"Surrey": true, "Langley": true, "Delta": true,
	"Abbotsford": true, "Maple Ridge": true,
	"White Rock": true, "Mission": true, "Pitt Meadows": true, "Aldergrove": true}
var ordinalCities = map[string]bool{"Vancouver": true, "North Vancouver": true, "Prince George": true, "Kamloops": true,
	"Vernon": true, "Penticton": true, "Fort St. John": true, "Dawson Creek": true, "Cranbrook": true, "Prince Rupert": true}

// denseCities have more apartment buildings than the default share.
var denseCities = map[string]float64{"Vancouver": 0.09, "Burnaby": 0.08, "Richmond": 0.07, "New Westminster": 0.08,
	"Victoria": 0.07, "North Vancouver": 0.06, "Coquitlam": 0.05, "Surrey": 0.04, "Kelowna": 0.04, "West Vancouver": 0.04}

func newGenerator(seed int64) *generator {
	g := &generator{rng: rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))}
	for _, m := range portal.Municipalities {
		if m.Population == 0 || len(m.FSAs) == 0 {
			continue
		}
		towers, ok := denseCities[m.Name]
		if !ok {
			towers = 0.025
		}
		g.cities = append(g.cities, &genCity{name: m.Name, weight: m.Population, fsas: m.FSAs, grid: gridCities[m.Name],
			ordinal: ordinalCities[m.Name], towers: towers, streets: map[string]bool{}})
		g.total += m.Population
	}
	return g
}

func (g *generator) pickCity() *genCity {
	x := g.rng.IntN(g.total)
	for _, c := range g.cities {
		if x < c.weight {
			return c
		}
		x -= c.weight
	}
	return g.cities[len(g.cities)-1]
}

// pick returns a random element, earlier ones more often when skew > 1.
func pick[T any](g *generator, list []T, skew float64) T {
	if skew <= 1 {
		return list[g.rng.IntN(len(list))]
	}
	f := g.rng.Float64()
	for i := 1; i < int(skew); i++ {
		f *= g.rng.Float64()
	}
	return list[int(f*float64(len(list)))]
}

type weighted struct {
	v string
	w int
}

func pickWeighted(g *generator, list []weighted) string {
	total := 0
	for _, x := range list {
		total += x.w
	}
	n := g.rng.IntN(total)
	for _, x := range list {
		if n < x.w {
			return x.v
		}
		n -= x.w
	}
	return list[len(list)-1].v
}

var streetTypeWeights = []weighted{{"St", 24}, {"Ave", 22}, {"Rd", 12}, {"Dr", 10}, {"Pl", 6}, {"Cres", 5}, {"Way", 5},
	{"Crt", 4}, {"Blvd", 3}, {"Ln", 2}, {"Terr", 1}, {"Cir", 1}, {"Close", 1}, {"Gate",
		1}, {"Trail", 1}, {"Hwy", 1}, {"", 1}}

var directionWeights = []weighted{{"", 88}, {"E", 3}, {"W", 3}, {"N", 2}, {"S", 2}, {"NE", 1},
	{"NW", 1}, {"SE", 1}, {"SW", 1}}

// newStreet invents a street not yet in the city.
func (g *generator) newStreet(c *genCity) *genStreet {
	st := &genStreet{ldu: map[int]string{}, fsa: c.fsas[g.rng.IntN(len(c.fsas))]}
	for try := 0; ; try++ {
		switch r := g.rng.Float64(); {
		case c.grid && r < 0.55:
			st.name = strconv.Itoa(g.rng.IntN(200) + 1)
			st.typ = pickWeighted(g, []weighted{{"Ave", 1}, {"St", 1}})
			st.dir = ""
		case c.ordinal && r < 0.3:
			st.name = ordinal(g.rng.IntN(60) + 1)
			st.typ = pickWeighted(g, []weighted{{"Ave", 3}, {"St", 2}})
			st.dir = pickWeighted(g, []weighted{{"E", 1}, {"W", 1}, {"", 1}})
		default:
			st.name = pick(g, streetNames, 2)
			switch {
			case try > 1000:
				st.name += " " + strconv.Itoa(try)
			case try > 20:
				st.name += " " + pick(g, nameSuffixes, 1)
			}
			st.typ = pickWeighted(g, streetTypeWeights)
			if st.typ == "" && g.rng.IntN(4) > 0 {
				st.name = pick(g, unTypedStreets, 1)
			}
			st.dir = pickWeighted(g, directionWeights)
		}
		key := strings.Join(portal.SearchWords(st.name+" "+st.typ+" "+st.dir), " ")
		if !c.streets[key] {
			c.streets[key] = true
			break
		}
	}
	// Buildings per street: mostly short residential streets, some long arterials.
	f := g.rng.Float64()
	st.buildings = 4 + int(f*f*f*300)
	switch {
	case c.grid:
		st.civic = 5000 + g.rng.IntN(14000)
	case g.rng.IntN(3) == 0:
		st.civic = 1 + g.rng.IntN(20)
	default:
		st.civic = 100 * (1 + g.rng.IntN(60))
	}
	st.step = 2 + 2*g.rng.IntN(5)
	st.skipGuide = c.name == GuideBuilding.City && st.name == GuideBuilding.StreetName && st.typ == "" &&
		st.dir == GuideBuilding.Direction
	return st
}

func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}

func (g *generator) nextCivic(st *genStreet) string {
	civic := st.civic
	st.civic += 1 + g.rng.IntN(st.step)
	if st.skipGuide && civic == 370 {
		civic = st.civic
		st.civic += 1 + g.rng.IntN(st.step)
	}
	s := strconv.Itoa(civic)
	if g.rng.IntN(60) == 0 {
		s += "A"
	}
	return s
}

// postalLetters are the letters Canada Post uses in postal codes.
const postalLetters = "ABCEGHJKLMNPRSTVWXYZ"

func (g *generator) postalCode(st *genStreet, civic string) string {
	n, _ := strconv.Atoi(strings.TrimRight(civic, "A"))
	block := n / 100
	ldu, ok := st.ldu[block]
	if !ok {
		ldu = strconv.Itoa(
			g.rng.IntN(10),
		) + string(
			postalLetters[g.rng.IntN(len(postalLetters))],
		) + strconv.Itoa(
			g.rng.IntN(10),
		)
		st.ldu[block] = ldu
	}
	return st.fsa + " " + ldu
}

// units returns the units of a new building, none for most buildings.
func (g *generator) units(c *genCity) []string {
	if g.rng.Float64() >= c.towers {
		return nil
	}
	floors := 2 + int(g.rng.ExpFloat64()*2.5)
	if floors > 30 {
		floors = 30
	}
	perFloor := 2 + g.rng.IntN(8)
	var units []string
	if g.rng.IntN(3) == 0 {
		units = append(units, "100")
	}
	for f := 1; f <= floors; f++ {
		for u := 1; u <= perFloor; u++ {
			n := strconv.Itoa(f*100 + u)
			units = append(units, n)
			if g.rng.IntN(25) == 0 {
				units = append(units, n+"A")
			}
		}
	}
	if floors > 10 {
		for p := 1; p <= 1+g.rng.IntN(3); p++ {
			units = append(units, "PH"+strconv.Itoa(p))
		}
	}
	return units
}

// unTypedStreets are streets whose name has no type.
var unTypedStreets = []string{"Broadway", "Kingsway", "Esplanade", "Lougheed", "Marine",
	"Boundary", "Fraserview", "Quayside",
	"Harbourside", "Riverside", "Lakeshore", "Westview", "Eastview"}

// nameSuffixes make compound names once a city has used the plain ones.
var nameSuffixes = []string{"Creek", "Lake", "Valley", "Meadow", "Glen", "Brook", "Wood", "Field", "Bay", "Landing"}

// streetNames are plausible B.C. street names, the most common first.
var streetNames = []string{
	"Main", "Park", "Oak", "Cedar", "Maple", "Pine", "Hillside", "Lakeview", "Victoria", "Elm", "Birch", "Church",
	"Railway", "River", "Mountain View", "Highland", "Sunset", "Forest", "Meadow", "Spruce", "Fir", "Willow", "Alder",
	"Arbutus", "Hemlock", "Dogwood", "Laurel", "Holly", "Hazel", "Juniper", "Poplar", "Aspen", "Larch", "Cypress",
	"Granville", "Cambie", "Fraser", "Hastings", "Commercial", "Georgia", "Robson", "Davie", "Denman", "Burrard",
	"Knight", "Clark", "Nanaimo", "Renfrew", "Rupert", "Douglas", "Yates", "Fort", "Pandora", "Quadra", "Shelbourne",
	"McKenzie", "Bernard", "Harvey", "Columbia", "Lonsdale", "Johnston", "King George", "Scott", "Fraser Valley",
	"Glenmore", "Westside", "Orchard", "Bayview", "Seaview", "Mountainview", "Sunrise", "Ridgeview", "Valleyview",
	"Kings", "Queens", "Prince", "Princess", "Royal", "Windsor", "Oxford", "Cambridge", "Kent", "Essex", "Dufferin",
	"Wellington", "Cornwall", "Devonshire", "Richmond", "Hamilton", "Lansdowne", "Blanshard", "Cook", "Government",
	"Wharf", "Harbour", "Beach", "Bay", "Shore", "Ocean", "Coast", "Island", "Inlet", "Lake", "Creek",
	"Valley", "Ridge", "Canyon", "Summit", "Glacier", "Alpine", "Cariboo", "Okanagan", "Kootenay", "Thompson",
	"Skeena", "Nechako", "Similkameen", "Shuswap", "Chilcotin", "Coquitlam", "Capilano", "Seymour", "Lynn",
	"Grouse", "Cypress Bowl", "Garibaldi", "Baker", "Cheam", "Golden Ears", "Whonnock", "Haney", "Dewdney Trunk",
	"Lougheed", "Austin", "Como Lake", "Pinetree", "Johnson", "Guildford", "Fleetwood", "Newton", "Cloverdale",
	"Murray", "Glover", "Old Yale", "Mckee", "Gladwin", "Clearbrook", "Sumas", "Vedder",
	"Yale", "Hope", "Trans Canada", "Cowichan", "Dallas", "Uplands", "Cadboro Bay",
	"Finlayson", "Tillicum", "Gorge", "Admirals", "Craigflower", "Sooke", "Goldstream", "Millstream", "Veterans",
	"Jacklin", "Bridge", "Mill", "Station", "Depot", "School", "College", "University", "Hospital", "Market",
	"Water", "Front", "Centre", "Central", "First", "Second", "Third", "Heritage", "Pioneer", "Settlers", "Ranch",
	"Orchard Park", "Vineyard", "Apple", "Cherry", "Peach", "Plum", "Blossom", "Lilac", "Rose", "Tulip", "Daisy",
	"Heather", "Fern", "Moss", "Salal", "Huckleberry", "Salmonberry", "Thimbleberry", "Eagle", "Raven", "Heron",
	"Osprey", "Kingfisher", "Loon", "Otter", "Beaver", "Cougar", "Bear", "Elk", "Deer", "Falcon", "Hawk", "Swan",
	"Côté", "Lévesque", "Bélanger", "Gagné", "Thériault", "St. Andrews", "St. Pauls", "Mount Pleasant", "Mount Seymour",
	"O'Hare", "MacDonald", "McGill", "McBride", "Macleod", "Dunbar", "Kerrisdale", "Marpole", "Fairview", "Kitsilano",
	"Point Grey", "Trutch", "Blenheim", "Balaclava", "Carnarvon", "Collingwood", "Waverley", "Nelson", "Jervis",
	"Bute", "Thurlow", "Hornby", "Howe", "Homer", "Mainland", "Beatty", "Cardero", "Nicola",
	"Broughton", "Gilford", "Chilco", "Haro", "Pender", "Cordova", "Powell", "Alexander", "Gore", "Dunlevy",
	"Jackson", "Princeton", "Templeton", "Garden", "Wall", "Triumph", "Franklin", "Frances",
}

// errStopGenerating ends Generate when the reader of Generated stops.
var errStopGenerating = errors.New("stop generating")

// Generated is Generate as a sequence for store.ImportAddresses; a
// generator error is passed on as the sequence's last element.
func Generated(seed int64, n int) iter.Seq2[portal.Address, error] {
	return func(yield func(portal.Address, error) bool) {
		err := Generate(seed, n, func(a portal.Address) error {
			if !yield(a, nil) {
				return errStopGenerating
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopGenerating) {
			yield(portal.Address{}, err)
		}
	}
}
