package web

import (
	"net/http"
	"sort"
	"strings"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
)

type settingsJSON struct {
	// TimeZone and DefaultCountry are read-only here.
	TimeZone       string       `json:"time_zone"`
	DefaultCountry string       `json:"default_country"`
	Norms          domain.Norms `json:"norms"`
}

// normRequest keeps pointers, so a missing mark is distinguished from 0.
type normRequest struct {
	Green *float64 `json:"green"`
	Red   *float64 `json:"red"`
}

type settingsRequest struct {
	Norms map[string]normRequest `json:"norms"`
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	writeJSON(w, http.StatusOK, settingsOf(account))
	return nil
}

func settingsOf(account *domain.Account) settingsJSON {
	norms := account.Settings.Norms
	if norms == nil {
		norms = domain.DefaultNorms()
	}
	return settingsJSON{TimeZone: account.TimeZone, DefaultCountry: account.DefaultCountry, Norms: norms}
}

// updateSettings replaces the account's norms. A rate left out of norms
// gets no marks in reports.
func (s *Server) updateSettings(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	var req settingsRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if req.Norms == nil {
		return badRequest("norms: missing: send the norms object, such as {\"norms\": {\"read\": {\"green\": 60, \"red\": 30}}}")
	}
	norms, err := validateNorms(req.Norms)
	if err != nil {
		return err
	}

	settings := account.Settings
	settings.Norms = norms
	if err := s.db.UpdateAccountSettings(r.Context(), account.ID, settings); err != nil {
		return err
	}
	s.log.Info("account settings updated", "account_id", account.ID)
	account.Settings = settings
	writeJSON(w, http.StatusOK, settingsOf(account))
	return nil
}

// lowerIsBetter lists the rates whose green mark lies below the red one.
var lowerIsBetter = map[string]bool{
	"undelivered": true, "expired": true, "unsubscribed": true, "pending": true,
	"not_sent.inaccessible": true, "not_sent.over_plan_limit": true,
	"not_sent.annoyance_limit": true, "not_sent.duplicate": true,
}

// validateNorms checks every norm in name order, so the first error is the
// same on every request.
func validateNorms(in map[string]normRequest) (domain.Norms, error) {
	rates := report.Rates(report.Metrics{})
	valid := make([]string, 0, len(rates))
	for name := range rates {
		valid = append(valid, name)
	}
	sort.Strings(valid)

	names := make([]string, 0, len(in))
	for name := range in {
		names = append(names, name)
	}
	sort.Strings(names)

	norms := domain.Norms{}
	for _, name := range names {
		field := "norms." + name
		if _, ok := rates[name]; !ok {
			return nil, badRequest("%s: unknown rate %q: use one of %s", field, truncate(name), strings.Join(valid, ", "))
		}
		n := in[name]
		if n.Green == nil {
			return nil, badRequest("%s.green: missing: set the percent of a good campaign", field)
		}
		if n.Red == nil {
			return nil, badRequest("%s.red: missing: set the percent of a bad campaign", field)
		}
		for _, mark := range []struct {
			name  string
			value float64
		}{{"green", *n.Green}, {"red", *n.Red}} {
			if mark.value < 0 || mark.value > 100 {
				return nil, badRequest("%s.%s: %v is out of range: use a percent from 0 to 100", field, mark.name, mark.value)
			}
		}
		green, red := *n.Green, *n.Red
		switch {
		case green == red:
			return nil, badRequest("%s: green and red are both %v: set them apart", field, green)
		case lowerIsBetter[name] && green > red:
			return nil, badRequest("%s.green: %v is above red %v, but a lower %s is better: set green below red", field, green, red, name)
		case !lowerIsBetter[name] && green < red:
			return nil, badRequest("%s.green: %v is below red %v, but a higher %s is better: set green above red", field, green, red, name)
		}
		norms[name] = domain.Norm{Green: green, Red: red}
	}
	return norms, nil
}
