package csvexport

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
)

// benchRows is the number of contacts each benchmark iteration writes.
const benchRows = 1_000_000

// sampleEvery is how many rows pass between two heap samples.
// runtime.ReadMemStats stops the world, so sampling every row would
// dominate the run.
const sampleEvery = 20_000

var (
	benchFirstNames = []string{"Anna", "Олена", "Trần", "=HYPERLINK(\"http://x.example\",\"a\")", "Mary-Jane", "Ігор 🎉"}
	benchLastNames  = []string{"Kovalenko", "Smith, Jr.", "O\"Brien", "Nguyễn", "-", "Шевченко"}
	benchReasons    = []domain.FailureReason{domain.ReasonNotViberUser, domain.ReasonExpired, domain.ReasonBlocked}
	benchStart      = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
)

// fillBenchContact sets mc to the i-th generated contact. Statuses cycle
// through sent, delivered, read, clicked and failed so every time column
// and the failure columns are exercised.
func fillBenchContact(mc *store.MetricContact, i int, phones []string) {
	sent := benchStart.Add(time.Duration(i) * time.Second)
	*mc = store.MetricContact{
		Delivery: domain.Delivery{
			ID: int64(i + 1), ContactID: int64(i/2 + 1), Language: "uk",
			ProviderMessageID: "pm", SentAt: sent,
		},
		Phone:     phones[i%len(phones)],
		Email:     "user@example.com",
		FirstName: benchFirstNames[i%len(benchFirstNames)],
		LastName:  benchLastNames[i%len(benchLastNames)],
	}
	d := &mc.Delivery
	switch i % 5 {
	case 0:
		d.Status = domain.StatusSent
	case 1:
		d.Status, d.DeliveredAt = domain.StatusDelivered, sent.Add(time.Second)
	case 2:
		d.Status, d.DeliveredAt, d.ReadAt = domain.StatusRead, sent.Add(time.Second), sent.Add(time.Minute)
	case 3:
		d.Status, d.DeliveredAt, d.ReadAt = domain.StatusClicked, sent.Add(time.Second), sent.Add(time.Minute)
		d.ClickedAt, d.ClicksTotal = sent.Add(2*time.Minute), int64(i%3+1)
	case 4:
		d.Status, d.FailedAt = domain.StatusFailed, sent.Add(time.Hour)
		d.FailureReason, d.FailureDetail = benchReasons[i%len(benchReasons)], "provider code 42"
	}
}

func benchPhones() []string {
	phones := make([]string, 1000)
	for i := range phones {
		phones[i] = "+38067" + strconv.Itoa(1_000_000+i)
	}
	return phones
}

// heapPeak records the largest HeapInuse seen across samples.
type heapPeak struct {
	stats runtime.MemStats
	peak  uint64
}

func (h *heapPeak) sample() {
	runtime.ReadMemStats(&h.stats)
	h.peak = max(h.peak, h.stats.HeapInuse)
}

func (h *heapPeak) report(b *testing.B) {
	b.ReportMetric(float64(h.peak)/(1<<20), "peak-HeapInuse-MiB")
}

// generatedSource produces n contacts one at a time into one reused
// struct, as the store's keyset pages would, and samples the heap.
type generatedSource struct {
	n      int
	phones []string
	heap   *heapPeak
}

func (g *generatedSource) EachMetricContact(_ context.Context, _ store.ContactQuery, fn func(*store.MetricContact) error) error {
	var mc store.MetricContact
	for i := range g.n {
		fillBenchContact(&mc, i, g.phones)
		if err := fn(&mc); err != nil {
			return err
		}
		if i%sampleEvery == 0 {
			g.heap.sample()
		}
	}
	return nil
}

func BenchmarkExportContacts(b *testing.B) {
	heap := &heapPeak{}
	src := &generatedSource{n: benchRows, phones: benchPhones(), heap: heap}
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()

	for b.Loop() {
		n, err := ExportContacts(context.Background(), src, store.ContactQuery{}, io.Discard, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if n != benchRows {
			b.Fatalf("exported %d rows, want %d", n, benchRows)
		}
	}
	heap.sample()
	heap.report(b)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRows), "ns/row")
}

// BenchmarkBareEncodingCSV writes the same rows as BenchmarkExportContacts
// with encoding/csv alone from records built in memory beforehand: no
// neutralisation, no formatting and no streaming. Its time is the cost of
// encoding/csv alone, and its heap shows what holding the rows costs.
func BenchmarkBareEncodingCSV(b *testing.B) {
	phones := benchPhones()
	records := make([][]string, benchRows)
	var mc store.MetricContact
	for i := range records {
		fillBenchContact(&mc, i, phones)
		d := &mc.Delivery
		records[i] = []string{
			strconv.FormatInt(d.ID, 10), strconv.FormatInt(d.ContactID, 10), mc.Phone, mc.ViberUserID,
			mc.FirstName, mc.LastName, mc.Email, d.Language, d.Status.String(), d.ProviderMessageID,
			formatTime(d.SentAt), formatTime(d.DeliveredAt), formatTime(d.ReadAt), formatTime(d.ClickedAt),
			formatTime(d.FailedAt), string(d.FailureReason), d.FailureDetail, formatTime(d.UnsubscribedAt),
			strconv.FormatInt(d.ClicksTotal, 10),
		}
	}
	heap := &heapPeak{}
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()

	for b.Loop() {
		w := csv.NewWriter(io.Discard)
		w.UseCRLF = true
		if err := w.Write(ContactColumns); err != nil {
			b.Fatal(err)
		}
		for i, record := range records {
			if err := w.Write(record); err != nil {
				b.Fatal(err)
			}
			if i%sampleEvery == 0 {
				heap.sample()
			}
		}
		w.Flush()
		if err := w.Error(); err != nil {
			b.Fatal(err)
		}
	}
	heap.sample()
	heap.report(b)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRows), "ns/row")
	runtime.KeepAlive(records)
}

// ExampleExportContacts shows the bytes of a one-row export.
func ExampleExportContacts() {
	src := &sliceSource{contacts: []store.MetricContact{{
		Delivery:  domain.Delivery{ID: 1, ContactID: 2, Status: domain.StatusSent, SentAt: benchStart},
		Phone:     "+380671234567",
		FirstName: `=HYPERLINK("http://x.example","a")`,
	}}}
	var out strings.Builder
	if _, err := ExportContacts(context.Background(), src, store.ContactQuery{}, &out, Options{OmitBOM: true}); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("%q\n", out.String())
	// Output:
	// "delivery_id,contact_id,phone,viber_user_id,first_name,last_name,email,language,status,not_sent_reason,provider_message_id,sent_at,delivered_at,read_at,clicked_at,failed_at,failure_reason,failure_detail,unsubscribed_at,clicks\r\n1,2,+380671234567,,\"'=HYPERLINK(\"\"http://x.example\"\",\"\"a\"\")\",,,,sent,,,2025-03-01T09:00:00Z,,,,,,,,0\r\n"
}
