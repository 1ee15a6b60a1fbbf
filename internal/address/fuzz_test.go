package address

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
)

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
