package ui_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/vibereport/vibereport/internal/report"
)

func TestBreakdownHeadingIsSentenceCase(t *testing.T) {
	s := startSite(t)
	id := s.newCampaign(campaignSpec{name: "Heading check", sent: 4, delivered: 3, read: 1})
	c := newBrowserClient(t, s)
	if status := c.signin(s.viewerEmail, s.viewerPassword); status != http.StatusSeeOther {
		t.Fatalf("viewer sign-in: status %d, want 303", status)
	}

	want := map[string]string{
		report.ByLanguage: "By language",
		report.BySegment:  "By segment",
		report.ByDay:      "By day",
		report.ByHour:     "By hour",
		report.ByLink:     "By clicked link",
		report.ByReason:   "By failure reason",
		report.ByOS:       "By clicking device OS",
	}
	for _, by := range report.BreakdownDimensions {
		status, page := c.get(fmt.Sprintf("/campaigns/%d?by=%s", id, by))
		if status != http.StatusOK {
			t.Errorf("report by %s: status %d", by, status)
			continue
		}
		heading, ok := want[by]
		if !ok {
			t.Errorf("dimension %s has no expected heading in this test", by)
			continue
		}
		if !strings.Contains(page, "<h3>"+heading+"</h3>") {
			t.Errorf("report by %s lacks heading <h3>%s</h3>", by, heading)
		}
	}
}
