package web_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
)

// Dates on pages read one way only: "4 Dec 2026", never 12/04/2026.
func TestWeb_DatesReadUnambiguously(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c, _, _ := boSubmitted(t, inst, "Dalia", "EIGHTEEN", "dalia18", "301", nil)
		loc, err := time.LoadLocation("America/Vancouver")
		if err != nil {
			t.Fatal(err)
		}
		day := inst.Clock.Now().In(loc).Format("2 Jan 2006")
		numeric := regexp.MustCompile(`\b\d{1,2}/\d{1,2}/\d{4}\b`)
		for _, path := range []string{"/application/status", "/worksites", "/notifications", "/application"} {
			p := c.Get(path)
			main := p.Text("main")
			if m := numeric.FindString(main); m != "" {
				t.Errorf("%s shows the date %s", path, m)
			}
			if path == "/application/status" && !strings.Contains(p.Text("#history"), day+", ") {
				t.Errorf("%s: history %q lacks %q", path, p.Text("#history"), day)
			}
		}
	})
}
