package scale_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/store/storetest"
)

// sampleInterval is how often the heap sampler reads the heap size.
// runtime/metrics reads it without stopping the world, so a short
// interval costs little.
const sampleInterval = 2 * time.Millisecond

// BenchmarkLargeCampaign measures, per engine, two things a user does
// with a large campaign.
//
// export/rows=N streams the delivered metric of an N-delivery campaign
// through GET /api/v1/campaigns/{id}/export.csv into io.Discard on the
// client side. bare-csv/rows=N is its baseline: encoding/csv alone writing
// the same N records, parsed beforehand from one export and held in a
// slice, into io.Discard. Both report rows/s and the peak HeapInuse of the
// whole process, server and client included. The export at 100,000 and
// 1,000,000 rows shows whether its heap grows with the rows.
//
// page/deliveries=N renders the report page GET /campaigns/{id} for a
// signed-in admin; the 1,000-delivery campaign is the baseline.
//
// Campaigns are built once per engine on first use, through the ingest
// writer in chunks of 5,000 deliveries and batches of 1,000 events.
// NOTE: the 1,000,000-delivery campaign took 4 to 5 minutes to build on
// SQLite and 5 on PostgreSQL, on 2 cores. docs/benchmarks.md has the figures.
func BenchmarkLargeCampaign(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			s := startSite(b, engine)
			for _, rows := range []int{100_000, 1_000_000} {
				b.Run(fmt.Sprintf("export/rows=%d", rows), func(b *testing.B) {
					benchmarkExport(b, s, s.campaign(b, rows), rows)
				})
				b.Run(fmt.Sprintf("bare-csv/rows=%d", rows), func(b *testing.B) {
					benchmarkBareCSV(b, s, s.campaign(b, rows), rows)
				})
			}
			for _, deliveries := range []int{1000, 1_000_000} {
				b.Run(fmt.Sprintf("page/deliveries=%d", deliveries), func(b *testing.B) {
					benchmarkReportPage(b, s, s.campaign(b, deliveries))
				})
			}
		})
	}
}

func exportPath(campaignID int64) string {
	return fmt.Sprintf("/api/v1/campaigns/%d/export.csv?metric=delivered", campaignID)
}

func benchmarkExport(b *testing.B, s *site, campaignID int64, rows int) {
	path := exportPath(campaignID)
	runtime.GC()
	heap := startHeapSampler()
	b.ReportAllocs()

	for b.Loop() {
		resp := s.getAPI(b, path)
		var lines lineCounter
		_, err := io.Copy(&lines, resp.Body)
		resp.Body.Close()
		if err != nil {
			b.Fatalf("read export: %v", err)
		}
		// The first line is the header.
		if got := lines.n - 1; got != rows {
			b.Fatalf("export has %d rows, want %d", got, rows)
		}
	}
	heap.stop()
	reportRows(b, rows, heap)
}

func benchmarkBareCSV(b *testing.B, s *site, campaignID int64, rows int) {
	header, records := readExport(b, s, exportPath(campaignID))
	if len(records) != rows {
		b.Fatalf("export has %d rows, want %d", len(records), rows)
	}
	runtime.GC()
	heap := startHeapSampler()
	b.ReportAllocs()

	for b.Loop() {
		w := csv.NewWriter(io.Discard)
		w.UseCRLF = true
		if err := w.Write(header); err != nil {
			b.Fatal(err)
		}
		for _, record := range records {
			if err := w.Write(record); err != nil {
				b.Fatal(err)
			}
		}
		w.Flush()
		if err := w.Error(); err != nil {
			b.Fatal(err)
		}
	}
	heap.stop()
	reportRows(b, rows, heap)
	runtime.KeepAlive(records)
}

// readExport downloads one export and parses it into its header and
// records, in memory.
func readExport(b *testing.B, s *site, path string) ([]string, [][]string) {
	b.Helper()
	resp := s.getAPI(b, path)
	defer resp.Body.Close()
	all, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		b.Fatalf("parse export %s: %v", path, err)
	}
	if len(all) == 0 {
		b.Fatalf("export %s has no header", path)
	}
	return all[0], all[1:]
}

func benchmarkReportPage(b *testing.B, s *site, campaignID int64) {
	path := fmt.Sprintf("/campaigns/%d", campaignID)
	// The untimed first request pays the one-time costs, such as
	// html/template escaping the page's templates on first execution, so
	// they fall on neither campaign size.
	fetchReportPage(b, s, path)
	b.ReportAllocs()

	for b.Loop() {
		fetchReportPage(b, s, path)
	}
}

// fetchReportPage requests a report page, reads all of it and fails b
// unless it ends with the closing html tag.
func fetchReportPage(b *testing.B, s *site, path string) {
	b.Helper()
	resp := s.getPage(b, path)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		b.Fatalf("read report page %s: %v", path, err)
	}
	if !bytes.Contains(body, []byte("</html>")) {
		b.Fatalf("report page %s ends early: %d bytes", path, len(body))
	}
}

func reportRows(b *testing.B, rows int, heap *heapSampler) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(heap.start)/(1<<20), "start-heap-MiB")
	b.ReportMetric(float64(heap.peak)/(1<<20), "peak-heap-MiB")
}

// lineCounter is an io.Writer that counts newlines and keeps nothing.
type lineCounter struct{ n int }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}

// heapSampler records HeapInuse, the bytes in spans that hold heap
// objects, when it starts and the largest value seen while it runs.
type heapSampler struct {
	done        chan struct{}
	wg          sync.WaitGroup
	start, peak uint64
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{done: make(chan struct{})}
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
	}
	read := func() {
		metrics.Read(samples)
		h.peak = max(h.peak, samples[0].Value.Uint64()+samples[1].Value.Uint64())
	}
	read()
	h.start = h.peak
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		ticker := time.NewTicker(sampleInterval)
		defer ticker.Stop()
		for {
			select {
			case <-h.done:
				read()
				return
			case <-ticker.C:
				read()
			}
		}
	}()
	return h
}

// stop ends sampling, after which start and peak may be read.
func (h *heapSampler) stop() {
	close(h.done)
	h.wg.Wait()
}
