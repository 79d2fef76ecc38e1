package e2e_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

const (
	// crashDeliveries is the campaign size of the crash test.
	crashDeliveries = 2000
	// crashClients is the number of concurrent callback senders.
	crashClients = 16
	// crashKillAfter is the number of 2xx responses after which the
	// server is killed, a few hundred into 5 callbacks per delivery.
	crashKillAfter = 600
	// crashAuthToken is the bot auth token that signs the callbacks.
	crashAuthToken = "crash-test-bot-token"
)

// callbackJob is one callback request the crash test sends.
type callbackJob struct {
	delivery int
	// kind is the event the body carries: delivered or read.
	kind domain.EventKind
	at   time.Time
	body []byte
}

// crashTimes returns the delivered and seen times of delivery i. Every
// time is distinct, so a time stored on the wrong delivery is caught.
func crashTimes(sentAt time.Time, i int) (delivered, seen time.Time) {
	delivered = sentAt.Add(time.Second + time.Duration(i)*7*time.Millisecond)
	return delivered, delivered.Add(30 * time.Second)
}

// crashCallbacks returns 5 requests per delivery in a fixed random order:
// delivered twice with identical bytes, delivered once more with an extra
// chat_hostname member (new bytes, same event), and seen twice. The order
// puts some seen callbacks before their delivered ones.
func crashCallbacks(sentAt time.Time) []callbackJob {
	var jobs []callbackJob
	for i := range crashDeliveries {
		token, user := viberToken(i), fmt.Sprintf("user-%d", i)
		delivered, seen := crashTimes(sentAt, i)
		deliveredBody := viberBody("delivered", token, delivered, user, "")
		hostBody := viberBody("delivered", token, delivered, user, `"chat_hostname":"SN-CHAT-07_"`)
		seenBody := viberBody("seen", token, seen, user, "")
		jobs = append(jobs,
			callbackJob{i, domain.EventDelivered, delivered, deliveredBody},
			callbackJob{i, domain.EventDelivered, delivered, deliveredBody},
			callbackJob{i, domain.EventDelivered, delivered, hostBody},
			callbackJob{i, domain.EventRead, seen, seenBody},
			callbackJob{i, domain.EventRead, seen, seenBody},
		)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(jobs), func(a, b int) { jobs[a], jobs[b] = jobs[b], jobs[a] })
	return jobs
}

// TestCrashDurability kills the server with SIGKILL while signed Viber
// callbacks stream in, restarts it on the same database and checks that
// every callback acknowledged with a 2xx survived, that nothing counts twice, and that
// resending every callback gives exactly the figures of a clean run.
//
// It runs the built binary instead of an in-process App, because only a
// separate process can be killed without running any of its shutdown code.
// SIGKILL keeps what the kernel already holds, so this test shows that a
// 2xx follows a commit; it cannot show survival of a power loss.
func TestCrashDurability(t *testing.T) {
	bin := buildBinary(t)
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			testCrash(t, bin, engine)
		})
	}
}

func testCrash(t *testing.T, bin, engine string) {
	dsn := storetest.DSN(t, engine)
	key := createAccount(t, bin, dsn)

	srv := startServer(t, bin, dsn)
	api := newAPIClient(srv.base, key)
	fx := createCampaign(t, api, crashAuthToken)
	sentAt := time.Now().UTC().Truncate(time.Millisecond).Add(-time.Minute)
	registerDeliveries(t, api, fx.campaignID, 0, crashDeliveries, sentAt)
	jobs := crashCallbacks(sentAt)

	acked := streamUntilKilled(t, srv, fx.webhookURL(api), jobs)
	if err := srv.wait(10 * time.Second); err == nil || !isKilled(err) {
		t.Fatalf("server exit after SIGKILL: %v, want signal: killed", err)
	}
	ackCount := 0
	for _, ok := range acked {
		if ok {
			ackCount++
		}
	}
	t.Logf("%s: %d of %d callbacks answered 2xx before SIGKILL", engine, ackCount, len(jobs))
	if ackCount < crashKillAfter || ackCount == len(jobs) {
		t.Fatalf("%d callbacks answered 2xx, want at least %d and fewer than %d", ackCount, crashKillAfter, len(jobs))
	}

	srv = startServer(t, bin, dsn)
	api = newAPIClient(srv.base, key)
	raw := openRawDB(t, dsn)

	// After the crash: every acknowledged callback is stored and applied,
	// and the state is exactly what the stored events imply.
	stored := storedEvents(t, raw)
	t.Logf("%s: %d of %d distinct events stored after the restart", engine, len(stored), 2*crashDeliveries)
	for i, job := range jobs {
		if acked[i] && stored[eventKey{viberToken(job.delivery), job.kind}] == 0 {
			t.Errorf("callback %d (%s of delivery %d) was answered 2xx but its event is not stored", i, job.kind, job.delivery)
		}
	}
	checkEventsStoredOnce(t, stored)
	checkStateMatchesEvents(t, api, fx.campaignID, sentAt, stored)
	checkAckedBodiesStored(t, raw, jobs, acked)

	delivered, read := 0, 0
	for i := range crashDeliveries {
		token := viberToken(i)
		if stored[eventKey{token, domain.EventDelivered}]+stored[eventKey{token, domain.EventRead}] > 0 {
			delivered++
		}
		if stored[eventKey{token, domain.EventRead}] > 0 {
			read++
		}
	}
	r := checkReportMatchesLists(t, api, fx.campaignID)
	want := report.Metrics{Audience: crashDeliveries, Sent: crashDeliveries, Delivered: int64(delivered),
		Read: int64(read), Pending: int64(crashDeliveries - delivered)}
	if r.Metrics != want {
		t.Errorf("report after crash:\n got %+v\nwant %+v", r.Metrics, want)
	}
	if r.Metrics.Delivered > r.Metrics.Sent {
		t.Errorf("report after crash: delivered %d > sent %d", r.Metrics.Delivered, r.Metrics.Sent)
	}

	// Resending everything, as providers retry unanswered callbacks, ends
	// exactly where a clean run ends.
	callbacksBefore := countRows(t, raw, "callbacks")
	resendAll(t, fx.webhookURL(api), jobs)
	if got, want := countRows(t, raw, "callbacks"), callbacksBefore+len(jobs); got != want {
		t.Errorf("callbacks stored after resending %d: %d, want %d", len(jobs), got, want)
	}

	stored = storedEvents(t, raw)
	if len(stored) != 2*crashDeliveries {
		t.Errorf("distinct events after resend: %d, want %d", len(stored), 2*crashDeliveries)
	}
	checkEventsStoredOnce(t, stored)
	if got, want := countRows(t, raw, "events"), 2*crashDeliveries; got != want {
		t.Errorf("events after resend: %d, want %d", got, want)
	}
	checkStateMatchesEvents(t, api, fx.campaignID, sentAt, stored)

	r = checkReportMatchesLists(t, api, fx.campaignID)
	want = report.Metrics{Audience: crashDeliveries, Sent: crashDeliveries, Delivered: crashDeliveries, Read: crashDeliveries}
	if r.Metrics != want {
		t.Errorf("report after resend:\n got %+v\nwant %+v", r.Metrics, want)
	}

	if err := srv.stop(); err != nil {
		t.Errorf("server after SIGTERM: %v, want exit status 0", err)
	}
}

// streamUntilKilled sends jobs from crashClients goroutines and kills the
// server with SIGKILL once crashKillAfter callbacks were acknowledged with a 2xx. It
// returns which jobs got a 2xx. Requests in flight at the kill finish with
// whatever the client already received; no new request starts after it.
func streamUntilKilled(t *testing.T, srv *serverProcess, url string, jobs []callbackJob) []bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := &http.Client{Transport: newTransport(crashClients), Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()

	acked := make([]bool, len(jobs))
	var (
		next, acks atomic.Int64
		killed     atomic.Bool
		killOnce   sync.Once
		wg         sync.WaitGroup
	)
	kill := func() {
		killed.Store(true)
		if err := srv.cmd.Process.Kill(); err != nil {
			t.Errorf("SIGKILL server: %v", err)
		}
	}
	for range crashClients {
		wg.Go(func() {
			for !killed.Load() && ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				status, err := postCallback(ctx, client, url, crashAuthToken, jobs[i].body)
				switch {
				case err != nil:
					if !killed.Load() {
						t.Errorf("callback %d before SIGKILL: %v", i, err)
					}
				case status/100 == 2:
					acked[i] = true
					if acks.Add(1) == crashKillAfter {
						killOnce.Do(kill)
					}
				default:
					t.Errorf("callback %d: status %d, want 200", i, status)
				}
			}
		})
	}
	wg.Wait()
	if !killed.Load() {
		t.Fatalf("the stream ended before %d callbacks were answered 2xx, so the server was never killed", crashKillAfter)
	}
	return acked
}

// resendAll sends every job again and requires a 200 for each.
func resendAll(t *testing.T, url string, jobs []callbackJob) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	client := &http.Client{Transport: newTransport(crashClients), Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()

	var (
		next   atomic.Int64
		failed atomic.Int64
		wg     sync.WaitGroup
	)
	for range crashClients {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				status, err := postCallback(ctx, client, url, crashAuthToken, jobs[i].body)
				if err != nil || status != http.StatusOK {
					// Only the first few failures are printed.
					if failed.Add(1) <= 5 {
						t.Errorf("resend callback %d: status %d, err %v, want 200", i, status, err)
					}
				}
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatalf("resending %d callbacks timed out", len(jobs))
	}
	if n := failed.Load(); n > 0 {
		t.Fatalf("%d of %d resent callbacks failed", n, len(jobs))
	}
}

// eventKey names one event of the history: a delivery's token and a kind.
type eventKey struct {
	token string
	kind  domain.EventKind
}

// storedEvents counts the stored events by token and kind.
func storedEvents(t *testing.T, db *sql.DB) map[eventKey]int {
	t.Helper()
	rows, err := db.Query(`SELECT provider_message_id, kind, COUNT(*) FROM events GROUP BY provider_message_id, kind`)
	if err != nil {
		t.Fatalf("count stored events: %v", err)
	}
	defer rows.Close()
	counts := map[eventKey]int{}
	for rows.Next() {
		var (
			token, kind string
			n           int
		)
		if err := rows.Scan(&token, &kind, &n); err != nil {
			t.Fatalf("count stored events: %v", err)
		}
		counts[eventKey{token, domain.EventKind(kind)}] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("count stored events: %v", err)
	}
	return counts
}

// checkEventsStoredOnce checks that no event is stored twice and that
// every stored event belongs to a registered delivery.
func checkEventsStoredOnce(t *testing.T, stored map[eventKey]int) {
	t.Helper()
	tokens := map[string]bool{}
	for i := range crashDeliveries {
		tokens[viberToken(i)] = true
	}
	for key, n := range stored {
		if n != 1 {
			t.Errorf("event %s of token %s stored %d times, want once", key.kind, key.token, n)
		}
		if !tokens[key.token] || (key.kind != domain.EventDelivered && key.kind != domain.EventRead) {
			t.Errorf("unexpected stored event %s of token %s", key.kind, key.token)
		}
	}
}

// checkStateMatchesEvents lists the campaign's audience and checks each
// delivery against its stored events. A stored delivered event sets the
// delivered time. A stored seen event sets the read time, and also the
// delivered time when no delivered event is stored, because seen implies
// delivered.
func checkStateMatchesEvents(t *testing.T, api *apiClient, campaignID int64, sentAt time.Time, stored map[eventKey]int) {
	t.Helper()
	rows := metricContacts(t, api, campaignID, domain.MetricAudience)
	if len(rows) != crashDeliveries {
		t.Fatalf("audience lists %d deliveries, want %d", len(rows), crashDeliveries)
	}
	byToken := map[string]contactRow{}
	ids := map[int64]bool{}
	for _, row := range rows {
		if _, dup := byToken[row.ProviderMessageID]; dup {
			t.Errorf("token %s listed twice in the audience", row.ProviderMessageID)
		}
		if ids[row.DeliveryID] {
			t.Errorf("delivery %d listed twice in the audience", row.DeliveryID)
		}
		byToken[row.ProviderMessageID] = row
		ids[row.DeliveryID] = true
	}

	for i := range crashDeliveries {
		token := viberToken(i)
		row, ok := byToken[token]
		if !ok {
			t.Errorf("delivery %d (token %s) missing from the audience", i, token)
			continue
		}
		deliveredAt, seenAt := crashTimes(sentAt, i)
		hasDelivered := stored[eventKey{token, domain.EventDelivered}] > 0
		hasRead := stored[eventKey{token, domain.EventRead}] > 0

		wantStatus, wantDelivered, wantRead := "sent", time.Time{}, time.Time{}
		switch {
		case hasDelivered && hasRead:
			wantStatus, wantDelivered, wantRead = "read", deliveredAt, seenAt
		case hasRead:
			wantStatus, wantDelivered, wantRead = "read", seenAt, seenAt
		case hasDelivered:
			wantStatus, wantDelivered = "delivered", deliveredAt
		}
		if row.Status != wantStatus {
			t.Errorf("delivery %d: status %s, want %s", i, row.Status, wantStatus)
		}
		if !sameTime(row.SentAt, sentAt) {
			t.Errorf("delivery %d: sent_at %v, want %v", i, row.SentAt, sentAt)
		}
		if !sameTime(row.DeliveredAt, wantDelivered) {
			t.Errorf("delivery %d: delivered_at %v, want %v", i, row.DeliveredAt, wantDelivered)
		}
		if !sameTime(row.ReadAt, wantRead) {
			t.Errorf("delivery %d: read_at %v, want %v", i, row.ReadAt, wantRead)
		}
	}
}

// sameTime reports whether a nullable API time equals want, where the
// zero want means null.
func sameTime(got *time.Time, want time.Time) bool {
	if got == nil {
		return want.IsZero()
	}
	return got.Equal(want)
}

// checkAckedBodiesStored checks that the raw body of every callback
// answered 2xx is stored byte for byte.
func checkAckedBodiesStored(t *testing.T, db *sql.DB, jobs []callbackJob, acked []bool) {
	t.Helper()
	rows, err := db.Query(`SELECT body FROM callbacks`)
	if err != nil {
		t.Fatalf("read stored callbacks: %v", err)
	}
	defer rows.Close()
	bodies := map[string]bool{}
	total := 0
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			t.Fatalf("read stored callbacks: %v", err)
		}
		bodies[string(body)] = true
		total++
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read stored callbacks: %v", err)
	}

	ackedBodies := map[string]bool{}
	for i, job := range jobs {
		if !acked[i] {
			continue
		}
		ackedBodies[string(job.body)] = true
		if !bodies[string(job.body)] {
			t.Errorf("callback %d was answered 2xx but its body is not stored: %s", i, job.body)
		}
	}
	if total < len(ackedBodies) {
		t.Errorf("%d callbacks stored, fewer than the %d distinct bodies answered 2xx", total, len(ackedBodies))
	}
}

func countRows(t *testing.T, db *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// buildBinary builds cmd/vibereport into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "vibereport")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/vibereport/vibereport/cmd/vibereport")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/vibereport: %v\n%s", err, out)
	}
	return bin
}

// createAccount runs "vibereport account create" and returns the API key.
func createAccount(t *testing.T, bin, dsn string) string {
	t.Helper()
	cmd := exec.Command(bin, "account", "create", "--name", "Crash test", "--db", dsn, "--log-level", "warn")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("vibereport account create: %v\n%s", err, stderr.Bytes())
	}
	var created struct {
		APIKey string `json:"api_key"`
	}
	if err := json.Unmarshal(out, &created); err != nil || created.APIKey == "" {
		t.Fatalf("vibereport account create printed %q, want JSON with api_key", out)
	}
	return created.APIKey
}

// serverProcess is a running "vibereport serve".
type serverProcess struct {
	cmd     *exec.Cmd
	base    string
	logPath string
	done    chan struct{}
	waitErr error
}

// startServer starts "vibereport serve" on a free loopback port and waits
// until /healthz answers. The server's log is appended to server.log in the
// test's temporary directory and printed when the test fails.
func startServer(t *testing.T, bin, dsn string) *serverProcess {
	t.Helper()
	addr := freeLoopbackAddr(t)
	logPath := filepath.Join(t.TempDir(), "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("create server log: %v", err)
	}

	cmd := exec.Command(bin, "serve", "--addr", addr, "--public-url", "http://"+addr, "--db", dsn)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start vibereport serve: %v", err)
	}
	s := &serverProcess{cmd: cmd, base: "http://" + addr, logPath: logPath, done: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		logFile.Close()
		close(s.done)
	}()
	// Registered after DSN's cleanup, so this runs first: the server stops
	// before its database is removed.
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			cmd.Process.Kill()
			<-s.done
		}
		if t.Failed() {
			if log, err := os.ReadFile(logPath); err == nil {
				t.Logf("server log %s (last 4 KiB):\n%s", logPath, tail(log, 4096))
			}
		}
	})

	client := &http.Client{Transport: newTransport(1), Timeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := client.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.done:
			t.Fatalf("vibereport serve exited before answering /healthz: %v", s.waitErr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("vibereport serve on %s did not answer /healthz within 20s (last error: %v)", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wait waits up to timeout for the process to exit and returns its exit
// error.
func (s *serverProcess) wait(timeout time.Duration) error {
	select {
	case <-s.done:
		return s.waitErr
	case <-time.After(timeout):
		return fmt.Errorf("server still running after %v", timeout)
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (s *serverProcess) stop() error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	return s.wait(30 * time.Second)
}

func isKilled(err error) bool {
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return false
	}
	status, ok := exit.Sys().(syscall.WaitStatus)
	return ok && status.Signaled() && status.Signal() == syscall.SIGKILL
}

// freeLoopbackAddr returns 127.0.0.1:<port> for a port that was free a
// moment ago.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free loopback port: %v", err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
