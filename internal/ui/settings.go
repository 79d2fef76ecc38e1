package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/vibereport/vibereport/internal/domain"
)

// normNames lists the rates with norms in the order the settings page shows
// them.
var normNames = []string{"delivered", "read", "ctr", "ctor", "undelivered", "expired", "unsubscribed"}

type settingsView struct {
	Rows []normRow
	// Errors maps a field name to what is wrong with its value.
	Errors map[string]string
}

type normRow struct {
	Name    string
	Current domain.Norm
	Default domain.Norm
	// Green and Red are the form values, as typed when the form is shown
	// again with errors.
	Green, Red string
}

func (h *Handler) settingsForm(w http.ResponseWriter, r *http.Request, v *viewer) error {
	h.render(w, r, v, http.StatusOK, "settings", "settings.title", newSettingsView(v.Account.Settings.Norms, nil))
	return nil
}

func newSettingsView(norms domain.Norms, form map[string]string) settingsView {
	defaults := domain.DefaultNorms()
	view := settingsView{Errors: map[string]string{}}
	for _, name := range normNames {
		current, ok := norms[name]
		if !ok {
			current = defaults[name]
		}
		row := normRow{Name: name, Current: current, Default: defaults[name],
			Green: formatNormValue(current.Green), Red: formatNormValue(current.Red)}
		if form != nil {
			row.Green, row.Red = form[name+".green"], form[name+".red"]
		}
		view.Rows = append(view.Rows, row)
	}
	return view
}

// saveSettings replaces the account's norms. Only admins may, and a value
// outside 0 to 100 or a pair of equal marks is rejected with the form shown
// again.
func (h *Handler) saveSettings(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if v.Role != "admin" {
		return forbidden()
	}
	form := map[string]string{}
	norms := domain.Norms{}
	for name, n := range v.Account.Settings.Norms {
		norms[name] = n
	}
	errs := map[string]string{}
	if r.PostForm.Get("reset") != "" {
		norms = domain.DefaultNorms()
	} else {
		for _, name := range normNames {
			green, red := r.PostForm.Get(name+".green"), r.PostForm.Get(name+".red")
			form[name+".green"], form[name+".red"] = green, red
			g, gErr := parseNormValue(green)
			rd, rErr := parseNormValue(red)
			switch {
			case gErr != nil:
				errs[name] = T(DefaultLang, "settings.invalid", green)
			case rErr != nil:
				errs[name] = T(DefaultLang, "settings.invalid", red)
			case g == rd:
				errs[name] = T(DefaultLang, "settings.equal")
			default:
				norms[name] = domain.Norm{Green: g, Red: rd}
			}
		}
	}
	if len(errs) > 0 {
		view := newSettingsView(v.Account.Settings.Norms, form)
		view.Errors = errs
		h.render(w, r, v, http.StatusBadRequest, "settings", "settings.title", view)
		return nil
	}

	settings := v.Account.Settings
	settings.Norms = norms
	if err := h.db.UpdateAccountSettings(r.Context(), v.Account.ID, settings); err != nil {
		return err
	}
	h.log.Info("account norms updated", "account_id", v.Account.ID, "user_id", v.User.ID)
	http.Redirect(w, r, "/settings?notice=settings-saved", http.StatusSeeOther)
	return nil
}

func parseNormValue(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil || f < 0 || f > 100 {
		return 0, strconv.ErrRange
	}
	return f, nil
}

func formatNormValue(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}
