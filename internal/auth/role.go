// Package auth provides the parts of signing in to the browser report that
// need no database: user roles and their permissions, password hashing,
// generated passwords, CSRF tokens and the session cookie.
package auth

import "fmt"

// Role is a user's permission level within their account.
type Role string

const (
	// RoleAdmin may do everything a marketer may do. Pages that manage
	// users and account settings are meant for admins.
	RoleAdmin Role = "admin"
	// RoleMarketer reads reports, exports contacts and deletes reports.
	RoleMarketer Role = "marketer"
	// RoleViewer only reads reports. It may neither export nor delete.
	RoleViewer Role = "viewer"
)

// Roles lists every role, from most to least privileged.
var Roles = []Role{RoleAdmin, RoleMarketer, RoleViewer}

// ParseRole returns the role with the given name.
func ParseRole(name string) (Role, error) {
	for _, r := range Roles {
		if string(r) == name {
			return r, nil
		}
	}
	return "", fmt.Errorf("invalid role %q: use one of admin, marketer, viewer", name)
}

// CanExport reports whether the role may export contacts and statistics to
// CSV files or contact lists.
func (r Role) CanExport() bool {
	return r == RoleAdmin || r == RoleMarketer
}

// CanDelete reports whether the role may delete reports.
func (r Role) CanDelete() bool {
	return r == RoleAdmin || r == RoleMarketer
}
