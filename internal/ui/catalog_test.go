package ui

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
)

// literalKey finds catalog keys written as literals in templates and Go
// code: {{t $lang "report.ttl"}}, T(DefaultLang, "signin.wrong"),
// badRequest("error.metric-invalid") and Label: "metric.clicks_total".
var literalKey = regexp.MustCompile(`(?:\bt\s+\$?[\w.]*[Ll]ang\s+|\bT\([\w.]+,\s*|badRequest\(|key:\s*|Label:\s*|NoteKey:\s*)"([a-z0-9_.-]*[a-z0-9])"`)

func TestCatalogHasEveryTemplateKey(t *testing.T) {
	found := 0
	check := func(name string, text []byte) {
		for _, m := range literalKey.FindAllSubmatch(text, -1) {
			found++
			if key := string(m[1]); !HasKey(key) {
				t.Errorf("%s uses key %q, which the English catalog lacks", name, key)
			}
		}
	}
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		text, err := templateFS.ReadFile(p)
		if err != nil {
			return err
		}
		check(p, text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	goFiles, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range goFiles {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		text, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		check(name, text)
	}
	if found < 100 {
		t.Errorf("found %d key uses, want at least 100: the pattern no longer matches how keys are written", found)
	}
}

// TestCatalogHasEveryComputedKey covers keys that templates build from
// data, such as "metric." + a metric name.
func TestCatalogHasEveryComputedKey(t *testing.T) {
	var keys []string
	for _, m := range domain.AllMetrics() {
		keys = append(keys, metricKey(string(m)))
	}
	keys = append(keys, metricKey(string(domain.MetricClicksTotal)))

	for _, s := range []domain.Status{domain.StatusNotSent, domain.StatusSent, domain.StatusFailed,
		domain.StatusDelivered, domain.StatusRead, domain.StatusClicked} {
		keys = append(keys, "status."+s.String())
	}
	for _, r := range domain.FailureReasons {
		keys = append(keys, "reason."+string(r))
	}

	for _, name := range normNames {
		keys = append(keys, "norm."+name)
	}
	for _, dim := range report.BreakdownDimensions {
		keys = append(keys, "dimension."+dim, "details.by."+dim)
	}
	for _, role := range []string{"admin", "marketer", "viewer"} {
		keys = append(keys, "role."+role)
	}
	for _, device := range []string{"android", "ios", "desktop"} {
		keys = append(keys, "preview."+device)
	}
	for _, name := range []string{"ctr", "ctor"} {
		keys = append(keys, "rate."+name, "rate."+name+".long")
	}

	for _, name := range []string{"audience", "sent", "delivered", "read", "clicked", "undelivered"} {
		keys = append(keys, "denominator."+name)
	}
	for _, column := range listColumns {
		keys = append(keys, "column."+column)
	}
	for _, period := range report.Periods {
		keys = append(keys, "period."+period)
	}
	for _, rank := range rankings {
		keys = append(keys, "rank."+rank)
	}
	keys = append(keys, "period.all", "period.custom")
	for _, step := range []string{report.StepQuarterHour, report.StepHour, report.StepDay} {
		keys = append(keys, "activity.step."+step)
	}
	for _, status := range []string{"400", "403", "404", "413", "500", "501"} {
		keys = append(keys, "http."+status)
	}

	for _, key := range keys {
		if !HasKey(key) {
			t.Errorf("English catalog lacks computed key %q", key)
		}
	}
}

func TestTranslateMissingKeyShowsMarker(t *testing.T) {
	if got := T("en", "no.such.key"); got != "[[no.such.key]]" {
		t.Errorf("T(missing) = %q, want [[no.such.key]]", got)
	}
	if got := T("uk", "nav.reports"); got != "Reports" {
		t.Errorf("T(uk, nav.reports) = %q, want the English fallback Reports", got)
	}
	if got := T("en", "rate.of", "delivered"); got != "of delivered" {
		t.Errorf("T(rate.of, delivered) = %q, want \"of delivered\"", got)
	}
}
