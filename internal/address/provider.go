package address

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// Provider answers type-ahead address queries.
type Provider interface {
	Search(ctx context.Context, q string, limit int) ([]portal.Address, error)
}

// Local searches the portal's own index of addresses; it is the default.
type Local struct {
	DB *store.DB
}

// Search implements Provider.
func (l Local) Search(ctx context.Context, q string, limit int) ([]portal.Address, error) {
	return l.DB.Read().SearchAddresses(ctx, q, limit)
}

// DefaultAddressCompleteURL is the Canada Post AddressComplete web service.
const DefaultAddressCompleteURL = "https://ws1.postescanada-canadapost.ca"

// AddressComplete searches Canada Post's AddressComplete service (Capture
// Interactive Find v1.10 and Retrieve v1.20). Addresses it returns are not
// in the local index: their ID is 0.
type AddressComplete struct {
	Key     string       // the AddressComplete key, AA11-AA11-AA11-AA11
	BaseURL string       // DefaultAddressCompleteURL when empty
	HTTP    *http.Client // a client with a 10-second timeout when nil
}

// FindItem is one suggestion of Find. Type "Address" is an address to
// Retrieve; other types (a street, a building with units) are containers
// to pass to Find again as lastID.
type FindItem struct {
	ID          string `json:"Id"`
	Type        string `json:"Type"`
	Text        string `json:"Text"`
	Highlight   string `json:"Highlight"`
	Description string `json:"Description"`
}

// APIError is an error item of the AddressComplete service.
type APIError struct {
	Number      flexString `json:"Error"`
	Description string     `json:"Description"`
	Cause       string     `json:"Cause"`
	Resolution  string     `json:"Resolution"`
}

func (e *APIError) Error() string {
	return fmt.Sprintf("addresscomplete: error %s: %s (%s)", e.Number, e.Description, e.Cause)
}

// flexString decodes a JSON string or number as a string.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

// retrieveItem holds the Retrieve fields the portal uses.
type retrieveItem struct {
	ID             string `json:"Id"`
	Language       string `json:"Language"`
	SubBuilding    string `json:"SubBuilding"`
	BuildingNumber string `json:"BuildingNumber"`
	Street         string `json:"Street"`
	City           string `json:"City"`
	ProvinceCode   string `json:"ProvinceCode"`
	PostalCode     string `json:"PostalCode"`
	CountryIso2    string `json:"CountryIso2"`
}

// Find returns suggestions for text; lastID, when not empty, is the Id of a
// container item to look inside.
func (ac *AddressComplete) Find(ctx context.Context, text, lastID string) ([]FindItem, error) {
	v := url.Values{"Key": {ac.Key}, "Text": {text}, "IsMiddleware": {"false"}, "Container": {lastID},
		"Countries": {"CAN"}, "Language": {"en"}}
	var items []FindItem
	if err := ac.get(ctx, "/Capture/Interactive/Find/v1.10/json3.ws", v, &items); err != nil {
		return nil, err
	}
	return items, nil
}

// Retrieve returns the address of a Find item of type Address.
func (ac *AddressComplete) Retrieve(ctx context.Context, id string) (portal.Address, error) {
	var items []retrieveItem
	if err := ac.get(ctx, "/Capture/Interactive/Retrieve/v1.20/json3.ws",
		url.Values{"Key": {ac.Key}, "Id": {id}}, &items); err != nil {
		return portal.Address{}, err
	}
	if len(items) == 0 {
		return portal.Address{}, fmt.Errorf("addresscomplete: no address for %q", id)
	}
	it := items[0]
	for _, x := range items {
		if strings.EqualFold(x.Language, "ENG") {
			it = x
			break
		}
	}
	name, typ, dir := SplitStreet(it.Street)
	a := portal.Address{Unit: it.SubBuilding, CivicNumber: it.BuildingNumber, StreetName: name, StreetType: typ,
		Direction: dir, City: it.City, Province: it.ProvinceCode, PostalCode: it.PostalCode}
	a.Normalize()
	return a, nil
}

// Search implements Provider: Find, then Retrieve for each address found,
// up to limit.
func (ac *AddressComplete) Search(ctx context.Context, q string, limit int) ([]portal.Address, error) {
	items, err := ac.Find(ctx, q, "")
	if err != nil {
		return nil, err
	}
	var out []portal.Address
	for _, it := range items {
		if len(out) == limit {
			break
		}
		if it.Type != "Address" {
			continue
		}
		a, err := ac.Retrieve(ctx, it.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// get calls an endpoint and decodes its Items into items, turning an error
// item into an *APIError.
func (ac *AddressComplete) get(ctx context.Context, path string, v url.Values, items any) error {
	base := ac.BaseURL
	if base == "" {
		base = DefaultAddressCompleteURL
	}
	client := ac.HTTP
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+path+"?"+v.Encode(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("addresscomplete: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("addresscomplete: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("addresscomplete: HTTP %d", resp.StatusCode)
	}
	var envelope struct {
		Items []json.RawMessage `json:"Items"`
	}
	if err := json.Unmarshal(body, &envelope); err != nil {
		return fmt.Errorf("addresscomplete: decode response: %w", err)
	}
	if len(envelope.Items) > 0 {
		var e APIError
		if json.Unmarshal(envelope.Items[0], &e) == nil && e.Number != "" {
			return &e
		}
	}
	list, err := json.Marshal(envelope.Items)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(list, items); err != nil {
		return fmt.Errorf("addresscomplete: decode items: %w", err)
	}
	return nil
}

// SplitStreet splits a street as Canada Post writes it ("Broadway E",
// "Main St", "10th Ave W") into name, type and direction.
func SplitStreet(street string) (name, typ, dir string) {
	words := strings.Fields(street)
	if n := len(words); n > 1 {
		if d, ok := portal.DirectionAbbr(words[n-1]); ok {
			dir, words = d, words[:n-1]
		}
	}
	if n := len(words); n > 1 {
		if t, ok := portal.StreetTypeAbbr(words[n-1]); ok {
			typ, words = t, words[:n-1]
		}
	}
	return strings.Join(words, " "), typ, dir
}
