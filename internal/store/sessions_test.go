package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

func createSession(t *testing.T, db *store.DB, accountID, userID int64, expiresAt time.Time) (string, *store.Session) {
	t.Helper()
	s := &store.Session{AccountID: accountID, UserID: userID, CSRFToken: "csrf-token", ExpiresAt: expiresAt}
	token, err := db.CreateSession(context.Background(), s)
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	return token, s
}

func TestSessionCreateAndLookUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		accountID := createAccount(t, db, "Acme")
		u := createUser(t, db, accountID, "owner@example.com")
		expires := time.Now().Add(time.Hour).UTC().Truncate(time.Millisecond)

		token, s := createSession(t, db, accountID, u.ID, expires)
		if len(token) < 43 {
			t.Errorf("token %q is shorter than 43 characters (256 bits in base64url)", token)
		}
		if s.ID == 0 {
			t.Error("CreateSession left ID at 0")
		}

		got, err := db.SessionByToken(ctx, token)
		if err != nil {
			t.Fatalf("SessionByToken: %v", err)
		}
		if got.ID != s.ID || got.AccountID != accountID || got.UserID != u.ID {
			t.Errorf("SessionByToken = %+v, want ids of %+v", got, s)
		}
		if got.CSRFToken != s.CSRFToken {
			t.Errorf("CSRFToken = %q, want %q", got.CSRFToken, s.CSRFToken)
		}
		if !got.ExpiresAt.Equal(expires) {
			t.Errorf("ExpiresAt = %v, want %v", got.ExpiresAt, expires)
		}

		other, _ := createSession(t, db, accountID, u.ID, expires)
		if other == token {
			t.Error("two sessions got the same token")
		}
	})
}

func TestSessionTokenStoredHashed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		accountID := createAccount(t, db, "Acme")
		u := createUser(t, db, accountID, "owner@example.com")
		token, _ := createSession(t, db, accountID, u.ID, time.Now().Add(time.Hour))

		sum := sha256.Sum256([]byte(token))
		digest := hex.EncodeToString(sum[:])
		if _, err := db.SessionByToken(ctx, digest); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SessionByToken with the stored digest: err = %v, want ErrNotFound", err)
		}
		if _, err := db.SessionByToken(ctx, token+"x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SessionByToken with altered token: err = %v, want ErrNotFound", err)
		}
		if _, err := db.SessionByToken(ctx, ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SessionByToken with empty token: err = %v, want ErrNotFound", err)
		}
	})
}

func TestSessionExpiredNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		accountID := createAccount(t, db, "Acme")
		u := createUser(t, db, accountID, "owner@example.com")
		token, _ := createSession(t, db, accountID, u.ID, time.Now().Add(-time.Second))

		if _, err := db.SessionByToken(context.Background(), token); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SessionByToken of expired session: err = %v, want ErrNotFound", err)
		}
	})
}

func TestSessionUserOfOtherAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		first := createAccount(t, db, "Acme")
		second := createAccount(t, db, "Globex")
		u := createUser(t, db, first, "owner@example.com")

		s := &store.Session{AccountID: second, UserID: u.ID, CSRFToken: "c", ExpiresAt: time.Now().Add(time.Hour)}
		if _, err := db.CreateSession(context.Background(), s); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("CreateSession for user of other account: err = %v, want ErrNotFound", err)
		}
	})
}

func TestSessionMissingFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		accountID := createAccount(t, db, "Acme")
		u := createUser(t, db, accountID, "owner@example.com")
		ctx := context.Background()

		noCSRF := &store.Session{AccountID: accountID, UserID: u.ID, ExpiresAt: time.Now().Add(time.Hour)}
		if _, err := db.CreateSession(ctx, noCSRF); err == nil {
			t.Error("CreateSession without CSRF token: err = nil, want an error")
		}
		noExpiry := &store.Session{AccountID: accountID, UserID: u.ID, CSRFToken: "c"}
		if _, err := db.CreateSession(ctx, noExpiry); err == nil {
			t.Error("CreateSession without expiry: err = nil, want an error")
		}
	})
}

func TestSessionDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		accountID := createAccount(t, db, "Acme")
		u := createUser(t, db, accountID, "owner@example.com")
		token, _ := createSession(t, db, accountID, u.ID, time.Now().Add(time.Hour))
		otherToken, _ := createSession(t, db, accountID, u.ID, time.Now().Add(time.Hour))

		if err := db.DeleteSession(ctx, token); err != nil {
			t.Fatalf("DeleteSession: %v", err)
		}
		if _, err := db.SessionByToken(ctx, token); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SessionByToken after delete: err = %v, want ErrNotFound", err)
		}
		if _, err := db.SessionByToken(ctx, otherToken); err != nil {
			t.Errorf("SessionByToken of other session after delete: %v", err)
		}
		if err := db.DeleteSession(ctx, token); err != nil {
			t.Errorf("second DeleteSession: err = %v, want nil", err)
		}
	})
}

func TestSessionDeleteExpired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		first := createAccount(t, db, "Acme")
		second := createAccount(t, db, "Globex")
		u1 := createUser(t, db, first, "one@example.com")
		u2 := createUser(t, db, second, "two@example.com")
		now := time.Now()

		createSession(t, db, first, u1.ID, now.Add(-time.Hour))
		createSession(t, db, second, u2.ID, now.Add(-time.Minute))
		live, _ := createSession(t, db, first, u1.ID, now.Add(time.Hour))

		n, err := db.DeleteExpiredSessions(ctx, now)
		if err != nil {
			t.Fatalf("DeleteExpiredSessions: %v", err)
		}
		if n != 2 {
			t.Errorf("DeleteExpiredSessions removed %d sessions, want 2 (one per account)", n)
		}
		if _, err := db.SessionByToken(ctx, live); err != nil {
			t.Errorf("live session after purge: %v", err)
		}
		if n, _ := db.DeleteExpiredSessions(ctx, now); n != 0 {
			t.Errorf("second DeleteExpiredSessions removed %d, want 0", n)
		}
	})
}
