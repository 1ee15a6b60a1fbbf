package address

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
)

func TestReader(t *testing.T) {
	file := "\ufeffCity,Unit,civic_number,street_name,street_type,direction,province,postal_code,notes\n" +
		"Vancouver,101,370,Broadway,,East,BC,v5t4g5,guide\n" + // line 2: good, normalised
		"Vancouver,,370,Broadway,,E,AB,V5T 4G5,\n" + // line 3: not BC
		"Vancouver,,,Broadway,,E,BC,V5T 4G5,\n" + // line 4: no civic number
		"too,few\n" + // line 5: field count
		"\"Saint-Jérôme\",,12,Main,Street,,,V0N 1A0,\"a \"\"note\"\", with a comma\"\n" + // line 6: good, quoted
		"Burnaby,2,4500,Kingsway,,,BC,T5A 0A1,\n" + // line 7: not a B.C. postal code
		"Victoria,,1,Government,St,,BC,V8W 1A1,\n" + // line 8: good
		"Surrey,\"unclosed,1,Main,St,,BC,V3T 1A1,\n" // line 9: broken quote to the end
	got, bad := readCSV(t, file)
	want := []portal.Address{
		broadway101,
		{
			CivicNumber: "12",
			StreetName:  "Main",
			StreetType:  "St",
			City:        "Saint-Jérôme",
			Province:    "BC",
			PostalCode:  "V0N 1A0",
		},
		{
			CivicNumber: "1",
			StreetName:  "Government",
			StreetType:  "St",
			City:        "Victoria",
			Province:    "BC",
			PostalCode:  "V8W 1A1",
		},
	}
	if !slices.Equal(got, want) {
		t.Errorf("addresses:\ngot  %+v\nwant %+v", got, want)
	}
	wantBad := []string{
		"line 3: province: The address must be in British Columbia.",
		"line 4: civic_number: Enter the street number.",
		"line 5: has 2 fields, the header has 9",
		"line 7: postal_code: Enter a British Columbia postal code: they start with V.",
		`line 9: extraneous or missing " in quoted-field`,
	}
	if !slices.Equal(bad, wantBad) {
		t.Errorf("bad rows:\ngot  %q\nwant %q", bad, wantBad)
	}
}

func TestNewReader_Header(t *testing.T) {
	for name, tt := range map[string]struct{ file, want string }{
		"Empty":         {"", "address file is empty: the first row must name the columns unit,civic_number,street_name,street_type,direction,city,province,postal_code"},
		"NoHeader":      {"101,370,Broadway,,E,Vancouver,BC,V5T 4G5\n", "address file header (line 1) lacks the column(s) unit, civic_number, street_name, street_type, direction, city, province, postal_code"},
		"MissingColumn": {"unit,civic_number,street_name,street_type,direction,city,province\n", "address file header (line 1) lacks the column(s) postal_code"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(tt.file))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q...", err, tt.want)
			}
		})
	}
}

type failingReader struct{ data io.Reader }

var errDisk = errors.New("disk failed")

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.data.Read(p)
	if err == io.EOF {
		return n, errDisk
	}
	return n, err
}

func TestReader_ReadErrorEnds(t *testing.T) {
	rd, err := NewReader(
		&failingReader{strings.NewReader(strings.Join(Columns, ",") + "\n1,2,Main,St,,Hope,BC,V0X 1L0\n")},
	)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var last error
	for _, err := range rd.All(nil) {
		n++
		last = err
	}
	if n != 2 || !errors.Is(last, errDisk) {
		t.Fatalf("got %d items, last error %v; want the address, then %v", n, last, errDisk)
	}
}

// readBack writes addrs as an address file and returns a reader of it.
func readBack(t *testing.T, addrs ...portal.Address) *Reader {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if err := w.Write(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rd, err := NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return rd
}

func TestWriter_RoundTrip(t *testing.T) {
	var want []portal.Address
	if err := Generate(3, 500, func(a portal.Address) error {
		want = append(want, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rd := readBack(t, want...)
	var got []portal.Address
	for a, err := range rd.All(func(e *RowError) { t.Errorf("bad row: %v", e) }) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, a)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("read back %d addresses, wrote %d, or they differ", len(got), len(want))
	}
}

// TestReader_RefusesControlText: a street type or direction with NUL,
// invalid UTF-8 or an escape sequence, or longer than any street type, is
// a bad row; it used to be imported and, on PostgreSQL, to fail the import.
func TestReader_RefusesControlText(t *testing.T) {
	file := strings.Join(Columns, ",") + "\n" +
		",370,Broadway,St\x00,E,Vancouver,BC,V5T 4G5\n" + // line 2
		",370,Broadway,,\xff,Vancouver,BC,V5T 4G5\n" + // line 3
		",370,Broadway,\x1b[31m,,Vancouver,BC,V5T 4G5\n" + // line 4
		",370,Broadway," + strings.Repeat("Avenue", 4) + ",,Vancouver,BC,V5T 4G5\n" + // line 5
		",370,Broadway,Byway,NNE,Vancouver,BC,V5T 4G5\n" // line 6: unknown type and direction, kept
	got, bad := readCSV(t, file)
	want := []portal.Address{{CivicNumber: "370", StreetName: "Broadway", StreetType: "Byway", Direction: "NNE",
		City: "Vancouver", Province: "BC", PostalCode: "V5T 4G5"}}
	if !slices.Equal(got, want) {
		t.Errorf("addresses:\ngot  %+v\nwant %+v", got, want)
	}
	wantBad := []string{
		"line 2: street_type: " + portal.InvalidTextMessage,
		"line 3: direction: " + portal.InvalidTextMessage,
		"line 4: street_type: " + portal.InvalidTextMessage,
		"line 5: street_type: Enter a street type of at most 20 characters.",
	}
	if !slices.Equal(bad, wantBad) {
		t.Errorf("bad rows:\ngot  %q\nwant %q", bad, wantBad)
	}
}

// readCSV reads a CSV file of addresses: the good rows' addresses and the
// bad rows' errors.
func readCSV(t *testing.T, file string) (got []portal.Address, bad []string) {
	t.Helper()
	rd, err := NewReader(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	for a, err := range rd.All(func(e *RowError) { bad = append(bad, e.Error()) }) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, a)
	}
	return got, bad
}

// broadway101 is unit 101, 370 Broadway E, Vancouver, as an address is
// stored.
var broadway101 = portal.Address{Unit: "101", CivicNumber: "370", StreetName: "Broadway", Direction: "E",
	City: "Vancouver", Province: "BC", PostalCode: "V5T 4G5"}

// FuzzCSVRows: every row of an address file either is refused with its
// line number (a *RowError whose message starts "line N:") or becomes an
// address the domain accepts, with nothing but typable text in it, that
// an address file written back reads as the same address. Reading always
// ends, and line numbers never go back.
func FuzzCSVRows(f *testing.F) {
	header := strings.Join(Columns, ",") + "\n"
	for _, body := range []string{
		header + "101,370,Broadway,,E,Vancouver,BC,V5T 4G5\n",
		header + ",9,Kingsway,,,Burnaby,,v5h2a9\n#5,0012,Main,Street,north,Victoria,B.C.,V8W-1A1\n",
		"\ufeffPostal_Code,City,Province,Direction,Street_Type,Street_Name,Civic_Number,Unit,extra\nV5T 4G5,Vancouver,BC,E,,Broadway,370,,x\n",
		header + "101,370,\"Broad\"\"way\",,E,Vancouver,BC,V5T 4G5\n",
		header + "101,370,\"Broadway\n2\",,E,Vancouver,BC,V5T 4G5\n",
		header + "101,370,Broad\"way,,E,Vancouver,BC,V5T 4G5\n",
		header + "1,2,3\n",
		header + ",370,Broadway,St\x00,E,Vancouver,BC,V5T 4G5\n",
		header + ",370,Broadway,,\xff,Vancouver,BC,V5T 4G5\n",
		header + ",370,Broadway,\x1b[31m,,Vancouver,BC,V5T 4G5\n",
		header + ",370,Broadway," + strings.Repeat("Avenue", 50) + ",,Vancouver,BC,V5T 4G5\n",
		header + ",370,Broadway,,,Calgary,AB,T2P 1J9\n",
		"unit,civic_number\n1,2\n",
		"",
		"\"unterminated",
	} {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := NewReader(bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "address file") {
				t.Fatalf("header refused with %q, which does not name the address file", err)
			}
			return
		}
		lastLine := 1
		for reads := 0; ; reads++ {
			if reads > len(data)+1 {
				t.Fatalf("still reading after %d rows of a %d-byte file", reads, len(data))
			}
			a, err := rd.Read()
			if err == io.EOF {
				return
			}
			var re *RowError
			if errors.As(err, &re) {
				if re.Line <= 1 || re.Line < lastLine ||
					!strings.HasPrefix(re.Error(), fmt.Sprintf("line %d: ", re.Line)) {
					t.Fatalf("row error %q at line %d, after line %d", re.Error(), re.Line, lastLine)
				}
				lastLine = re.Line
				continue
			}
			if err != nil {
				return // the file cannot be read on: Import stops here
			}
			if fe := a.Validate(); len(fe) > 0 {
				t.Fatalf("read %+v, which the domain refuses: %v", a, fe)
			}
			for field, v := range map[string]string{"unit": a.Unit, "civic_number": a.CivicNumber,
				"street_name": a.StreetName, "street_type": a.StreetType, "direction": a.Direction, "city": a.City,
				"province": a.Province, "postal_code": a.PostalCode} {
				if !portal.ValidText(v, false) {
					t.Fatalf("read %s %q, which is not text a person can type", field, v)
				}
			}
			if b, err := readBack(t, a).Read(); err != nil || b != a {
				t.Fatalf("written and read back: %+v (%v), want %+v", b, err, a)
			}
		}
	})
}
