package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/auth"
	"github.com/vibereport/vibereport/internal/csvexport"
	"github.com/vibereport/vibereport/internal/ingest"
	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/store/storetest"
	"github.com/vibereport/vibereport/internal/web"
)

var seedStart = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func TestMetricCSVMatchesCountAndList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		sd := s.seedCampaign(s.newFixture(), "Весняний розпродаж", "67111000", seedStart)

		for metric, want := range seededCounts {
			path := fmt.Sprintf("/api/v1/campaigns/%d/export.csv?metric=%s", sd.campaignID, metric)
			d := s.get(path, s.key)
			if d.status != http.StatusOK {
				t.Fatalf("%s: status %d: %s", metric, d.status, d.body)
			}
			rows := records(t, d.body)
			if got := int64(len(rows) - 1); got != want {
				t.Errorf("%s: %d CSV rows, want %d", metric, got, want)
			}
			listed := s.metricContactIDs(sd.campaignID, metric)
			if got := int64(len(listed)); got != want {
				t.Errorf("%s: contact list has %d contacts, want %d", metric, got, want)
			}
			exported := []string{}
			for _, row := range rows[1:] {
				exported = append(exported, row[column(t, rows[0], "delivery_id")])
			}
			if fmt.Sprint(exported) != fmt.Sprint(listed) {
				t.Errorf("%s: CSV delivery ids %v, want the contact list's %v", metric, exported, listed)
			}
		}

		r := s.report(sd.campaignID)
		reportCounts := map[string]int64{
			"audience": r.Metrics.Audience, "not_sent.inaccessible": r.Metrics.NotSent.Inaccessible,
			"sent": r.Metrics.Sent, "delivered": r.Metrics.Delivered, "read": r.Metrics.Read,
			"clicked": r.Metrics.Clicked, "undelivered": r.Metrics.Undelivered,
			"undelivered.blocked": r.UndeliveredReasons["blocked"], "pending": r.Metrics.Pending,
			"expired": r.Metrics.Expired, "unsubscribed": r.Metrics.Unsubscribed,
		}
		for metric, want := range seededCounts {
			if reportCounts[metric] != want {
				t.Errorf("report %s = %d, want %d", metric, reportCounts[metric], want)
			}
		}
	})
}

func TestMetricCSVHeadersAndFormulas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		sd := s.seedCampaign(s.newFixture(), "Spring", "67111000", seedStart)

		d := s.get(fmt.Sprintf("/api/v1/campaigns/%d/export.csv?metric=clicked", sd.campaignID), s.key)
		if d.status != http.StatusOK {
			t.Fatalf("status %d: %s", d.status, d.body)
		}
		wantDisposition := fmt.Sprintf(`attachment; filename="campaign-%d-clicked.csv"`, sd.campaignID)
		if got := d.header.Get("Content-Disposition"); got != wantDisposition {
			t.Errorf("Content-Disposition = %q, want %q", got, wantDisposition)
		}
		if got := d.header.Get("Content-Type"); got != "text/csv; charset=utf-8" {
			t.Errorf("Content-Type = %q", got)
		}
		if !bytes.HasPrefix(d.body, []byte("\xEF\xBB\xBF")) {
			t.Errorf("body does not start with the UTF-8 byte order mark")
		}

		rows := records(t, d.body)
		if strings.Join(rows[0], ",") != strings.Join(csvexport.ContactColumns, ",") {
			t.Errorf("header = %v, want %v", rows[0], csvexport.ContactColumns)
		}
		first := column(t, rows[0], "first_name")
		phone := column(t, rows[0], "phone")
		if len(rows) < 2 {
			t.Fatalf("no clicked contacts exported")
		}
		if got, want := rows[1][first], "'"+hyperlinkName; got != want {
			t.Errorf("first_name = %q, want %q", got, want)
		}
		if got := rows[1][phone]; got != "+380671110001" {
			t.Errorf("phone = %q, want +380671110001 unchanged", got)
		}

		plain := s.get(fmt.Sprintf("/api/v1/campaigns/%d/export.csv?metric=clicked&bom=false", sd.campaignID), s.key)
		if !bytes.HasPrefix(plain.body, []byte("delivery_id,")) {
			t.Errorf("bom=false body starts with %q, want the header", plain.body[:min(len(plain.body), 12)])
		}

		cases := []struct{ query, wantError string }{
			{"", "metric: missing: set metric to a metric name such as delivered"},
			{"?metric=opened", `metric: invalid metric "opened": use one of `},
			{"?metric=read&bom=maybe", `bom: invalid value "maybe": use true or false`},
		}
		for _, c := range cases {
			d := s.get(fmt.Sprintf("/api/v1/campaigns/%d/export.csv%s", sd.campaignID, c.query), s.key)
			if d.status != http.StatusBadRequest {
				t.Errorf("%q: status %d, want 400", c.query, d.status)
			}
			if got := errorOf(t, d.body); !strings.HasPrefix(got, c.wantError) {
				t.Errorf("%q: error %q, want prefix %q", c.query, got, c.wantError)
			}
		}

		other := s.newAccount("Other")
		if d := s.get(fmt.Sprintf("/api/v1/campaigns/%d/export.csv?metric=read", sd.campaignID), other); d.status != http.StatusNotFound {
			t.Errorf("other account's export: status %d, want 404", d.status)
		}
	})
}

type exportResult struct {
	ListID int64 `json:"list_id"`
	Added  int64 `json:"added"`
	Size   int64 `json:"size"`
}

func TestExportToListTwiceAddsNobody(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		sd := s.seedCampaign(s.newFixture(), "Spring", "67111000", seedStart)
		path := fmt.Sprintf("/api/v1/campaigns/%d/export-to-list", sd.campaignID)

		var first exportResult
		s.mustCall("POST", path, map[string]any{"metric": "read", "new_list_name": "Readers"}, http.StatusCreated, &first)
		if first.Added != 3 || first.Size != 3 {
			t.Errorf("first export: %+v, want 3 added, size 3", first)
		}
		var second exportResult
		s.mustCall("POST", path, map[string]any{"metric": "read", "list_id": first.ListID}, http.StatusOK, &second)
		if second.Added != 0 || second.Size != 3 || second.ListID != first.ListID {
			t.Errorf("second export: %+v, want 0 added, size 3, list %d", second, first.ListID)
		}
		var third exportResult
		s.mustCall("POST", path, map[string]any{"metric": "delivered", "list_id": first.ListID}, http.StatusOK, &third)
		if third.Added != 1 || third.Size != 4 {
			t.Errorf("delivered export: %+v, want 1 added, size 4", third)
		}

		var lists struct {
			ContactLists []struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
				Size int64  `json:"size"`
			} `json:"contact_lists"`
		}
		s.mustCall("GET", "/api/v1/contact-lists", nil, http.StatusOK, &lists)
		if len(lists.ContactLists) != 1 || lists.ContactLists[0].Name != "Readers" || lists.ContactLists[0].Size != 4 {
			t.Errorf("contact lists = %+v, want Readers of 4", lists.ContactLists)
		}

		var members struct {
			Contacts []struct {
				Phone     string `json:"phone"`
				FirstName string `json:"first_name"`
			} `json:"contacts"`
			NextCursor *string `json:"next_cursor"`
		}
		s.mustCall("GET", fmt.Sprintf("/api/v1/contact-lists/%d/contacts?limit=3", first.ListID), nil, http.StatusOK, &members)
		if len(members.Contacts) != 3 || members.NextCursor == nil {
			t.Fatalf("members page 1: %d contacts, cursor %v; want 3 and a cursor", len(members.Contacts), members.NextCursor)
		}
		if members.Contacts[0].FirstName != hyperlinkName {
			t.Errorf("first member name = %q", members.Contacts[0].FirstName)
		}
		s.mustCall("GET", fmt.Sprintf("/api/v1/contact-lists/%d/contacts?limit=3&cursor=%s", first.ListID, *members.NextCursor),
			nil, http.StatusOK, &members)
		if len(members.Contacts) != 1 || members.NextCursor != nil {
			t.Errorf("members page 2: %d contacts, cursor %v; want 1 and none", len(members.Contacts), members.NextCursor)
		}

		otherKey := s.newAccount("Other")
		status, body := s.request("POST", path, otherKey, []byte(`{"metric":"read","new_list_name":"Stolen"}`), nil)
		if status != http.StatusNotFound {
			t.Errorf("other account's campaign: status %d: %s", status, body)
		}
		status, _ = s.request("GET", fmt.Sprintf("/api/v1/contact-lists/%d/contacts", first.ListID), otherKey, nil, nil)
		if status != http.StatusNotFound {
			t.Errorf("other account's list members: status %d, want 404", status)
		}

		cases := []struct{ body, wantError string }{
			{`{"metric":"read"}`, "list_id: missing: set list_id to add to an existing list, or new_list_name to create one"},
			{fmt.Sprintf(`{"metric":"read","list_id":%d,"new_list_name":"X"}`, first.ListID), "list_id: set either list_id or new_list_name, not both"},
			{`{"metric":"read","list_id":999999}`, "list_id: no contact list 999999 in this account: use an id from GET /api/v1/contact-lists"},
			{`{"list_id":1}`, "metric: missing: set metric to a metric name such as delivered"},
		}
		for _, c := range cases {
			status, body := s.request("POST", path, s.key, []byte(c.body), nil)
			if status != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400", c.body, status)
			}
			if got := errorOf(t, body); got != c.wantError {
				t.Errorf("%s: error %q, want %q", c.body, got, c.wantError)
			}
		}
	})
}

type campaignList struct {
	Campaigns []struct {
		ID          int64            `json:"id"`
		Name        string           `json:"name"`
		MessageName string           `json:"message_name"`
		DeletedAt   *time.Time       `json:"deleted_at"`
		Counts      map[string]int64 `json:"counts"`
		Rates       map[string]struct {
			Numerator   int64 `json:"numerator"`
			Denominator int64 `json:"denominator"`
		} `json:"rates"`
	} `json:"campaigns"`
	From     *time.Time `json:"from"`
	To       *time.Time `json:"to"`
	TimeZone string     `json:"time_zone"`
}

func (s *testServer) listIDs(query string) []int64 {
	s.t.Helper()
	var list campaignList
	s.mustCall("GET", "/api/v1/campaigns"+query, nil, http.StatusOK, &list)
	ids := make([]int64, len(list.Campaigns))
	for i, c := range list.Campaigns {
		ids[i] = c.ID
	}
	return ids
}

func TestCampaignListFiltersAndDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		f := s.newFixture()
		spring := s.seedCampaign(f, "Весняний розпродаж", "67111000", seedStart)
		older := s.seedCampaign(f, "Winter news", "67222000", seedStart.Add(-48*time.Hour))
		// f.campaign started at 2025-03-01T10:00:00Z too, with a lower id.
		all := []int64{spring.campaignID, f.campaign.ID, older.campaignID}

		var list campaignList
		s.mustCall("GET", "/api/v1/campaigns?q="+url.QueryEscape("РОЗПРОДАЖ"), nil, http.StatusOK, &list)
		if len(list.Campaigns) != 1 || list.Campaigns[0].ID != spring.campaignID {
			t.Fatalf("search РОЗПРОДАЖ = %+v, want the spring campaign", list.Campaigns)
		}
		c := list.Campaigns[0]
		for metric, want := range seededCounts {
			if c.Counts[metric] != want {
				t.Errorf("counts[%s] = %d, want %d", metric, c.Counts[metric], want)
			}
		}
		if c.Counts["clicks_total"] != 2 {
			t.Errorf("counts[clicks_total] = %d, want 2", c.Counts["clicks_total"])
		}
		if got := c.Rates["ctr"]; got.Numerator != 2 || got.Denominator != 4 {
			t.Errorf("ctr = %+v, want 2/4", got)
		}
		if c.MessageName != "Spring sale" {
			t.Errorf("message_name = %q, want Spring sale", c.MessageName)
		}
		if list.TimeZone != "UTC" {
			t.Errorf("time_zone = %q", list.TimeZone)
		}

		checks := []struct {
			query string
			want  []int64
		}{
			{"", all},
			{"?limit=1", all[:1]},
			{"?period=today", all[:2]},
			{"?period=yesterday", nil},
			{"?period=last_7_days", all},
			{"?from=2025-02-27&to=2025-02-27", all[2:]},
			{"?from=2025-02-28", all[:2]},
			{"?to=2025-03-01T10:00:00Z", all[2:]},
			{"?tag=" + url.QueryEscape("Весна"), []int64{spring.campaignID, older.campaignID}},
			{"?tag=sale&tag=spring", []int64{f.campaign.ID}},
			{"?q=" + url.QueryEscape("tag:весна"), []int64{spring.campaignID, older.campaignID}},
			{fmt.Sprintf("?q=cid:%d", older.campaignID), []int64{older.campaignID}},
			{fmt.Sprintf("?q=mid:%d", f.message.ID), all},
		}
		for _, check := range checks {
			if got := s.listIDs(check.query); fmt.Sprint(got) != fmt.Sprint(check.want) {
				t.Errorf("GET /api/v1/campaigns%s = %v, want %v", check.query, got, check.want)
			}
		}

		before := s.rawReport(older.campaignID)
		var deleted struct {
			ID        int64      `json:"id"`
			DeletedAt *time.Time `json:"deleted_at"`
		}
		s.mustCall("DELETE", fmt.Sprintf("/api/v1/campaigns/%d", spring.campaignID), nil, http.StatusOK, &deleted)
		if deleted.DeletedAt == nil || !deleted.DeletedAt.Equal(testNow) {
			t.Errorf("deleted_at = %v, want %v", deleted.DeletedAt, testNow)
		}
		if got := s.listIDs(""); fmt.Sprint(got) != fmt.Sprint(all[1:]) {
			t.Errorf("list after delete = %v, want %v", got, all[1:])
		}
		if got := s.listIDs("?show_deleted=true"); fmt.Sprint(got) != fmt.Sprint(all) {
			t.Errorf("list with show_deleted = %v, want %v", got, all)
		}
		if after := s.rawReport(older.campaignID); after != before {
			t.Errorf("another campaign's report changed after a delete:\nbefore %s\nafter  %s", before, after)
		}
		if r := s.report(spring.campaignID); r.Metrics.Delivered != 4 {
			t.Errorf("deleted campaign's report: delivered %d, want 4 kept", r.Metrics.Delivered)
		}

		s.mustCall("POST", fmt.Sprintf("/api/v1/campaigns/%d/restore", spring.campaignID), nil, http.StatusOK, &deleted)
		if deleted.DeletedAt != nil {
			t.Errorf("deleted_at after restore = %v, want null", deleted.DeletedAt)
		}
		if got := s.listIDs(""); fmt.Sprint(got) != fmt.Sprint(all) {
			t.Errorf("list after restore = %v, want %v", got, all)
		}

		otherKey := s.newAccount("Other")
		status, _ := s.request("DELETE", fmt.Sprintf("/api/v1/campaigns/%d", spring.campaignID), otherKey, nil, nil)
		if status != http.StatusNotFound {
			t.Errorf("delete from another account: status %d, want 404", status)
		}
		var otherList campaignList
		status, body := s.request("GET", "/api/v1/campaigns?show_deleted=true", otherKey, nil, nil)
		if status != http.StatusOK || jsonUnmarshal(body, &otherList) != nil || len(otherList.Campaigns) != 0 {
			t.Errorf("other account's list: status %d, body %s; want an empty list", status, body)
		}

		rejections := []struct{ query, wantError string }{
			{"?period=last_week", `period: invalid period "last_week": use one of today, yesterday, last_7_days, last_30_days, this_month, last_month`},
			{"?period=today&from=2025-03-01", `period: "today" cannot be combined with from or to: send either a period or a custom range`},
			{"?from=01.03.2025", `from: invalid time "01.03.2025": use a date such as 2025-03-01 or RFC 3339 such as 2025-03-01T10:00:00Z`},
			{"?from=2025-03-02&to=2025-03-01", "from: the range from 2025-03-02T00:00:00Z to 2025-03-02T00:00:00Z is empty: set from before to"},
			{"?limit=0", `limit: invalid value "0": use an integer from 1 to 500`},
			{"?show_deleted=yes", `show_deleted: invalid value "yes": use true or false`},
			{"?q=cid:abc", "q: search cid:abc: invalid id: write cid: followed by a positive integer, such as cid:42"},
		}
		for _, r := range rejections {
			status, body := s.request("GET", "/api/v1/campaigns"+r.query, s.key, nil, nil)
			if status != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400", r.query, status)
			}
			if got := errorOf(t, body); got != r.wantError {
				t.Errorf("%s: error %q, want %q", r.query, got, r.wantError)
			}
		}
	})
}

func TestBreakdownActivityAndCompare(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		f := s.newFixture()
		spring := s.seedCampaign(f, "Spring", "67111000", seedStart)
		winter := s.seedCampaign(f, "Winter", "67222000", seedStart.Add(-48*time.Hour))

		var languages struct {
			By      string   `json:"by"`
			Metrics []string `json:"metrics"`
			Rows    []struct {
				Key    string           `json:"key"`
				Counts map[string]int64 `json:"counts"`
			} `json:"rows"`
		}
		s.mustCall("GET", fmt.Sprintf("/api/v1/campaigns/%d/breakdown?by=language", spring.campaignID), nil, http.StatusOK, &languages)
		// Contacts 2, 4 and 6 got the uk version, 1, 3 and 5 the en one,
		// and contact 7 was not sent, so its language is unknown.
		got := []string{}
		for _, row := range languages.Rows {
			got = append(got, fmt.Sprintf("%s:%d/%d/%d/%d", row.Key, row.Counts["sent"], row.Counts["delivered"],
				row.Counts["read"], row.Counts["clicked"]))
		}
		want := []string{"en:3/3/2/2", "uk:3/1/1/0", ":0/0/0/0"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("language rows = %v, want %v", got, want)
		}

		var hours struct {
			TimeZone string `json:"time_zone"`
			Rows     []struct {
				Label  string           `json:"label"`
				Counts map[string]int64 `json:"counts"`
			} `json:"rows"`
		}
		s.mustCall("GET", fmt.Sprintf("/api/v1/campaigns/%d/breakdown?by=hour", spring.campaignID), nil, http.StatusOK, &hours)
		if len(hours.Rows) != 1 {
			t.Fatalf("hour rows = %+v, want one", hours.Rows)
		}
		if got := hours.Rows[0].Label; got != "2025-03-01 10:00 UTC" {
			t.Errorf("hour label = %q, want 2025-03-01 10:00 UTC", got)
		}
		for metric, want := range map[string]int64{"sent": 6, "delivered": 4, "read": 3, "clicked": 2, "undelivered": 1} {
			if got := hours.Rows[0].Counts[metric]; got != want {
				t.Errorf("hour %s = %d, want %d", metric, got, want)
			}
		}

		status, body := s.request("GET", fmt.Sprintf("/api/v1/campaigns/%d/breakdown?by=week", spring.campaignID), s.key, nil, nil)
		if status != http.StatusBadRequest {
			t.Errorf("by=week: status %d, want 400", status)
		}
		if got, want := errorOf(t, body), `by: invalid breakdown "week": use one of language, segment, day, hour, link, reason, os`; got != want {
			t.Errorf("by=week: error %q, want %q", got, want)
		}

		var activity struct {
			Step   string `json:"step"`
			Points []struct {
				Label     string `json:"label"`
				Delivered int64  `json:"delivered"`
				Read      int64  `json:"read"`
				Clicked   int64  `json:"clicked"`
			} `json:"points"`
		}
		// A click implies a read at the click's time, so contact 5's click
		// at 10:46 also counts as its read in the 10:45 point.
		s.mustCall("GET", fmt.Sprintf("/api/v1/campaigns/%d/activity", spring.campaignID), nil, http.StatusOK, &activity)
		points := []string{}
		for _, p := range activity.Points {
			points = append(points, fmt.Sprintf("%s %d/%d/%d", p.Label, p.Delivered, p.Read, p.Clicked))
		}
		wantPoints := []string{
			"2025-03-01 10:00 UTC 3/1/0", "2025-03-01 10:15 UTC 1/0/1",
			"2025-03-01 10:30 UTC 0/1/0", "2025-03-01 10:45 UTC 0/1/1",
		}
		if activity.Step != "15m" || fmt.Sprint(points) != fmt.Sprint(wantPoints) {
			t.Errorf("activity = %s %v, want 15m %v", activity.Step, points, wantPoints)
		}

		var compared struct {
			Campaigns []struct {
				Campaign struct {
					ID   int64  `json:"id"`
					Name string `json:"name"`
				} `json:"campaign"`
				Metrics struct {
					Delivered int64 `json:"delivered"`
				} `json:"metrics"`
			} `json:"campaigns"`
		}
		s.mustCall("GET", fmt.Sprintf("/api/v1/campaigns/compare?ids=%d,%d", winter.campaignID, spring.campaignID), nil, http.StatusOK, &compared)
		if len(compared.Campaigns) != 2 {
			t.Fatalf("compare returned %d campaigns, want 2", len(compared.Campaigns))
		}
		if compared.Campaigns[0].Campaign.Name != "Winter" || compared.Campaigns[1].Campaign.Name != "Spring" {
			t.Errorf("compare order = %s, %s; want Winter, Spring", compared.Campaigns[0].Campaign.Name, compared.Campaigns[1].Campaign.Name)
		}
		if got := compared.Campaigns[1].Metrics.Delivered; got != 4 {
			t.Errorf("compared Spring delivered = %d, want 4", got)
		}
		status, body = s.request("GET", fmt.Sprintf("/api/v1/campaigns/compare?ids=%d", spring.campaignID), s.key, nil, nil)
		if got, want := errorOf(t, body), "ids: invalid number of campaigns to compare: got 1, use 2 to 4 campaign ids"; status != http.StatusBadRequest || got != want {
			t.Errorf("compare one: status %d, error %q; want 400 %q", status, got, want)
		}
		status, _ = s.request("GET", "/api/v1/campaigns/compare?ids=1,2,3,4,5", s.key, nil, nil)
		if status != http.StatusBadRequest {
			t.Errorf("compare five: status %d, want 400", status)
		}

		d := s.get(fmt.Sprintf("/api/v1/campaigns/export.csv?ids=%d,%d&bom=false", spring.campaignID, winter.campaignID), s.key)
		if d.status != http.StatusOK {
			t.Fatalf("campaigns export: status %d: %s", d.status, d.body)
		}
		if got := d.header.Get("Content-Disposition"); got != `attachment; filename="campaigns.csv"` {
			t.Errorf("Content-Disposition = %q", got)
		}
		rows := records(t, d.body)
		if len(rows) != 3 {
			t.Fatalf("campaigns export: %d records, want header and 2", len(rows))
		}
		if strings.Join(rows[0], ",") != strings.Join(csvexport.CampaignColumns, ",") {
			t.Errorf("header = %v", rows[0])
		}
		delivered := column(t, rows[0], "delivered")
		name := column(t, rows[0], "name")
		if rows[1][name] != "Spring" || rows[1][delivered] != "4" || rows[2][name] != "Winter" {
			t.Errorf("records = %v", rows[1:])
		}
		otherKey := s.newAccount("Other")
		if d := s.get(fmt.Sprintf("/api/v1/campaigns/export.csv?ids=%d", spring.campaignID), otherKey); d.status != http.StatusNotFound {
			t.Errorf("other account's statistics export: status %d, want 404", d.status)
		}
		if d := s.get("/api/v1/campaigns/export.csv?ids=", s.key); d.status != http.StatusBadRequest {
			t.Errorf("export without ids: status %d, want 400", d.status)
		}
	})
}

func TestSegmentsAndSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)

		var list struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
			Size int64  `json:"size"`
		}
		s.mustCall("POST", "/api/v1/contact-lists", map[string]any{"name": " Base "}, http.StatusCreated, &list)
		if list.Name != "Base" || list.Size != 0 {
			t.Errorf("created list = %+v, want Base of size 0", list)
		}
		status, body := s.request("POST", "/api/v1/contact-lists", s.key, []byte(`{"name":""}`), nil)
		if got := errorOf(t, body); status != http.StatusBadRequest || !strings.HasPrefix(got, "name: missing: name the contact list") {
			t.Errorf("blank list name: status %d, error %q", status, got)
		}

		var segment struct {
			ID        int64     `json:"id"`
			Name      string    `json:"name"`
			ListID    *int64    `json:"list_id"`
			CreatedAt time.Time `json:"created_at"`
			UpdatedAt time.Time `json:"updated_at"`
		}
		s.mustCall("POST", "/api/v1/segments", map[string]any{"name": "Kyiv", "list_id": list.ID}, http.StatusCreated, &segment)
		if segment.Name != "Kyiv" || segment.ListID == nil || *segment.ListID != list.ID {
			t.Errorf("created segment = %+v", segment)
		}
		created := segment.UpdatedAt
		time.Sleep(2 * time.Millisecond)
		s.mustCall("PUT", fmt.Sprintf("/api/v1/segments/%d", segment.ID), map[string]any{"name": "Kyiv and Lviv"}, http.StatusOK, &segment)
		if segment.Name != "Kyiv and Lviv" || segment.ListID != nil || !segment.UpdatedAt.After(created) {
			t.Errorf("updated segment = %+v, want a later updated_at than %v", segment, created)
		}
		s.mustCall("GET", fmt.Sprintf("/api/v1/segments/%d", segment.ID), nil, http.StatusOK, &segment)
		if segment.Name != "Kyiv and Lviv" {
			t.Errorf("segment name = %q", segment.Name)
		}
		status, body = s.request("POST", "/api/v1/segments", s.key, []byte(`{"name":" "}`), nil)
		if got := errorOf(t, body); status != http.StatusBadRequest || got != `name: missing: name the segment, such as "Kyiv customers"` {
			t.Errorf("blank segment name: status %d, error %q", status, got)
		}
		otherKey := s.newAccount("Other")
		status, _ = s.request("GET", fmt.Sprintf("/api/v1/segments/%d", segment.ID), otherKey, nil, nil)
		if status != http.StatusNotFound {
			t.Errorf("other account's segment: status %d, want 404", status)
		}
		status, body = s.request("POST", "/api/v1/segments", otherKey, []byte(fmt.Sprintf(`{"name":"X","list_id":%d}`, list.ID)), nil)
		if got := errorOf(t, body); status != http.StatusBadRequest || !strings.HasPrefix(got, fmt.Sprintf("list_id: %d: no such contact list", list.ID)) {
			t.Errorf("other account's list: status %d, error %q", status, got)
		}

		var settings struct {
			TimeZone string `json:"time_zone"`
			Norms    map[string]struct {
				Green float64 `json:"green"`
				Red   float64 `json:"red"`
			} `json:"norms"`
		}
		s.mustCall("GET", "/api/v1/settings", nil, http.StatusOK, &settings)
		if settings.TimeZone != "UTC" || settings.Norms["read"].Green != 60 || settings.Norms["read"].Red != 30 {
			t.Errorf("default settings = %+v", settings)
		}
		s.mustCall("PUT", "/api/v1/settings", map[string]any{"norms": map[string]any{
			"read": map[string]any{"green": 70, "red": 40}, "unsubscribed": map[string]any{"green": 0.1, "red": 0.5},
		}}, http.StatusOK, nil)
		settings.Norms = nil
		s.mustCall("GET", "/api/v1/settings", nil, http.StatusOK, &settings)
		if len(settings.Norms) != 2 || settings.Norms["read"].Green != 70 || settings.Norms["unsubscribed"].Red != 0.5 {
			t.Errorf("saved norms = %+v", settings.Norms)
		}

		rejections := []struct{ body, wantError string }{
			{`{"norms":{"read":{"green":20,"red":40}}}`, "norms.read.green: 20 is below red 40, but a higher read is better: set green above red"},
			{`{"norms":{"expired":{"green":9,"red":2}}}`, "norms.expired.green: 9 is above red 2, but a lower expired is better: set green below red"},
			{`{"norms":{"read":{"green":120,"red":40}}}`, "norms.read.green: 120 is out of range: use a percent from 0 to 100"},
			{`{"norms":{"read":{"green":50}}}`, "norms.read.red: missing: set the percent of a bad campaign"},
			{`{"norms":{"read":{"green":50,"red":50}}}`, "norms.read: green and red are both 50: set them apart"},
			{`{"norms":{"opens":{"green":50,"red":10}}}`, `norms.opens: unknown rate "opens": use one of `},
			{`{}`, "norms: missing: "},
		}
		for _, r := range rejections {
			status, body := s.request("PUT", "/api/v1/settings", s.key, []byte(r.body), nil)
			if status != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400", r.body, status)
			}
			if got := errorOf(t, body); !strings.HasPrefix(got, r.wantError) {
				t.Errorf("%s: error %q, want prefix %q", r.body, got, r.wantError)
			}
		}
	})
}

// TestRolesLimitActions runs requests as a signed-in viewer and marketer
// would, through the role that web.WithRole puts in the context.
func TestRolesLimitActions(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	writer := ingest.NewWriter(db, log, nil)
	t.Cleanup(writer.Close)
	server := web.New(web.Config{DB: db, Writer: writer, Log: log, Now: func() time.Time { return testNow }})

	ts := &testServer{t: t, db: db}
	key := ts.newAccount("Roles")

	cases := []struct {
		role       auth.Role
		method     string
		path       string
		body       string
		wantStatus int
	}{
		{auth.RoleViewer, "DELETE", "/api/v1/campaigns/1", "", http.StatusForbidden},
		{auth.RoleViewer, "POST", "/api/v1/campaigns/1/restore", "", http.StatusForbidden},
		{auth.RoleViewer, "GET", "/api/v1/campaigns/1/export.csv?metric=read", "", http.StatusForbidden},
		{auth.RoleViewer, "POST", "/api/v1/campaigns/1/export-to-list", `{"metric":"read","new_list_name":"X"}`, http.StatusForbidden},
		{auth.RoleViewer, "GET", "/api/v1/campaigns/export.csv?ids=1", "", http.StatusForbidden},
		{auth.RoleViewer, "POST", "/api/v1/contact-lists", `{"name":"X"}`, http.StatusForbidden},
		{auth.RoleViewer, "POST", "/api/v1/segments", `{"name":"X"}`, http.StatusForbidden},
		{auth.RoleMarketer, "PUT", "/api/v1/settings", `{"norms":{}}`, http.StatusForbidden},
		{auth.RoleViewer, "GET", "/api/v1/campaigns", "", http.StatusOK},
		{auth.RoleViewer, "GET", "/api/v1/settings", "", http.StatusOK},
		{auth.RoleMarketer, "POST", "/api/v1/contact-lists", `{"name":"X"}`, http.StatusCreated},
		{auth.RoleMarketer, "DELETE", "/api/v1/campaigns/1", "", http.StatusNotFound},
		{auth.RoleAdmin, "PUT", "/api/v1/settings", `{"norms":{}}`, http.StatusOK},
	}
	for _, c := range cases {
		req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
		req = req.WithContext(web.WithRole(context.Background(), c.role))
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		server.ServeHTTP(rec, req)
		if rec.Code != c.wantStatus {
			t.Errorf("%s %s %s: status %d, want %d; body %s", c.role, c.method, c.path, rec.Code, c.wantStatus, rec.Body)
		}
		if c.wantStatus == http.StatusForbidden && !strings.Contains(rec.Body.String(), "forbidden: the "+string(c.role)+" role may not") {
			t.Errorf("%s %s %s: body %s, want a forbidden message naming the role", c.role, c.method, c.path, rec.Body)
		}
	}
}
