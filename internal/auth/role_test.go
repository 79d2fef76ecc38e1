package auth

import (
	"strings"
	"testing"
)

func TestParseRoleValid(t *testing.T) {
	for _, name := range []string{"admin", "marketer", "viewer"} {
		r, err := ParseRole(name)
		if err != nil {
			t.Errorf("ParseRole(%q): %v", name, err)
		}
		if string(r) != name {
			t.Errorf("ParseRole(%q) = %q", name, r)
		}
	}
}

func TestParseRoleInvalidListsRoles(t *testing.T) {
	for _, name := range []string{"", "Admin", "owner", " viewer"} {
		_, err := ParseRole(name)
		if err == nil {
			t.Errorf("ParseRole(%q): err = nil, want an error", name)
			continue
		}
		for _, r := range Roles {
			if !strings.Contains(err.Error(), string(r)) {
				t.Errorf("ParseRole(%q) error %q does not name role %s", name, err, r)
			}
		}
	}
}

func TestRolePermissions(t *testing.T) {
	cases := []struct {
		role      Role
		canExport bool
		canDelete bool
	}{
		{RoleAdmin, true, true},
		{RoleMarketer, true, true},
		{RoleViewer, false, false},
		{Role("unknown"), false, false},
	}
	for _, c := range cases {
		if got := c.role.CanExport(); got != c.canExport {
			t.Errorf("%q.CanExport() = %v, want %v", c.role, got, c.canExport)
		}
		if got := c.role.CanDelete(); got != c.canDelete {
			t.Errorf("%q.CanDelete() = %v, want %v", c.role, got, c.canDelete)
		}
	}
}
