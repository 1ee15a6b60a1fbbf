package portal

import (
	"sort"
	"strings"
	"time"
)

// StaffID identifies a member of the CareConnect team.
type StaffID int64

// Staff roles.
const (
	RoleOfficer       = "officer"       // enrolment officer: works the queue and decides
	RoleAuditor       = "auditor"       // privacy officer: reads and exports audit trails
	RoleAdministrator = "administrator" // manages the back office; holds every role
)

// StaffRoles lists the roles with their labels.
var StaffRoles = []struct{ Code, Label string }{
	{RoleOfficer, "Enrolment officer"},
	{RoleAuditor, "Auditor"},
	{RoleAdministrator, "Administrator"},
}

// ValidStaffRole reports whether r is a known role.
func ValidStaffRole(r string) bool {
	for _, x := range StaffRoles {
		if x.Code == r {
			return true
		}
	}
	return false
}

// Staff is a member of the CareConnect team.
type Staff struct {
	ID           StaffID
	Email        string
	Name         string
	Issuer       string
	Subject      string
	Roles        []string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	LastSignInAt time.Time
}

// Has reports whether the staff member holds role; administrators hold all.
func (s *Staff) Has(role string) bool {
	for _, r := range s.Roles {
		if r == role || r == RoleAdministrator {
			return true
		}
	}
	return false
}

// HasAny reports whether the staff member holds at least one of roles.
func (s *Staff) HasAny(roles ...string) bool {
	for _, r := range roles {
		if s.Has(r) {
			return true
		}
	}
	return false
}

// RolesText is the roles as stored: sorted, comma-separated.
func RolesText(roles []string) string {
	cp := append([]string(nil), roles...)
	sort.Strings(cp)
	return strings.Join(cp, ",")
}

// ParseRoles reads stored roles.
func ParseRoles(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// DisplayName is the staff member's name, or email when unknown.
func (s *Staff) DisplayName() string {
	if s.Name != "" {
		return s.Name
	}
	return s.Email
}
