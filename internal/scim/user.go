// Package scim holds the portal's SCIM 2.0 User resource (RFC 7643): what
// the provisioning API serves and what push mode sends downstream.
package scim

import (
	"strconv"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// Schema URNs of the User resource.
const (
	UserSchema      = "urn:ietf:params:scim:schemas:core:2.0:User"
	ExtensionSchema = "urn:ietf:params:scim:schemas:extension:careconnect:2.0:User"
)

// Time formats a SCIM dateTime in UTC with milliseconds; zero is "".
func Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// User is a provisioned person as a SCIM User (RFC 7643) with the
// CareConnect extension.
type User struct {
	Schemas      []string     `json:"schemas"`
	ID           string       `json:"id"`
	UserName     string       `json:"userName"`
	Name         Name         `json:"name"`
	DisplayName  string       `json:"displayName"`
	Emails       []MultiValue `json:"emails"`
	PhoneNumbers []MultiValue `json:"phoneNumbers,omitempty"`
	Active       bool         `json:"active"`
	Meta         Meta         `json:"meta"`
	CareConnect  CareConnect  `json:"urn:ietf:params:scim:schemas:extension:careconnect:2.0:User"`
}

type Name struct {
	Formatted  string `json:"formatted"`
	FamilyName string `json:"familyName"`
	GivenName  string `json:"givenName"`
}

type MultiValue struct {
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

type Meta struct {
	ResourceType string `json:"resourceType"`
	Created      string `json:"created,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	Location     string `json:"location"`
}

type CareConnect struct {
	UserType     string     `json:"userType"`
	Profession   string     `json:"profession"`
	NurseLicence string     `json:"nurseLicence,omitempty"`
	Worksites    []Worksite `json:"worksites"`
	Sponsors     []Sponsor  `json:"sponsors"`
	DataScopes   []string   `json:"dataScopes"`
	RemoteAccess bool       `json:"remoteAccess"`
}

type Worksite struct {
	WorksiteID      string `json:"worksiteId"`
	Name            string `json:"name"`
	HealthAuthority string `json:"healthAuthority,omitempty"`
}

type Sponsor struct {
	UserName     string `json:"userName"`
	DisplayName  string `json:"displayName"`
	WorksiteID   string `json:"worksiteId"`
	ResidencyEnd string `json:"residencyEnd,omitempty"`
}

// UserOf is a provisioned person as the portal's SCIM service shows them;
// baseURL is the portal's, for meta.location.
func UserOf(u *store.ProvisionedUser, baseURL string) User {
	a, req := u.Account, u.Request
	id := strconv.FormatInt(int64(a.ID), 10)
	res := User{
		Schemas:     []string{UserSchema, ExtensionSchema},
		ID:          id,
		UserName:    a.QualifiedUsername(),
		Name:        Name{Formatted: a.LegalName(), FamilyName: a.Surname, GivenName: a.GivenNames},
		DisplayName: a.DisplayName(),
		Emails:      []MultiValue{{Value: a.Email, Type: "work", Primary: true}},
		Active:      u.Active(),
		Meta: Meta{ResourceType: "User", Created: Time(u.Created), LastModified: Time(u.LastModified),
			Location: baseURL + "/scim/v2/Users/" + id},
		CareConnect: CareConnect{UserType: string(req.UserType), Profession: string(a.Profession),
			NurseLicence: string(a.NurseLicence), Worksites: []Worksite{}, Sponsors: []Sponsor{},
			DataScopes: []string{}, RemoteAccess: u.RemoteAccess},
	}
	if res.Meta.LastModified == "" {
		res.Meta.LastModified = res.Meta.Created
	}
	if a.Phone != "" {
		res.PhoneNumbers = append(res.PhoneNumbers, MultiValue{Value: a.Phone, Type: "work", Primary: true})
	}
	if a.Mobile != "" {
		res.PhoneNumbers = append(res.PhoneNumbers, MultiValue{Value: a.Mobile, Type: "mobile"})
	}
	for _, w := range u.Worksites {
		res.CareConnect.Worksites = append(res.CareConnect.Worksites, Worksite{WorksiteID: string(w.Code), Name: w.Name,
			HealthAuthority: string(w.HealthAuthority)})
	}
	for _, sp := range u.Sponsors {
		res.CareConnect.Sponsors = append(res.CareConnect.Sponsors,
			Sponsor{UserName: portal.QualifiedUsername(sp.Username),
				DisplayName: sp.Name, WorksiteID: string(sp.WorksiteCode), ResidencyEnd: sp.ResidencyEnd})
	}
	for _, sc := range req.GrantedScopes {
		res.CareConnect.DataScopes = append(res.CareConnect.DataScopes, string(sc))
	}
	return res
}
