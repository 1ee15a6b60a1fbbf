package address

import (
	"errors"
	"slices"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
)

func generated(t *testing.T, seed int64, n int) []portal.Address {
	t.Helper()
	var out []portal.Address
	if err := Generate(seed, n, func(a portal.Address) error {
		out = append(out, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGenerate_Deterministic(t *testing.T) {
	a, b := generated(t, 42, 5000), generated(t, 42, 5000)
	if !slices.Equal(a, b) {
		t.Fatal("the same seed gave different addresses")
	}
	if c := generated(t, 43, 5000); slices.Equal(a[len(GuideUnits):], c[len(GuideUnits):]) {
		t.Fatal("different seeds gave the same addresses")
	}
	// A shorter run is the start of a longer one.
	if short := generated(t, 42, 1234); !slices.Equal(short, a[:1234]) {
		t.Fatal("a run of 1234 is not the start of a run of 5000")
	}
}

func TestGenerate_GuideBuildingFirst(t *testing.T) {
	got := generated(t, 1, 20)
	var lines []string
	for _, a := range got[:len(GuideUnits)] {
		lines = append(lines, a.Line())
	}
	want := []string{
		"100-370 Broadway E Vancouver, BC, V5T 4G5", "101-370 Broadway E Vancouver, BC, V5T 4G5",
		"101A-370 Broadway E Vancouver, BC, V5T 4G5", "102-370 Broadway E Vancouver, BC, V5T 4G5",
		"103-370 Broadway E Vancouver, BC, V5T 4G5", "104-370 Broadway E Vancouver, BC, V5T 4G5",
		"105-370 Broadway E Vancouver, BC, V5T 4G5",
	}
	if !slices.Equal(lines, want) {
		t.Fatalf("got %q", lines)
	}
	if n := len(generated(t, 1, 3)); n != 3 {
		t.Fatalf("asked for 3, got %d", n)
	}
	if n := len(generated(t, 1, 0)); n != 0 {
		t.Fatalf("asked for 0, got %d", n)
	}
}

func TestGenerate_Realistic(t *testing.T) {
	const n = 50000
	addrs := generated(t, 7, n)
	if len(addrs) != n {
		t.Fatalf("got %d addresses, want %d", len(addrs), n)
	}
	keys := map[string]bool{}
	cities := map[string]int{}
	units, letterUnits := 0, 0
	for i, a := range addrs {
		if fe := a.Validate(); len(fe) > 0 {
			t.Fatalf("address %d %q is invalid: %v", i, a.Line(), fe)
		}
		norm := a
		norm.Normalize()
		if norm != a {
			t.Fatalf("address %d %q is not normalised: %+v", i, a.Line(), norm)
		}
		k := a.Key()
		if keys[k] {
			t.Fatalf("address %d %q generated twice", i, a.Line())
		}
		keys[k] = true
		cities[a.City]++
		ha, ok := portal.HealthAuthorityFor(a)
		if !ok || ha == "" {
			t.Fatalf("%q: no health authority", a.Line())
		}
		if a.Unit != "" {
			units++
			if strings.HasSuffix(a.Unit, "A") {
				letterUnits++
			}
		}
		if i >= len(GuideUnits) && a.BuildingLine() == GuideBuilding.BuildingLine() {
			t.Fatalf("the guide's building was generated again: %q", a.Line())
		}
	}
	// Weighted by population: the largest cities lead, small towns appear.
	if big := cities["Vancouver"] + cities["Surrey"] + cities["Burnaby"]; big < n/4 ||
		cities["Vancouver"] < cities["Nelson"]*10 ||
		len(cities) < 30 {
		t.Errorf(
			"city mix: Vancouver %d, Surrey %d, Burnaby %d, Nelson %d, %d cities",
			cities["Vancouver"],
			cities["Surrey"],
			cities["Burnaby"],
			cities["Nelson"],
			len(cities),
		)
	}
	if units < n/4 || units > n*3/4 || letterUnits == 0 {
		t.Errorf("%d units (%d with a letter) in %d addresses", units, letterUnits, n)
	}
}

func TestGenerate_EmitError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := Generate(1, 100, func(portal.Address) error {
		calls++
		if calls == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 10 {
		t.Fatalf("got %v after %d calls, want %v after 10", err, calls, stop)
	}
}
