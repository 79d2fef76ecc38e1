// Package ui serves the browser report: server-rendered pages for signing
// in, the report list, campaign reports with their contact lists and
// exports, messages and account settings. Every page needs a session and
// shows only the session's account.
package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/auth"
	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/httplog"
	"github.com/vibereport/vibereport/internal/ingest"
	"github.com/vibereport/vibereport/internal/store"
)

// SessionLifetime is how long a sign-in lasts.
const SessionLifetime = 7 * 24 * time.Hour

// maxFormBytes caps a form body. The largest form, the report list's
// selection, carries a few hundred campaign ids.
const maxFormBytes = 64 << 10

// Config is the browser report's dependencies and settings.
type Config struct {
	DB *store.DB
	// Writer applies due expiries before a report is shown, as the JSON
	// API does, so page and API show the same figures. Nil skips that.
	Writer *ingest.Writer
	Log    *slog.Logger
	// PublicURL is the address users open the service at. An https:// URL
	// makes the session cookie Secure, and its origin is accepted on forms
	// besides the request's own Host.
	PublicURL string
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Handler serves every page of the browser report.
type Handler struct {
	db        *store.DB
	writer    *ingest.Writer
	log       *slog.Logger
	publicURL string
	now       func() time.Time

	pages   *pageSet
	assets  *assetSet
	limiter *signinLimiter
	mux     *http.ServeMux
	// logged is mux behind the request log.
	logged http.Handler
}

// New parses the templates and registers every page.
func New(cfg Config) (*Handler, error) {
	h := &Handler{
		db:        cfg.DB,
		writer:    cfg.Writer,
		log:       cfg.Log,
		publicURL: strings.TrimSuffix(cfg.PublicURL, "/"),
		now:       cfg.Now,
		limiter:   newSigninLimiter(),
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.now == nil {
		h.now = time.Now
	}

	var err error
	if h.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if h.pages, err = parsePages(h.assets); err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/", h.serveAsset)
	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("GET /signin", h.signinForm)
	mux.HandleFunc("POST /signin", h.signin)
	mux.Handle("POST /signout", h.page(h.signout))

	mux.Handle("GET /campaigns", h.page(h.campaignList))
	mux.Handle("POST /campaigns/selection", h.page(h.selection))
	mux.Handle("GET /campaigns/compare", h.page(h.compare))
	mux.Handle("GET /campaigns/{id}", h.page(h.report))
	mux.Handle("GET /campaigns/{id}/contacts", h.page(h.contacts))
	mux.Handle("GET /campaigns/{id}/export.csv", h.page(h.exportCSV))
	mux.Handle("POST /campaigns/{id}/export/list", h.page(h.exportToList))
	mux.Handle("GET /campaigns/{id}/delete", h.page(h.confirmDelete))
	mux.Handle("POST /campaigns/{id}/delete", h.page(h.deleteCampaign))
	mux.Handle("POST /campaigns/{id}/restore", h.page(h.restoreCampaign))
	mux.Handle("GET /messages/{id}", h.page(h.message))
	mux.Handle("GET /settings", h.page(h.settingsForm))
	mux.Handle("POST /settings", h.page(h.saveSettings))
	mux.HandleFunc("/", h.notFoundPage)
	h.mux = mux
	// The query string is left out of the log because searches carry
	// phone numbers and names.
	h.logged = httplog.Handler(h.log, "page request", mux)
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	h.logged.ServeHTTP(w, r)
}

// setSecurityHeaders keeps pages out of frames and limits what they load to
// this server, except message images, which live on the account's own
// hosts.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' https: http: data:; style-src 'self'; "+
		"script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
}

// viewer is the signed-in user of a request with their account.
type viewer struct {
	Session *store.Session
	User    *store.User
	Account *domain.Account
	Role    auth.Role
	// token is the raw session token, kept for signing out.
	token string
}

// pageHandler serves one page for a signed-in user. It writes its own
// response and returns an error for writeError to turn into an error page.
type pageHandler func(w http.ResponseWriter, r *http.Request, v *viewer) error

// page requires a session, checks the origin and CSRF token of every POST,
// and turns the handler's error into an error page.
func (h *Handler) page(fn pageHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := h.viewer(r)
		if errors.Is(err, errNoSession) {
			h.redirectToSignin(w, r)
			return
		}
		if err != nil {
			h.writeError(w, r, nil, err)
			return
		}

		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				h.writeError(w, r, v, badRequest("error.form-invalid"))
				return
			}
			if !h.sameOrigin(r) || !auth.CheckCSRF(v.Session.CSRFToken, r.PostForm.Get("csrf")) {
				h.log.Warn("form rejected: origin or CSRF token does not match", "path", r.URL.Path,
					"account_id", v.Account.ID, "user_id", v.User.ID)
				h.writeError(w, r, v, &pageError{status: http.StatusForbidden, key: "error.csrf"})
				return
			}
		}

		// PostgreSQL text cannot store U+0000, so a search or form value with
		// it would fail in the database with a 500.
		fields := r.URL.Query()
		if r.Method == http.MethodPost {
			fields = r.Form
		}
		if name := fieldWithNUL(fields); name != "" {
			h.writeError(w, r, v, badRequest("error.nul-character", name))
			return
		}

		if err := fn(w, r, v); err != nil {
			h.writeError(w, r, v, err)
		}
	})
}

// fieldWithNUL returns the name of the first field whose name or value
// contains the NUL character U+0000, or "" when none does.
func fieldWithNUL(fields url.Values) string {
	for name, values := range fields {
		if strings.ContainsRune(name, 0) {
			return strings.ReplaceAll(name, "\x00", `\u0000`)
		}
		for _, value := range values {
			if strings.ContainsRune(value, 0) {
				return name
			}
		}
	}
	return ""
}

var errNoSession = errors.New("no session")

// viewer loads the session named by the request's cookie with its user and
// account. It returns errNoSession when the cookie is missing, unknown or
// expired.
func (h *Handler) viewer(r *http.Request) (*viewer, error) {
	cookie, err := r.Cookie(auth.SessionCookieName)
	if err != nil || cookie.Value == "" {
		return nil, errNoSession
	}

	ctx := r.Context()
	session, err := h.db.SessionByToken(ctx, cookie.Value)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	user, err := h.db.User(ctx, session.AccountID, session.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}

	account, err := h.db.Account(ctx, session.AccountID)
	if err != nil {
		return nil, err
	}
	role, err := auth.ParseRole(user.Role)
	if err != nil {
		// The schema allows only known roles; an unknown one gets the
		// least privilege rather than an error page on every request.
		role = auth.RoleViewer
	}
	return &viewer{Session: session, User: user, Account: account, Role: role, token: cookie.Value}, nil
}

// redirectToSignin redirects a GET to the sign-in page with the page to
// return to, and rejects any other method with 401.
func (h *Handler) redirectToSignin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, T(DefaultLang, "error.signed-out"), http.StatusUnauthorized)
		return
	}
	target := "/signin"
	if next := r.URL.RequestURI(); next != "/" {
		target += "?next=" + urlQueryEscape(next)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// sameOrigin reports whether a POST comes from a page of this service. It
// checks the Origin header, or the Referer when a browser sends no Origin.
// A request with neither is left to the CSRF token alone, because only
// non-browser clients omit both.
func (h *Handler) sameOrigin(r *http.Request) bool {
	source := r.Header.Get("Origin")
	if source == "" || source == "null" {
		source = r.Header.Get("Referer")
	}
	if source == "" {
		return true
	}
	origin := originOf(source)
	if origin == "" {
		return false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if strings.EqualFold(origin, scheme+"://"+r.Host) {
		return true
	}
	return h.publicURL != "" && strings.EqualFold(origin, originOf(h.publicURL))
}

// home sends a signed-in user to the report list and anyone else to the
// sign-in page.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	if _, err := h.viewer(r); err == nil {
		http.Redirect(w, r, "/campaigns", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

func (h *Handler) notFoundPage(w http.ResponseWriter, r *http.Request) {
	v, err := h.viewer(r)
	if err != nil {
		v = nil
	}
	h.writeError(w, r, v, &pageError{status: http.StatusNotFound, key: "error.page-not-found"})
}

// pageError is an error shown to the user: an HTTP status and the catalog
// key of its explanation.
type pageError struct {
	status int
	key    string
	args   []any
}

func (e *pageError) Error() string { return fmt.Sprintf("%d %s", e.status, e.key) }

func badRequest(key string, args ...any) error {
	return &pageError{status: http.StatusBadRequest, key: key, args: args}
}

func forbidden() error {
	return &pageError{status: http.StatusForbidden, key: "error.forbidden"}
}

// writeError renders the error page. Errors the user cannot fix are logged
// with the ids involved and shown as a generic failure.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, v *viewer, err error) {
	var (
		pe       *pageError
		tooLarge *http.MaxBytesError
	)
	switch {
	case errors.As(err, &pe):
	case errors.As(err, &tooLarge):
		pe = &pageError{status: http.StatusRequestEntityTooLarge, key: "error.form-too-large"}
	case errors.Is(err, store.ErrNotFound):
		pe = &pageError{status: http.StatusNotFound, key: "error.not-found"}
	case errors.Is(err, context.Canceled):
		return
	default:
		attrs := []any{"method", r.Method, "path", r.URL.Path, "err", err}
		if v != nil {
			attrs = append(attrs, "account_id", v.Account.ID, "user_id", v.User.ID)
		}
		h.log.Error("page failed", attrs...)
		pe = &pageError{status: http.StatusInternalServerError, key: "error.internal"}
	}
	h.render(w, r, v, pe.status, "error", "error.title", errorView{Message: T(DefaultLang, pe.key, pe.args...), Status: pe.status})
}

type errorView struct {
	Status  int
	Message string
}
