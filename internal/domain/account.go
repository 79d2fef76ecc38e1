package domain

import "time"

// Account owns every other record; all data is scoped by its id.
type Account struct {
	ID       int64
	Name     string
	TimeZone string
	// DefaultCountry is the ISO 3166 region used to read phone numbers
	// written without a country code.
	DefaultCountry string
	Settings       Settings
	CreatedAt      time.Time
}

// Settings holds an account's report preferences.
type Settings struct {
	Norms Norms `json:"norms"`
}

// Location returns the account's time zone, or UTC when its name is unknown
// to this machine's time zone database.
func (a *Account) Location() *time.Location {
	loc, err := time.LoadLocation(a.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}
