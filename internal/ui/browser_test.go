package ui_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/vibereport/vibereport/internal/report"
	"github.com/vibereport/vibereport/internal/ui"
)

// chromiumPath is where the browser tests expect Chromium; ./scripts/test
// installs it there on Debian.
const chromiumPath = "/usr/bin/chromium"

// newBrowser starts headless Chromium with a fresh profile. It fails the
// test, never skips it, when Chromium is missing.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("Chromium not found at %s (%v): run ./scripts/test, which installs it, or install the chromium package", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1360, 1000),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// screenshotDir returns where page screenshots go: $VIBEREPORT_SCREENSHOTS,
// or screenshots/ at the repository root.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("VIBEREPORT_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("create screenshot folder: %v", err)
	}
	return dir
}

// browserRun runs steps with a time limit, failing the test with what was
// being done.
func browserRun(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	stepCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(stepCtx, steps...); err != nil {
		location, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("%s (at %s): %v", what, location, err)
	}
}

func browserValue[T any](t *testing.T, ctx context.Context, what string, action chromedp.Action[T]) T {
	t.Helper()
	stepCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(stepCtx, action)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png := browserValue(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatalf("write screenshot: %v", err)
	}
}

// pageHasNoMissingKeys fails when the page shows a catalog key that has
// no message.
func pageHasNoMissingKeys(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	text := browserValue(t, ctx, "read page text", chromedp.Evaluate[string](`document.body.innerText`))
	if i := strings.Index(text, "[["); i >= 0 {
		t.Errorf("%s shows a missing catalog key: %q", page, text[i:min(len(text), i+60)])
	}
}

type apiReport struct {
	Metrics struct {
		Audience     int64            `json:"audience"`
		NotSent      map[string]int64 `json:"not_sent"`
		Sent         int64            `json:"sent"`
		Delivered    int64            `json:"delivered"`
		Read         int64            `json:"read"`
		Clicked      int64            `json:"clicked"`
		Undelivered  int64            `json:"undelivered"`
		Expired      int64            `json:"expired"`
		Unsubscribed int64            `json:"unsubscribed"`
		Pending      int64            `json:"pending"`
	} `json:"metrics"`
	Rates              map[string]report.Rate `json:"rates"`
	UndeliveredReasons map[string]int64       `json:"undelivered_reasons"`
	Clicks             struct {
		Total int64 `json:"total"`
	} `json:"clicks"`
}

// expectedCounts returns each metric's count from the API's report, keyed
// as the page's data-metric attributes.
func (r *apiReport) expectedCounts() map[string]int64 {
	m := r.Metrics
	counts := map[string]int64{
		"audience": m.Audience, "sent": m.Sent, "delivered": m.Delivered, "read": m.Read, "clicked": m.Clicked,
		"undelivered": m.Undelivered, "expired": m.Expired, "unsubscribed": m.Unsubscribed, "pending": m.Pending,
	}
	var notSent int64
	for bucket, n := range m.NotSent {
		counts["not_sent."+bucket] = n
		notSent += n
	}
	counts["not_sent"] = notSent
	for reason, n := range r.UndeliveredReasons {
		counts["undelivered."+reason] = n
	}
	return counts
}

// pageRow is one row of the performance indicators as the page shows it.
type pageRow struct {
	Metric string     `json:"metric"`
	Count  string     `json:"count"`
	Rates  []pageRate `json:"rates"`
}

type pageRate struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Of    string `json:"of"`
}

const readRowsJS = `[...document.querySelectorAll('table.metrics tr[data-metric]')].map(tr => ({
	metric: tr.dataset.metric,
	count: tr.querySelector('.count').textContent.trim(),
	rates: [...tr.querySelectorAll('[data-rate]')].map(r => ({
		name: r.dataset.rate,
		value: r.querySelector('.rate-value').textContent.trim(),
		of: r.querySelector('.rate-of').textContent.trim(),
	})),
}))`

// TestBrowserReport drives the browser report as a user would: sign in,
// open the list and a report, check every figure against the JSON API,
// open a contact list, export a CSV, add details, compare, delete and
// restore.
func TestBrowserReport(t *testing.T) {
	s := startSite(t)
	campaignID := s.newCampaign(campaignSpec{
		name: "Spring sale, Kyiv", tags: []string{"sale", "spring"},
		sent: 24, delivered: 16, read: 10, clicked: 4, unsubscribed: 1,
		failed:  []string{"not_viber_user", "not_viber_user", "blocked"},
		notSent: map[string]int{"inaccessible": 2, "annoyance_limit": 1},
	})
	otherID := s.newCampaign(campaignSpec{
		name: "Weekend reminder", tags: []string{"reminder"},
		sent: 12, delivered: 10, read: 4, clicked: 1, failed: []string{"no_device"},
	})

	ctx := newBrowser(t)
	shots := screenshotDir(t)

	// Signing in.
	browserRun(t, ctx, "open the report list signed out", chromedp.Navigate(s.url+"/campaigns"), chromedp.WaitVisible(chromedp.CSS("#email")))
	location := browserValue(t, ctx, "read location", chromedp.Location())
	if !strings.Contains(location, "/signin") {
		t.Fatalf("signed-out visit to /campaigns ended at %s, want the sign-in page", location)
	}
	screenshot(t, ctx, shots, "01-signin")
	browserRun(t, ctx, "sign in with a wrong password",
		chromedp.SendKeys(chromedp.CSS("#email"), s.email),
		chromedp.SendKeys(chromedp.CSS("#password"), "not the password"),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".banner.error")),
	)
	browserRun(t, ctx, "sign in",
		chromedp.SetValue(chromedp.CSS("#email"), s.email),
		chromedp.SetValue(chromedp.CSS("#password"), s.password),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("table.campaigns")),
	)

	// The report list.
	listed := browserValue(t, ctx, "read listed campaigns",
		chromedp.Evaluate[[]string](`[...document.querySelectorAll('table.campaigns tr[data-campaign]')].map(tr => tr.dataset.campaign)`))
	if want := []string{fmt.Sprint(otherID), fmt.Sprint(campaignID)}; strings.Join(listed, ",") != strings.Join(want, ",") {
		t.Errorf("listed campaigns = %v, want %v, newest first", listed, want)
	}
	pageHasNoMissingKeys(t, ctx, "report list")
	screenshot(t, ctx, shots, "02-campaigns")

	// The report, figure by figure against the JSON API.
	browserRun(t, ctx, "open the report",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-campaign="%d"] th a`, campaignID))),
		chromedp.WaitVisible(chromedp.CSS("table.metrics")),
	)
	var api apiReport
	s.call("GET", fmt.Sprintf("/api/v1/campaigns/%d/report", campaignID), nil, &api)
	rows := browserValue(t, ctx, "read metric rows", chromedp.Evaluate[[]pageRow](readRowsJS))
	want := api.expectedCounts()
	seen := map[string]bool{}
	for _, row := range rows {
		seen[row.Metric] = true
		wantCount, ok := want[row.Metric]
		if !ok {
			t.Errorf("page shows metric %q, which the API report lacks", row.Metric)
			continue
		}
		if got := strings.ReplaceAll(row.Count, ",", ""); got != fmt.Sprint(wantCount) {
			t.Errorf("%s: page count %s, API %d", row.Metric, row.Count, wantCount)
		}
		for _, rate := range row.Rates {
			apiRate, ok := api.Rates[rate.Name]
			if rate.Name == "" {
				// Failure reasons are rated over sent.
				apiRate = report.Rate{Numerator: wantCount, Denominator: api.Metrics.Sent, DenominatorName: "sent"}
				if api.Metrics.Sent > 0 {
					apiRate.Value = float64(wantCount) / float64(api.Metrics.Sent)
				}
				ok = true
			}
			if !ok {
				t.Errorf("%s: page shows rate %q, which the API report lacks", row.Metric, rate.Name)
				continue
			}
			if wantValue := ui.FormatPercent(apiRate.Value); apiRate.Denominator > 0 && rate.Value != wantValue {
				t.Errorf("%s rate %s: page %s, API %s", row.Metric, rate.Name, rate.Value, wantValue)
			}
			if wantOf := "of " + apiRate.DenominatorName; rate.Of != wantOf {
				t.Errorf("%s rate %s: page denominator %q, want %q", row.Metric, rate.Name, rate.Of, wantOf)
			}
		}
	}
	for metric := range want {
		if !seen[metric] {
			t.Errorf("API metric %s has no row on the page", metric)
		}
	}
	clickRates := map[string]bool{}
	for _, row := range rows {
		if row.Metric == "clicked" {
			for _, r := range row.Rates {
				clickRates[r.Name] = true
			}
		}
	}
	if !clickRates["ctr"] || !clickRates["ctor"] {
		t.Errorf("clicked row rates = %v, want ctr and ctor", clickRates)
	}

	general := browserValue(t, ctx, "read general information", chromedp.Evaluate[map[string]string](
		`Object.fromEntries([...document.querySelectorAll('dd[data-field]')].map(dd => [dd.dataset.field, dd.innerText.trim()]))`))
	for field, wantText := range map[string]string{
		"campaign": "Spring sale, Kyiv", "ttl": "1 hour", "tags": "sale", "launched-by": "anna@shop.example",
		"message": "Spring sale, Kyiv message",
	} {
		if !strings.Contains(general[field], wantText) {
			t.Errorf("general information %s = %q, want it to contain %q", field, general[field], wantText)
		}
	}
	devices := browserValue(t, ctx, "count previews", chromedp.Evaluate[int](`document.querySelectorAll('.devices .device').length`))
	if devices != 3 {
		t.Errorf("previews = %d, want Android, iOS and desktop", devices)
	}
	pageHasNoMissingKeys(t, ctx, "report")
	screenshot(t, ctx, shots, "03-report")

	// The language switcher of the previews.
	browserRun(t, ctx, "switch the preview to Ukrainian",
		chromedp.Click(chromedp.CSS(`.tabs a[href="?preview=uk#preview"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.tabs a[aria-current][href="?preview=uk#preview"]`)),
	)
	previewText := browserValue(t, ctx, "read preview", chromedp.Text(chromedp.CSS(".device.android .text")))
	if !strings.Contains(previewText, "Весняний") {
		t.Errorf("Ukrainian preview text = %q, want the uk version", previewText)
	}

	// A metric's contact list has as many rows as its count.
	browserRun(t, ctx, "open the delivered contacts",
		chromedp.Click(chromedp.CSS(`tr[data-metric="delivered"] a.count`)),
		chromedp.WaitVisible(chromedp.CSS("table.contacts")),
	)
	listLength := browserValue(t, ctx, "count contacts", chromedp.Evaluate[int](`document.querySelectorAll('table.contacts tr[data-delivery]').length`))
	if int64(listLength) != api.Metrics.Delivered {
		t.Errorf("delivered contact list has %d rows, report counts %d", listLength, api.Metrics.Delivered)
	}
	pageHasNoMissingKeys(t, ctx, "contact list")
	screenshot(t, ctx, shots, "04-contacts-delivered")

	phone := fmt.Sprintf("+38067%03d%04d", campaignID, 3)
	browserRun(t, ctx, "search the list by phone",
		chromedp.SendKeys(chromedp.CSS("#q"), phone),
		chromedp.Submit(chromedp.CSS("#q")),
		chromedp.WaitVisible(chromedp.CSS("table.contacts")),
		waitFor(`location.search.includes('q=') && document.readyState === 'complete' && document.querySelectorAll('table.contacts tr[data-delivery]').length === 1`),
	)

	// CSV export of the read contacts through the browser's download.
	downloads := t.TempDir()
	browserRun(t, ctx, "open the report again", chromedp.Navigate(fmt.Sprintf("%s/campaigns/%d", s.url, campaignID)),
		chromedp.WaitVisible(chromedp.CSS("#export")))
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	browserRun(t, ctx, "download the read contacts",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior:      browser.SetDownloadBehaviorBehaviorAllowAndName,
				DownloadPath:  downloads,
				EventsEnabled: ptr(true),
			})
			return err
		}),
		chromedp.SetValue(chromedp.CSS("#csv-metric"), "read"),
		chromedp.Click(chromedp.CSS(`form[data-download] button[type=submit]`)),
	)
	csvPath := waitDownload(t, progress, downloads)
	records := readCSV(t, csvPath)
	if got := int64(len(records) - 1); got != api.Metrics.Read {
		t.Errorf("read CSV has %d contact rows, report counts %d", got, api.Metrics.Read)
	}

	// Adding the clicked contacts to a new contact list.
	browserRun(t, ctx, "add clicked contacts to a new list",
		chromedp.SetValue(chromedp.CSS("#list-metric"), "clicked"),
		chromedp.SendKeys(chromedp.CSS(`input[name=new_list]`), "Clicked the spring sale"),
		chromedp.Click(chromedp.CSS(`form[action$="/export/list"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	notice := browserValue(t, ctx, "read notice", chromedp.Text(chromedp.CSS(".notice")))
	if !strings.Contains(notice, fmt.Sprintf("%d contacts", api.Metrics.Clicked)) {
		t.Errorf("notice after adding to a list = %q, want %d contacts added", notice, api.Metrics.Clicked)
	}

	// Add details: a breakdown by language.
	browserRun(t, ctx, "add details by language",
		chromedp.SetValue(chromedp.CSS("#by"), "language"),
		chromedp.Click(chromedp.CSS(".add-details button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("table#breakdown")),
	)
	labels := browserValue(t, ctx, "read breakdown rows", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('table#breakdown tbody th')].map(th => th.textContent.trim())`))
	if strings.Join(labels, ",") != "en,uk,Unknown" {
		t.Errorf("language breakdown rows = %v, want en, uk, Unknown", labels)
	}
	chart := browserValue(t, ctx, "count chart points", chromedp.Evaluate[int](`document.querySelectorAll('figure.chart svg polyline').length`))
	if chart != 3 {
		t.Errorf("activity chart has %d lines, want delivered, read and clicked", chart)
	}
	screenshot(t, ctx, shots, "05-report-details")

	// Comparing the two campaigns from the list.
	browserRun(t, ctx, "compare two campaigns",
		chromedp.Navigate(s.url+"/campaigns"),
		chromedp.WaitVisible(chromedp.CSS("table.campaigns")),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=ids][value="%d"]`, campaignID))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=ids][value="%d"]`, otherID))),
		chromedp.Click(chromedp.CSS(`button[value=compare]`)),
		chromedp.WaitVisible(chromedp.CSS("table.compare-grid")),
	)
	compared := browserValue(t, ctx, "count compared campaigns", chromedp.Evaluate[int](`document.querySelectorAll('table.compare-grid thead th[data-campaign]').length`))
	if compared != 2 {
		t.Errorf("comparison shows %d campaigns, want 2", compared)
	}
	screenshot(t, ctx, shots, "06-compare")

	// Deleting with a confirmation step, then restoring.
	browserRun(t, ctx, "ask to delete the report",
		chromedp.Navigate(fmt.Sprintf("%s/campaigns/%d", s.url, campaignID)),
		chromedp.Click(chromedp.CSS("details.menu summary")),
		chromedp.Click(chromedp.CSS(`a[data-action=delete]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-action=confirm-delete]`)),
	)
	screenshot(t, ctx, shots, "07-delete-confirm")
	browserRun(t, ctx, "confirm the delete",
		chromedp.Click(chromedp.CSS(`button[data-action=confirm-delete]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	if n := browserValue(t, ctx, "look for the deleted campaign", chromedp.Evaluate[int](
		fmt.Sprintf(`document.querySelectorAll('tr[data-campaign="%d"]').length`, campaignID))); n != 0 {
		t.Errorf("deleted campaign is still listed without Show deleted")
	}
	browserRun(t, ctx, "show deleted reports",
		chromedp.Click(chromedp.CSS(`input[data-show-deleted]`)),
		chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`tr.deleted[data-campaign="%d"]`, campaignID))),
	)
	browserRun(t, ctx, "restore the report",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-campaign="%d"] th a`, campaignID))),
		chromedp.WaitVisible(chromedp.CSS(`[data-deleted]`)),
		chromedp.Click(chromedp.CSS(`button[data-action=restore]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-deleted]`)),
	)

	// The message page and settings.
	browserRun(t, ctx, "open the message", chromedp.Click(chromedp.CSS(`dd[data-field=message] a`)),
		chromedp.WaitVisible(chromedp.CSS("table.versions")))
	pageHasNoMissingKeys(t, ctx, "message page")
	screenshot(t, ctx, shots, "08-message")
	browserRun(t, ctx, "open settings", chromedp.Navigate(s.url+"/settings"), chromedp.WaitVisible(chromedp.CSS("table.norms")))
	pageHasNoMissingKeys(t, ctx, "settings")
	screenshot(t, ctx, shots, "09-settings")

	browserRun(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#email")))
}

// waitDownload waits for the browser to finish a download into dir and
// returns the file's path.
func waitDownload(t *testing.T, progress iter.Seq2[browser.EventDownloadProgress, error], dir string) string {
	t.Helper()
	done := make(chan string, 1)
	go func() {
		for ev, err := range progress {
			if err != nil {
				close(done)
				return
			}
			if ev.State == browser.DownloadProgressStateCompleted {
				done <- filepath.Join(dir, ev.GUID)
				return
			}
		}
		close(done)
	}()
	select {
	case path, ok := <-done:
		if !ok {
			t.Fatal("download did not complete")
		}
		return path
	case <-time.After(20 * time.Second):
		t.Fatal("download did not complete within 20 s")
	}
	return ""
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open download: %v", err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read CSV %s: %v", path, err)
	}
	if len(records) == 0 || !strings.HasSuffix(records[0][0], "delivery_id") {
		t.Fatalf("CSV header = %v, want delivery_id first", records)
	}
	return records
}

func ptr[T any](v T) *T { return &v }

// waitFor evaluates a JavaScript condition until it holds. Evaluation
// errors are retried, because a form submission may replace the page
// between two tries.
func waitFor(condition string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var lastErr error
		for {
			ok, err := chromedp.Evaluate[bool](condition)(ctx, t)
			if err == nil && ok {
				return nil
			}
			lastErr = err
			select {
			case <-ctx.Done():
				return fmt.Errorf("condition %s never held (last error: %v): %w", condition, lastErr, ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}
