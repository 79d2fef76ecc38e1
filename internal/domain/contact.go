package domain

import "time"

// Contact is a person the account can message. Phone is E.164 with a leading
// +; bot subscribers have no phone and are known by ViberUserID.
type Contact struct {
	ID             int64
	AccountID      int64
	Phone          string
	ViberUserID    string
	Email          string
	ExternalID     string
	FirstName      string
	LastName       string
	Language       string
	CustomFields   map[string]string
	UnsubscribedAt time.Time
	CreatedAt      time.Time
}

// ContactList is a named, hand-made set of contacts.
type ContactList struct {
	ID        int64
	AccountID int64
	Name      string
	Size      int64
	CreatedAt time.Time
}

// Segment is a named audience; ListID is the contact list it draws from.
type Segment struct {
	ID        int64
	AccountID int64
	Name      string
	ListID    int64
	CreatedAt time.Time
	UpdatedAt time.Time
}
