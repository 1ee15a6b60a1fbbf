package store_test

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/address"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// seq yields addresses for ImportAddresses.
func seq(addrs ...portal.Address) iter.Seq2[portal.Address, error] {
	return func(yield func(portal.Address, error) bool) {
		for _, a := range addrs {
			if !yield(a, nil) {
				return
			}
		}
	}
}

func addr(unit, civic, name, typ, dir, city, postal string) portal.Address {
	return portal.Address{Unit: unit, CivicNumber: civic, StreetName: name, StreetType: typ, Direction: dir,
		City: city, Province: "BC", PostalCode: postal}
}

// searchFixture is a small index around the guide's building, its units
// imported out of order.
var searchFixture = []portal.Address{
	addr("103", "370", "Broadway", "", "E", "Vancouver", "V5T 4G5"),
	addr("", "370", "Broadway", "", "W", "Vancouver", "V5Y 1P1"),
	addr("101A", "370", "Broadway", "", "E", "Vancouver", "V5T 4G5"),
	addr("100", "370", "Broadway", "", "E", "Vancouver", "V5T 4G5"),
	addr("105", "370", "Broadway", "", "E", "Vancouver", "V5T 4G5"),
	addr("", "3701", "Broadway", "", "E", "Vancouver", "V5K 1A1"),
	addr("101", "370", "Broadway", "", "East", "Vancouver", "V5T 4G5"),
	addr("104", "370", "Broadway", "", "E", "Vancouver", "V5T 4G5"),
	addr("102", "370", "Broadway", "", "E", "Vancouver", "v5t4g5"),
	addr("", "12", "Main", "Street", "", "Vancouver", "V6A 2S5"),
	addr("", "14", "Main", "St", "", "Vancouver", "V6A 2S5"),
	addr("", "880", "Main", "Street", "", "Penticton", "V2A 5C9"),
	addr("", "1200", "Côté", "Ave", "", "Coquitlam", "V3J 1A1"),
	addr("", "45", "Mainland", "St", "", "Vancouver", "V6B 2T5"),
	addr("", "2150", "Broadway", "", "E", "Vancouver", "V5N 1C2"),
	addr("370", "2150", "Broadway", "", "E", "Vancouver", "V5N 1C2"),
	addr("", "9", "Oak", "Road", "N", "Richmond", "V6X 1A1"),
}

func mustImport(t *testing.T, db *store.DB, addrs ...portal.Address) (inserted, skipped int) {
	t.Helper()
	inserted, skipped, err := db.ImportAddresses(context.Background(), seq(addrs...), 4, nil)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return inserted, skipped
}

func lines(addrs []portal.Address) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.Line()
	}
	return out
}

func mustSearch(t *testing.T, db *store.DB, q string, limit int) []portal.Address {
	t.Helper()
	got, err := db.Read().SearchAddresses(context.Background(), q, limit)
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return got
}

func TestStore_SearchAddresses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mustImport(t, db, searchFixture...)
		guide := []string{
			"100-370 Broadway E Vancouver, BC, V5T 4G5",
			"101-370 Broadway E Vancouver, BC, V5T 4G5",
			"101A-370 Broadway E Vancouver, BC, V5T 4G5",
			"102-370 Broadway E Vancouver, BC, V5T 4G5",
			"103-370 Broadway E Vancouver, BC, V5T 4G5",
			"104-370 Broadway E Vancouver, BC, V5T 4G5",
			"105-370 Broadway E Vancouver, BC, V5T 4G5",
		}

		t.Run("UnitsOfTheBuildingFirst", func(t *testing.T) {
			got := lines(mustSearch(t, db, "370 Broadway E", 20))
			if len(got) < len(guide) || !slices.Equal(got[:len(guide)], guide) {
				t.Fatalf("got %q,\nwant first %q", got, guide)
			}
		})
		t.Run("SameAddressesAnySpelling", func(t *testing.T) {
			for _, q := range []string{"370 broadway east", "370 BROADWAY E", "370 Broadwáy", "370 Broadway E.", "370 broadway ea",
				"370 Broadway E Vancouver, BC", "370 broadway e vancouver bc v5t 4g5", "370 broadway e vancouver bc v5t4g5"} {
				got := lines(mustSearch(t, db, q, 20))
				if len(got) < len(guide) || !slices.Equal(got[:len(guide)], guide) {
					t.Errorf("%q: got %q", q, got)
				}
			}
		})
		t.Run("StreetTypeBothWays", func(t *testing.T) {
			st := lines(mustSearch(t, db, "Main St", 20))
			street := lines(mustSearch(t, db, "Main Street", 20))
			want := []string{
				"12 Main St Vancouver, BC, V6A 2S5",
				"14 Main St Vancouver, BC, V6A 2S5",
				"880 Main St Penticton, BC, V2A 5C9",
			}
			for _, got := range [][]string{st, street} {
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("got %q, want %q", got, want)
				}
			}
		})
		t.Run("PartialWordsAndAbbreviations", func(t *testing.T) {
			for q, want := range map[string]string{
				"9 oak ro":           "9 Oak Rd N Richmond, BC, V6X 1A1",
				"9 Oak Rd North":     "9 Oak Rd N Richmond, BC, V6X 1A1",
				"Oak Road Nor":       "9 Oak Rd N Richmond, BC, V6X 1A1",
				"1200 cote":          "1200 Côté Ave Coquitlam, BC, V3J 1A1",
				"COTÉ AVENUE":        "1200 Côté Ave Coquitlam, BC, V3J 1A1",
				"mainla":             "45 Mainland St Vancouver, BC, V6B 2T5",
				"3701 b":             "3701 Broadway E Vancouver, BC, V5K 1A1",
				"Penticton 880":      "880 Main St Penticton, BC, V2A 5C9",
				"V2A 5C9":            "880 Main St Penticton, BC, V2A 5C9",
				"v2a5c":              "880 Main St Penticton, BC, V2A 5C9",
				"Penticton BC":       "880 Main St Penticton, BC, V2A 5C9", // the province need not match
				"penticton, bc, v2a": "880 Main St Penticton, BC, V2A 5C9",
			} {
				got := lines(mustSearch(t, db, q, 20))
				if len(got) == 0 || got[0] != want {
					t.Errorf("%q: got %q, want %q first", q, got, want)
				}
			}
		})
		t.Run("UnitCivic", func(t *testing.T) {
			got := lines(mustSearch(t, db, "101-370 Broadway", 20))
			if len(got) == 0 || got[0] != guide[1] {
				t.Fatalf("got %q, want %q first", got, guide[1])
			}
		})
		t.Run("WordsInAnyOrder", func(t *testing.T) {
			got := lines(mustSearch(t, db, "Broadway E 370", 20))
			for _, want := range append(guide, "370-2150 Broadway E Vancouver, BC, V5N 1C2") {
				if !slices.Contains(got, want) {
					t.Errorf("missing %q in %q", want, got)
				}
			}
		})
		t.Run("ShortQueriesFindNothing", func(t *testing.T) {
			for _, q := range []string{"", "  ", "37", " 3 ", "é", "a b"[:2]} {
				if got := mustSearch(t, db, q, 20); len(got) != 0 {
					t.Errorf("%q: got %q, want nothing", q, lines(got))
				}
			}
		})
		t.Run("ShortPrefixOfManyWords", func(t *testing.T) {
			// 45 civic numbers starting with 1 and 100: more words than a
			// prefix is expanded to.
			var elm []portal.Address
			for n := 1000; n < 1045; n++ {
				elm = append(elm, addr("", strconv.Itoa(n), "Elm", "St", "", "Nelson", "V1L 1A1"))
			}
			mustImport(t, db, elm...)
			for q, want := range map[string]int{"Nelson 1": 20, "Nelson 100": 10, "Nelson 1003": 1, "Nelson 104": 5, "elm nelson 9": 0} {
				got := mustSearch(t, db, q, 20)
				if len(got) != want {
					t.Errorf("%q: %d results, want %d: %q", q, len(got), want, lines(got))
				}
				for _, a := range got {
					prefix := strings.Fields(q)[1]
					if a.City != "Nelson" || !strings.HasPrefix(a.CivicNumber, prefix) {
						t.Errorf("%q found %q", q, a.Line())
					}
				}
			}
		})
		t.Run("Limit", func(t *testing.T) {
			if got := mustSearch(t, db, "370 Broadway", 3); len(got) != 3 {
				t.Fatalf("got %d results, want 3", len(got))
			}
		})
		t.Run("NoMatch", func(t *testing.T) {
			for _, q := range []string{"zzz", "370 Nowhere", "bc", "!!!"} {
				if got := mustSearch(t, db, q, 20); len(got) != 0 {
					t.Errorf("%q: got %q, want nothing", q, lines(got))
				}
			}
		})
	})
}

func TestStore_ImportAddresses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		inserted, skipped := mustImport(t, db, searchFixture...)
		// "12 Main Street" and "14 Main St" differ; nothing in the fixture is a duplicate.
		if inserted != len(searchFixture) || skipped != 0 {
			t.Fatalf("first import: inserted %d skipped %d, want %d and 0", inserted, skipped, len(searchFixture))
		}
		t.Run("Idempotent", func(t *testing.T) {
			var progress []int
			inserted, skipped, err := db.ImportAddresses(
				ctx,
				seq(searchFixture...),
				5,
				func(n int) { progress = append(progress, n) },
			)
			if err != nil {
				t.Fatal(err)
			}
			if inserted != 0 || skipped != len(searchFixture) {
				t.Fatalf("second import: inserted %d skipped %d, want 0 and %d", inserted, skipped, len(searchFixture))
			}
			if want := []int{5, 10, 15, 17}; !slices.Equal(progress, want) {
				t.Fatalf("progress %v, want %v", progress, want)
			}
		})
		t.Run("OtherSpellingIsTheSameAddress", func(t *testing.T) {
			inserted, skipped := mustImport(t, db, addr("101", "370", "BROADWAY", "", "east", "vancouver", "V5T4G5"),
				addr("", "12", "Main", "St.", "", "Vancouver", "V6A 2S5"))
			if inserted != 0 || skipped != 2 {
				t.Fatalf("inserted %d skipped %d, want 0 and 2", inserted, skipped)
			}
		})
		t.Run("DuplicatesInOneBatch", func(t *testing.T) {
			a := addr("", "77", "Pine", "Cres", "", "Kamloops", "V2B 1A1")
			inserted, skipped := mustImport(t, db, a, a, a)
			if inserted != 1 || skipped != 2 {
				t.Fatalf("inserted %d skipped %d, want 1 and 2", inserted, skipped)
			}
		})
		t.Run("Count", func(t *testing.T) {
			n, err := db.Read().CountAddresses(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(searchFixture)+1 {
				t.Fatalf("count %d, want %d", n, len(searchFixture)+1)
			}
		})
		t.Run("InvalidAddressStops", func(t *testing.T) {
			_, _, err := db.ImportAddresses(ctx, seq(addr("", "", "Pine", "", "", "Kamloops", "V2B 1A1")), 10, nil)
			fe, ok := portal.AsFieldErrors(err)
			if !ok || fe["civic_number"] == "" {
				t.Fatalf("got %v, want a civic_number field error", err)
			}
		})
		t.Run("ReadErrorStops", func(t *testing.T) {
			boom := errors.New("disk on fire")
			rows := func(yield func(portal.Address, error) bool) {
				if yield(addr("", "1", "Fir", "St", "", "Nelson", "V1L 1A1"), nil) {
					yield(portal.Address{}, boom)
				}
			}
			if _, _, err := db.ImportAddresses(ctx, rows, 10, nil); !errors.Is(err, boom) {
				t.Fatalf("got %v, want %v", err, boom)
			}
		})
	})
}

func TestStore_FindAddressByID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mustImport(t, db, searchFixture...)
		found := mustSearch(t, db, "101-370 Broadway E", 1)
		if len(found) != 1 {
			t.Fatalf("found %d, want 1", len(found))
		}
		got, err := db.Read().FindAddressByID(ctx, found[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		want := portal.Address{ID: found[0].ID, Unit: "101", CivicNumber: "370", StreetName: "Broadway", Direction: "E",
			City: "Vancouver", Province: "BC", PostalCode: "V5T 4G5"}
		if *got != want {
			t.Fatalf("got %+v, want %+v", *got, want)
		}
		_, err = db.Read().FindAddressByID(ctx, 999999)
		if portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("missing id: got %v, want not found", err)
		}
	})
}

func TestStore_SearchAddressesGroupsBuildings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mustImport(t, db, searchFixture...)
		got := mustSearch(t, db, "Broadway", 50)
		// Each building's addresses are together.
		seen := map[string]bool{}
		prev := ""
		for _, a := range got {
			b := a.BuildingLine()
			if b != prev && seen[b] {
				t.Fatalf("building %q split in %q", b, lines(got))
			}
			seen[b], prev = true, b
		}
		// By street, then civic number: 370 Broadway E's units come before 2150 and 3701.
		if got[0].Line() != "100-370 Broadway E Vancouver, BC, V5T 4G5" ||
			!strings.HasPrefix(got[7].Line(), "2150 Broadway E") {
			t.Fatalf("street search in civic number order: got %q", lines(got))
		}
	})
}

// TestStore_SearchAddressesMatchAllWords checks, on a generated index large
// enough for words to be common, that every result holds every word of the
// query (the last as a prefix) and that a search finds up to its limit
// whenever the index holds that many matches.
func TestStore_SearchAddressesMatchAllWords(t *testing.T) {
	const n = 4000
	var addrs []portal.Address
	if err := address.Generate(11, n, func(a portal.Address) error {
		addrs = append(addrs, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// matches reports whether a holds the words of q: all complete words,
	// and a word starting with the last one (or equal to an alternative).
	matches := func(a portal.Address, q string) bool {
		have := portal.SearchWords(a.Unit + " " + a.CivicNumber + " " + a.StreetName + " " + a.StreetType + " " +
			a.Direction + " " + a.City + " " + a.Province + " " + a.PostalCode)
		words := strings.Fields(portal.FoldSearchText(q))
		last := words[len(words)-1]
		for _, w := range words[:len(words)-1] {
			if !slices.Contains(have, portal.CanonicalWord(w)) {
				return false
			}
		}
		alts := append(portal.ExpandPrefix(last), portal.CanonicalWord(last))
		for _, h := range have {
			if strings.HasPrefix(h, last) || slices.Contains(alts, h) {
				return true
			}
		}
		return false
	}
	queries := []string{"Vancouver", "Vancouver M", "vancouver ma", "Surrey 1", "St Ave", "st e", "Ave W 1",
		"Burnaby 5", "Main", "Oak St", "e w", "Victoria Vic", "North Vancouver 1"}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		inserted, skipped, err := db.ImportAddresses(context.Background(), seq(addrs...), 1000, nil)
		if err != nil || inserted != n || skipped != 0 {
			t.Fatalf("import: %d inserted, %d skipped, %v", inserted, skipped, err)
		}
		for _, q := range queries {
			want := 0
			for _, a := range addrs {
				if matches(a, q) {
					want++
				}
			}
			got := mustSearch(t, db, q, 20)
			if len(got) != min(want, 20) {
				t.Errorf("%q: %d results, want %d (of %d matches)", q, len(got), min(want, 20), want)
			}
			for _, a := range got {
				if !matches(a, q) {
					t.Errorf("%q found %q", q, a.Line())
				}
			}
		}
	})
}

// TestStore_SearchAddressesHonoursContext: a search whose context has
// ended or passed its deadline stops with that error on both databases,
// whichever step it is in.
func TestStore_SearchAddressesHonoursContext(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mustImport(t, db, addr("101", "370", "Broadway", "", "E", "Vancouver", "V5T 4G5"),
			addr("", "12", "Main", "St", "", "Vancouver", "V6A 2S5"))
		cancelled, cancel := context.WithCancel(context.Background())
		cancel()
		expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		defer cancel2()
		// Each query reaches a different step: building key, street key, full text.
		for _, q := range []string{"370 Broadway", "Broadway E", "Vancouver Main"} {
			if _, err := db.Read().SearchAddresses(cancelled, q, 20); !errors.Is(err, context.Canceled) {
				t.Errorf("%q with a cancelled context: %v", q, err)
			}
			if _, err := db.Read().SearchAddresses(expired, q, 20); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%q past its deadline: %v", q, err)
			}
		}
	})
}
