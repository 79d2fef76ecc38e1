package ui

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/auth"
	"github.com/vibereport/vibereport/internal/store"
)

// signinCookieName carries the token that the sign-in form echoes. There is
// no session yet to hold a CSRF token, so the form and the cookie must
// match instead, which a page on another site cannot arrange.
const signinCookieName = "vibereport_signin"

type signinView struct {
	Email string
	Next  string
	Token string
	Error string
}

func (h *Handler) signinForm(w http.ResponseWriter, r *http.Request) {
	if _, err := h.viewer(r); err == nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	h.renderSignin(w, r, http.StatusOK, signinView{Next: safeNext(r.URL.Query().Get("next"))})
}

// renderSignin shows the form with a fresh form token in the page and the
// cookie.
func (h *Handler) renderSignin(w http.ResponseWriter, r *http.Request, status int, view signinView) {
	view.Token = auth.NewCSRFToken()
	http.SetCookie(w, &http.Cookie{
		Name:     signinCookieName,
		Value:    view.Token,
		Path:     "/signin",
		MaxAge:   3600,
		HttpOnly: true,
		Secure:   strings.HasPrefix(h.publicURL, "https://"),
		SameSite: http.SameSiteStrictMode,
	})
	h.render(w, r, nil, status, "signin", "signin.title", view)
}

// signin checks the email and password, and on success starts a session
// and sends the browser to the page it came for.
func (h *Handler) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.writeError(w, r, nil, badRequest("error.form-invalid"))
		return
	}
	email := store.NormalizeEmail(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	view := signinView{Email: email, Next: safeNext(r.PostForm.Get("next"))}

	cookie, err := r.Cookie(signinCookieName)
	if err != nil || !h.sameOrigin(r) || !auth.CheckCSRF(cookie.Value, r.PostForm.Get("token")) {
		h.log.Warn("sign-in rejected: origin or form token does not match")
		view.Error = T(DefaultLang, "signin.expired-form")
		h.renderSignin(w, r, http.StatusForbidden, view)
		return
	}
	if email == "" || password == "" {
		view.Error = T(DefaultLang, "signin.missing")
		h.renderSignin(w, r, http.StatusBadRequest, view)
		return
	}
	if strings.ContainsRune(email, 0) {
		view.Email = ""
		view.Error = T(DefaultLang, "error.nul-character", "email")
		h.renderSignin(w, r, http.StatusBadRequest, view)
		return
	}

	now := h.now()
	key := email + "|" + clientIP(r)
	if wait := h.limiter.blockedFor(key, now); wait > 0 {
		h.log.Warn("sign-in rate limited", "client", clientIP(r))
		view.Error = T(DefaultLang, "signin.rate-limited", int(math.Ceil(wait.Minutes())))
		h.renderSignin(w, r, http.StatusTooManyRequests, view)
		return
	}

	user, err := h.authenticate(r.Context(), email, password)
	if errors.Is(err, auth.ErrPasswordMismatch) {
		h.limiter.fail(key, now)
		h.log.Warn("sign-in failed: wrong email or password", "client", clientIP(r))
		view.Error = T(DefaultLang, "signin.wrong")
		h.renderSignin(w, r, http.StatusUnauthorized, view)
		return
	}
	if err != nil {
		h.writeError(w, r, nil, err)
		return
	}
	h.limiter.succeed(key)

	session := &store.Session{
		AccountID: user.AccountID,
		UserID:    user.ID,
		CSRFToken: auth.NewCSRFToken(),
		ExpiresAt: now.Add(SessionLifetime),
	}
	token, err := h.db.CreateSession(r.Context(), session)
	if err != nil {
		h.writeError(w, r, nil, err)
		return
	}
	h.log.Info("signed in", "account_id", user.AccountID, "user_id", user.ID)
	http.SetCookie(w, auth.SessionCookie(token, session.ExpiresAt, h.publicURL))
	http.SetCookie(w, &http.Cookie{Name: signinCookieName, Path: "/signin", MaxAge: -1})
	http.Redirect(w, r, view.Next, http.StatusSeeOther)
}

// authenticate returns the user with the email when the password matches,
// and auth.ErrPasswordMismatch for an unknown email or a wrong password,
// spending the same time on both.
func (h *Handler) authenticate(ctx context.Context, email, password string) (*store.User, error) {
	user, err := h.db.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil, auth.VerifyPassword("", password)
	}
	if err != nil {
		return nil, err
	}
	if err := auth.VerifyPassword(user.PasswordHash, password); err != nil {
		return nil, err
	}
	return user, nil
}

// signout ends the session and clears its cookie.
func (h *Handler) signout(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if err := h.db.DeleteSession(r.Context(), v.token); err != nil {
		return err
	}
	h.log.Info("signed out", "account_id", v.Account.ID, "user_id", v.User.ID)
	http.SetCookie(w, auth.ClearSessionCookie(h.publicURL))
	http.Redirect(w, r, "/signin?notice=signed-out", http.StatusSeeOther)
	return nil
}

// safeNext returns next when it is a path on this site, and the report
// list otherwise, so the sign-in form cannot send a user to another site.
// Browsers drop tabs and line breaks inside a URL and read a backslash as a
// slash, which turns "/\t/host" and "/\\host" into "//host". Hence next
// may contain neither a backslash nor an ASCII control character.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsFunc(next, isUnsafeInRedirect) || strings.HasPrefix(next, "/signin") {
		return "/campaigns"
	}
	return next
}

func isUnsafeInRedirect(r rune) bool {
	return r == '\\' || r < 0x20 || r == 0x7f
}

// clientIP returns the address the request came from.
//
// NOTE: behind a reverse proxy this is the proxy's address, so the sign-in
// limit then applies per email across all clients. X-Forwarded-For is not
// read because a client can forge it.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// CreateUser adds a user to an account with a generated password and
// returns the password, which is shown only here: the store keeps its
// hash. Commands that set up an account call it to print a working
// sign-in.
func CreateUser(ctx context.Context, db *store.DB, accountID int64, email string, role auth.Role) (string, error) {
	password := auth.GeneratePassword()
	hash, err := auth.HashPassword(password)
	if err != nil {
		return "", err
	}
	u := &store.User{AccountID: accountID, Email: email, Role: string(role), PasswordHash: hash, CreatedAt: time.Now().UTC()}
	if err := db.CreateUser(ctx, u); err != nil {
		return "", fmt.Errorf("create user for sign-in: %w", err)
	}
	return password, nil
}
