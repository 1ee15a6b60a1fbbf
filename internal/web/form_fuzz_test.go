package web_test

import (
	"context"
	"hash/fnv"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// fuzzForms are the forms FuzzFormPost sends, with a valid body each.
var fuzzForms = []struct{ path, body string }{
	{"/account/contact", url.Values{"preferred_first_name": {"Dee"}, "preferred_last_name": {"Lee"},
		"email": {"dee.form@example.ca"}, "phone": {"(778) 888-9999"}, "mobile": {""}}.Encode()},
	{"/worksites/new", url.Values{"name": {"Kingsgate Mall Clinic"}, "type": {"private_practice"},
		"phone": {"(604) 555-0100"}, "address_mode": {"manual"}, "unit": {"101"}, "civic_number": {"370"},
		"street_name": {"Broadway"}, "street_type": {"St"}, "direction": {"E"}, "city": {"Vancouver"},
		"postal_code": {"V5T 4G5"}, "has_authority": {"no"}, "signer_name": {"Ana Lee"},
		"signer_email": {"ana@example.ca"}, "group": {"new"}, "group_name": {"Kingsgate Health"}}.Encode()},
}

// FuzzFormPost sends any URL-encoded body to the forms with the most free
// text, as a signed-in person, through the whole portal: how a form
// becomes an input, its Validate and the use case. The portal answers
// every body without a server error (on PostgreSQL, when configured,
// text the database cannot store would be one), and whatever it saves is
// text a person can type.
func FuzzFormPost(f *testing.F) {
	for i, form := range fuzzForms {
		f.Add(uint8(i), form.body)
		for _, bad := range []string{"%00", "%FF%FE", "%1B%5B31m", "%0D%0A", "%E2%80%AE", "%ED%A0%80"} {
			for _, field := range []string{"name", "street_type", "direction", "signer_name", "group_name",
				"preferred_first_name", "email", "phone"} {
				if v := "&" + form.body; strings.Contains(v, "&"+field+"=") {
					f.Add(uint8(i), strings.Replace(v, "&"+field+"=", "&"+field+"="+bad, 1)[1:])
				}
			}
		}
		f.Add(uint8(i), "")
		f.Add(uint8(i), "%")
		f.Add(uint8(i), "a=1&a=2&a=3;b")
		f.Add(uint8(i), "csrf_token=forged&"+form.body)
		f.Add(uint8(i), strings.Repeat("name=x&", 2000))
	}
	dsns := storetest.DSNs(f)
	dsn := dsns["sqlite"]
	if pg, ok := dsns["postgres"]; ok {
		dsn = pg // stricter: it refuses NUL and invalid UTF-8
	}
	inst := portaltest.Start(f, dsn)
	c := inst.Client(f)
	c.SignIn("Fuzz", "FORMS", "1980-04-18", "fuzz.forms@example.ca")
	p := c.Post("/register", portaltest.RegistrationForm("fuzz.forms@example.ca", "fuzz.forms"))
	if p.Status != http.StatusSeeOther {
		f.Fatalf("register: %d %s", p.Status, p.Text(".error-summary"))
	}
	c.Follow(p)
	acct, err := inst.DB.Read().FindAccountByEmail(context.Background(), "fuzz.forms@example.ca")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		form := fuzzForms[int(which)%len(fuzzForms)]
		send := body
		if form.path == "/worksites/new" {
			// One worksite an address: give each body its own street
			// number (the first value of a field is the one read).
			h := fnv.New32a()
			h.Write([]byte(body))
			send = "civic_number=" + strconv.Itoa(int(1+h.Sum32()%999999)) + "&" + body
		}
		req, err := http.NewRequest(http.MethodPost, inst.URL+form.path,
			strings.NewReader(send+"&csrf_token="+url.QueryEscape(c.CSRF)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.HTTP.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", form.path, err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("POST %s %q: %d\n%s", form.path, body, resp.StatusCode, page)
		}
		if resp.StatusCode != http.StatusSeeOther {
			return
		}
		ctx := context.Background()
		var fields map[string]string
		switch form.path {
		case "/account/contact":
			a, err := inst.DB.Read().FindAccountByID(ctx, acct.ID)
			if err != nil {
				t.Fatal(err)
			}
			fields = map[string]string{"preferred_first_name": a.PreferredFirstName,
				"preferred_last_name": a.PreferredLastName, "email": a.Email, "phone": a.Phone, "mobile": a.Mobile}
		case "/worksites/new":
			loc := resp.Header.Get("Location")
			id, err := strconv.ParseInt(
				strings.TrimSuffix(strings.TrimPrefix(loc, "/worksites/"), "/declaration"),
				10,
				64,
			)
			if err != nil {
				t.Fatalf("registered a worksite, then sent to %q", loc)
			}
			w, err := inst.DB.Read().FindWorksiteByID(ctx, portal.WorksiteID(id))
			if err != nil {
				t.Fatal(err)
			}
			fields = map[string]string{"name": w.Name, "signer_name": w.SignerName, "signer_email": w.SignerEmail,
				"unit": w.Address.Unit, "civic_number": w.Address.CivicNumber, "street_name": w.Address.StreetName,
				"street_type": w.Address.StreetType, "direction": w.Address.Direction, "city": w.Address.City,
				"postal_code": w.Address.PostalCode}
		}
		for k, v := range fields {
			if !portal.ValidText(v, false) {
				t.Errorf("POST %s saved %s %q, which is not text a person can type", form.path, k, v)
			}
		}
	})
}
