package csvexport

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
)

// The store must satisfy ContactSource so exports stream from it directly.
var _ ContactSource = (*store.DB)(nil)

// sliceSource serves fixed contacts, or fails with err after serving them.
type sliceSource struct {
	contacts []store.MetricContact
	err      error
}

func (s *sliceSource) EachMetricContact(_ context.Context, _ store.ContactQuery, fn func(*store.MetricContact) error) error {
	for i := range s.contacts {
		if err := fn(&s.contacts[i]); err != nil {
			return err
		}
	}
	return s.err
}

func contactNamed(first, last string) store.MetricContact {
	return store.MetricContact{
		Delivery:  domain.Delivery{ID: 7, ContactID: 3, Status: domain.StatusSent},
		Phone:     "+380671234567",
		FirstName: first,
		LastName:  last,
	}
}

// export writes contacts and reads the output back with encoding/csv.
func export(t *testing.T, opts Options, contacts ...store.MetricContact) (string, [][]string) {
	t.Helper()
	var buf bytes.Buffer
	n, err := ExportContacts(context.Background(), &sliceSource{contacts: contacts}, store.ContactQuery{}, &buf, opts)
	if err != nil {
		t.Fatalf("ExportContacts: %v", err)
	}
	if n != int64(len(contacts)) {
		t.Errorf("ExportContacts wrote %d records, want %d", n, len(contacts))
	}
	out := buf.String()
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, bom))).ReadAll()
	if err != nil {
		t.Fatalf("read exported CSV: %v\n%s", err, out)
	}
	if len(records) != len(contacts)+1 {
		t.Fatalf("read %d records, want header and %d contacts", len(records), len(contacts))
	}
	return out, records
}

func column(name string) int {
	for i, c := range ContactColumns {
		if c == name {
			return i
		}
	}
	panic("unknown column " + name)
}

func TestExportHyperlinkNameInert(t *testing.T) {
	const name = `=HYPERLINK("http://x.example","a")`
	_, records := export(t, Options{}, contactNamed(name, "Smith"))

	got := records[1][column("first_name")]
	if got != "'"+name {
		t.Errorf("first_name = %q, want %q", got, "'"+name)
	}
}

func TestCellFormulaTriggers(t *testing.T) {
	cases := []struct {
		value string
		want  string
	}{
		{"=1+1", "'=1+1"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "'\ncmd"},
		{"\ncmd", "'\ncmd"},
		{"   =1+1", "'   =1+1"},
		{" -2", "' -2"},
		{"Anna", "Anna"},
		{"", ""},
		{"   ", "   "},
		{" Anna", " Anna"},
		{"O'Brien", "O'Brien"},
		{"'=already quoted", "'=already quoted"},
		{"Anna-Maria", "Anna-Maria"},
		{"a=b", "a=b"},
		{"＝1+1", "＝1+1"},
	}
	for _, c := range cases {
		if got := Cell(c.value); got != c.want {
			t.Errorf("Cell(%q) = %q, want %q", c.value, got, c.want)
		}
	}
}

func TestPhoneCellE164Exemption(t *testing.T) {
	cases := []struct {
		value string
		want  string
	}{
		{"+380671234567", "+380671234567"},
		{"+123456", "+123456"},
		{"+123456789012345", "+123456789012345"},
		{"+12345", "'+12345"},
		{"+1234567890123456", "'+1234567890123456"},
		{"+380 67 123 4567", "'+380 67 123 4567"},
		{"+380671234567=", "'+380671234567="},
		{"+38067123456A", "'+38067123456A"},
		{"=+380671234567", "'=+380671234567"},
		{"-380671234567", "'-380671234567"},
		{" +380671234567", "' +380671234567"},
		{"380671234567", "380671234567"},
		{"", ""},
	}
	for _, c := range cases {
		if got := PhoneCell(c.value); got != c.want {
			t.Errorf("PhoneCell(%q) = %q, want %q", c.value, got, c.want)
		}
	}
}

func TestExportPhoneStaysUsable(t *testing.T) {
	out, records := export(t, Options{}, contactNamed("Anna", "Kovalenko"))

	if got := records[1][column("phone")]; got != "+380671234567" {
		t.Errorf("phone = %q, want +380671234567 unchanged", got)
	}
	if !strings.Contains(out, ",+380671234567,") {
		t.Errorf("output lacks the bare phone number:\n%s", out)
	}
}

func TestExportFormulaInOtherColumns(t *testing.T) {
	mc := contactNamed("Anna", "-Kovalenko")
	mc.Email = "@example.com"
	mc.ViberUserID = "+380671234567"
	mc.FailureDetail = "=cmd|' /C calc'!A0"
	_, records := export(t, Options{}, mc)

	want := map[string]string{
		"last_name":      "'-Kovalenko",
		"email":          "'@example.com",
		"viber_user_id":  "'+380671234567",
		"failure_detail": "'=cmd|' /C calc'!A0",
	}
	for name, value := range want {
		if got := records[1][column(name)]; got != value {
			t.Errorf("%s = %q, want %q", name, got, value)
		}
	}
}

func TestExportTextRoundTrips(t *testing.T) {
	names := []string{
		"Kovalenko, Anna",
		`Anna "Annie" Kovalenko`,
		"line one\nline two",
		"Олена Ковальчук",
		"Їжак Ґудзик",
		"Anna 🎉👩‍💻",
		"Trần Thị Thu",
		`"`,
		",",
		" leading and trailing space ",
		"mixed, \"quotes\"\nand 🇺🇦 lines",
	}
	var contacts []store.MetricContact
	for _, name := range names {
		contacts = append(contacts, contactNamed(name, name))
	}
	_, records := export(t, Options{}, contacts...)

	for i, name := range names {
		record := records[i+1]
		if got := record[column("first_name")]; got != name {
			t.Errorf("first_name = %q, want %q byte for byte", got, name)
		}
		if got := record[column("last_name")]; got != name {
			t.Errorf("last_name = %q, want %q byte for byte", got, name)
		}
	}
}

func TestExportCarriageReturnsBecomeLF(t *testing.T) {
	cases := []struct {
		name string
		want string
	}{
		{"windows\r\nline", "windows\nline"},
		{"old mac\rline", "old mac\nline"},
		{"end\r", "end\n"},
	}
	for _, c := range cases {
		_, records := export(t, Options{}, contactNamed(c.name, ""))
		if got := records[1][column("first_name")]; got != c.want {
			t.Errorf("first_name for %q = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestExportExactBytes(t *testing.T) {
	sent := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	kyiv := time.FixedZone("EET", 2*3600)
	mc := store.MetricContact{
		Delivery: domain.Delivery{
			ID: 42, ContactID: 9, Status: domain.StatusClicked, Language: "uk", ProviderMessageID: "pm-1",
			SentAt: sent, DeliveredAt: sent.Add(time.Minute).In(kyiv), ReadAt: sent.Add(2 * time.Minute),
			ClickedAt: sent.Add(3 * time.Minute), ClicksTotal: 2,
		},
		Phone:     "+380671234567",
		FirstName: "Олена",
		LastName:  "Smith, Jr.",
		Email:     "olena@example.com",
	}
	header := "delivery_id,contact_id,phone,viber_user_id,first_name,last_name,email,language,status," +
		"not_sent_reason,provider_message_id,sent_at,delivered_at,read_at,clicked_at,failed_at,failure_reason," +
		"failure_detail,unsubscribed_at,clicks\r\n"
	row := "42,9,+380671234567,,Олена,\"Smith, Jr.\",olena@example.com,uk,clicked,,pm-1," +
		"2025-03-01T09:30:00Z,2025-03-01T09:31:00Z,2025-03-01T09:32:00Z,2025-03-01T09:33:00Z,,,,,2\r\n"

	withBOM, _ := export(t, Options{}, mc)
	if want := "\xEF\xBB\xBF" + header + row; withBOM != want {
		t.Errorf("export with BOM:\n got %q\nwant %q", withBOM, want)
	}

	withoutBOM, _ := export(t, Options{OmitBOM: true}, mc)
	if want := header + row; withoutBOM != want {
		t.Errorf("export without BOM:\n got %q\nwant %q", withoutBOM, want)
	}
}

func TestExportEmptyHasHeaderOnly(t *testing.T) {
	out, _ := export(t, Options{OmitBOM: true})
	if want := strings.Join(ContactColumns, ",") + "\r\n"; out != want {
		t.Errorf("empty export = %q, want %q", out, want)
	}
}

func TestExportFailedDelivery(t *testing.T) {
	failed := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	mc := contactNamed("Anna", "K")
	mc.Status = domain.StatusFailed
	mc.SentAt = failed.Add(-time.Hour)
	mc.FailedAt = failed
	mc.FailureReason = domain.ReasonNotViberUser
	mc.FailureDetail = "user is not registered, code 5"
	_, records := export(t, Options{}, mc)

	want := map[string]string{
		"status":         "failed",
		"failed_at":      "2025-03-01T10:00:00Z",
		"failure_reason": "not_viber_user",
		"failure_detail": "user is not registered, code 5",
		"delivered_at":   "",
		"clicks":         "0",
	}
	for name, value := range want {
		if got := records[1][column(name)]; got != value {
			t.Errorf("%s = %q, want %q", name, got, value)
		}
	}
}

var errSink = errors.New("sink closed")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errSink }

func TestExportWriteError(t *testing.T) {
	contacts := make([]store.MetricContact, 1000)
	_, err := ExportContacts(context.Background(), &sliceSource{contacts: contacts}, store.ContactQuery{}, failingWriter{}, Options{})
	if !errors.Is(err, errSink) {
		t.Errorf("ExportContacts to a failing writer: err = %v, want %v", err, errSink)
	}
}

func TestExportSourceError(t *testing.T) {
	errQuery := errors.New("query failed")
	src := &sliceSource{contacts: []store.MetricContact{contactNamed("Anna", "K")}, err: errQuery}
	n, err := ExportContacts(context.Background(), src, store.ContactQuery{}, io.Discard, Options{})
	if !errors.Is(err, errQuery) {
		t.Errorf("ExportContacts with failing source: err = %v, want %v", err, errQuery)
	}
	if n != 1 {
		t.Errorf("records written before the error = %d, want 1", n)
	}
}
