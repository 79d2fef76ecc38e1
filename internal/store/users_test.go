package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

func createAccount(t *testing.T, db *store.DB, name string) int64 {
	t.Helper()
	a := &domain.Account{Name: name, TimeZone: "Europe/Kyiv", DefaultCountry: "UA"}
	if err := db.CreateAccount(context.Background(), a); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	return a.ID
}

func createUser(t *testing.T, db *store.DB, accountID int64, email string) *store.User {
	t.Helper()
	u := &store.User{AccountID: accountID, Email: email, Role: "marketer", PasswordHash: "$2a$10$placeholder"}
	if err := db.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

func TestUserCreateAndLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		accountID := createAccount(t, db, "Acme")
		u := createUser(t, db, accountID, "  Olena.K@Example.COM ")

		if u.ID == 0 {
			t.Fatal("CreateUser left ID at 0")
		}
		if u.Email != "olena.k@example.com" {
			t.Errorf("stored email = %q, want lowercased and trimmed", u.Email)
		}

		got, err := db.User(ctx, accountID, u.ID)
		if err != nil {
			t.Fatalf("User: %v", err)
		}
		if got.Email != u.Email || got.Role != "marketer" || got.PasswordHash != u.PasswordHash || got.AccountID != accountID {
			t.Errorf("User = %+v, want %+v", got, u)
		}
		if !got.CreatedAt.Equal(u.CreatedAt.Truncate(time.Millisecond)) {
			t.Errorf("CreatedAt = %v, want %v to the millisecond", got.CreatedAt, u.CreatedAt)
		}

		byEmail, err := db.UserByEmail(ctx, "OLENA.k@example.com")
		if err != nil {
			t.Fatalf("UserByEmail with other case: %v", err)
		}
		if byEmail.ID != u.ID {
			t.Errorf("UserByEmail ID = %d, want %d", byEmail.ID, u.ID)
		}
	})
}

func TestUserEmailUniqueIgnoringCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		first := createAccount(t, db, "Acme")
		second := createAccount(t, db, "Globex")
		createUser(t, db, first, "owner@example.com")

		dup := &store.User{AccountID: second, Email: "Owner@Example.com", Role: "viewer", PasswordHash: "x"}
		err := db.CreateUser(context.Background(), dup)
		if !errors.Is(err, store.ErrEmailTaken) {
			t.Errorf("CreateUser with taken email in other account: err = %v, want ErrEmailTaken", err)
		}
	})
}

func TestUserNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		first := createAccount(t, db, "Acme")
		second := createAccount(t, db, "Globex")
		u := createUser(t, db, first, "owner@example.com")

		if _, err := db.User(ctx, second, u.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("User from other account: err = %v, want ErrNotFound", err)
		}
		if _, err := db.UserByEmail(ctx, "nobody@example.com"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UserByEmail unknown: err = %v, want ErrNotFound", err)
		}
	})
}

func TestUserInvalidInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		accountID := createAccount(t, db, "Acme")

		cases := []struct {
			name string
			user store.User
		}{
			{"empty email", store.User{AccountID: accountID, Email: "  ", Role: "admin", PasswordHash: "x"}},
			{"empty hash", store.User{AccountID: accountID, Email: "a@example.com", Role: "admin"}},
			{"unknown role", store.User{AccountID: accountID, Email: "b@example.com", Role: "owner", PasswordHash: "x"}},
			{"unknown account", store.User{AccountID: accountID + 1000, Email: "c@example.com", Role: "admin", PasswordHash: "x"}},
		}
		for _, c := range cases {
			if err := db.CreateUser(ctx, &c.user); err == nil {
				t.Errorf("CreateUser with %s: err = nil, want an error", c.name)
			}
		}
	})
}
