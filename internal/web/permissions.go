package web

import (
	"context"
	"net/http"

	"github.com/vibereport/vibereport/internal/auth"
	"github.com/vibereport/vibereport/internal/domain"
)

type roleKey struct{}

// WithRole returns a copy of ctx in which API handlers act with role. Code
// that authenticates a signed-in user and then calls the API handlers sets
// it. A request without a role acts as admin, because an API key carries
// the whole account's rights.
func WithRole(ctx context.Context, role auth.Role) context.Context {
	return context.WithValue(ctx, roleKey{}, role)
}

// requestRole returns the role the request acts with.
func requestRole(r *http.Request) auth.Role {
	if role, ok := r.Context().Value(roleKey{}).(auth.Role); ok {
		return role
	}
	return auth.RoleAdmin
}

// permission is one right that a role has or lacks, with the action it
// allows named for error messages.
type permission struct {
	action  string
	granted func(auth.Role) bool
}

var (
	canExport = permission{"export contacts or statistics", auth.Role.CanExport}
	canDelete = permission{"delete or restore reports", auth.Role.CanDelete}
	// canEdit covers creating and changing contact lists and segments,
	// which every role but viewer may do.
	canEdit          = permission{"change contact lists or segments", func(r auth.Role) bool { return r != auth.RoleViewer }}
	canManageAccount = permission{"change account settings", func(r auth.Role) bool { return r == auth.RoleAdmin }}
)

// allow wraps h so that it runs only for roles granted p, and responds 403
// otherwise.
func (s *Server) allow(p permission, h apiHandler) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
		role := requestRole(r)
		if !p.granted(role) {
			s.log.Warn("request rejected for its role", "account_id", account.ID, "role", role,
				"method", r.Method, "path", r.URL.Path)
			return &apiError{http.StatusForbidden, "forbidden: the " + string(role) +
				" role may not " + p.action + ": ask an account admin"}
		}
		return h(w, r, account)
	}
}
