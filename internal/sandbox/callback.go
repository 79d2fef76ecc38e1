package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/vibereport/vibereport/internal/provider"
	"github.com/vibereport/vibereport/internal/store"
)

// callbackArgs is one callback request: a canonical batch for one
// connection's webhook. The secret is not stored; the worker loads it.
type callbackArgs struct {
	Instance     string         `json:"instance"`
	ConnectionID int64          `json:"connection_id"`
	AccountID    int64          `json:"account_id"`
	CampaignID   int64          `json:"campaign_id"`
	WebhookURL   string         `json:"webhook_url"`
	Items        []callbackItem `json:"items"`
}

func (callbackArgs) Kind() string { return "sandbox_callback" }

// errConnectionGone marks a callback whose connection was deleted or is no
// longer a sandbox connection; retrying cannot help.
var errConnectionGone = errors.New("sandbox connection not found")

type callbackWorker struct {
	river.WorkerDefaults[callbackArgs]
	sim *Simulator
}

// Timeout leaves room for the HTTP client's own timeout to fire first.
func (w *callbackWorker) Timeout(*river.Job[callbackArgs]) time.Duration {
	if t := w.sim.cfg.HTTPClient.Timeout; t > 0 {
		return t + 5*time.Second
	}
	return time.Minute
}

// Work posts one callback request. An error makes River retry it with
// backoff, and after the last attempt River discards it.
func (w *callbackWorker) Work(ctx context.Context, job *river.Job[callbackArgs]) error {
	args := job.Args
	log := w.sim.log.With("job_id", job.ID, "connection_id", args.ConnectionID, "campaign_id", args.CampaignID,
		"events", len(args.Items), "attempt", job.Attempt)

	status, err := w.sim.post(ctx, args)
	switch {
	case err == nil:
		w.sim.posted.Add(1)
		w.sim.postedEvents.Add(int64(len(args.Items)))
		if job.Attempt > 1 {
			log.Info("sandbox callback posted after retries", "status", status)
		}
		w.sim.finish(args, nil)
		return nil
	case errors.Is(err, errConnectionGone):
		log.Warn("sandbox callback cancelled", "error", err)
		w.sim.finish(args, err)
		return river.JobCancel(err)
	}

	w.sim.failedPosts.Add(1)
	if job.Attempt >= job.MaxAttempts {
		log.Error("sandbox callback discarded after the last attempt", "status", status, "error", err)
		w.sim.finish(args, err)
	} else {
		log.Warn("sandbox callback failed; will retry", "status", status, "error", err)
	}
	return err
}

// post signs and sends one request and returns the response status, or 0
// when no response arrived.
func (s *Simulator) post(ctx context.Context, args callbackArgs) (int, error) {
	conn, err := s.cfg.LoadConnection(ctx, args.ConnectionID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, fmt.Errorf("connection %d: %w", args.ConnectionID, errConnectionGone)
	}
	if err != nil {
		return 0, fmt.Errorf("load connection %d: %w", args.ConnectionID, err)
	}
	if conn.Kind != string(provider.KindSandbox) {
		return 0, fmt.Errorf("connection %d is now of kind %q: %w", conn.ID, conn.Kind, errConnectionGone)
	}

	body, err := json.Marshal(args.Items)
	if err != nil {
		return 0, fmt.Errorf("encode callback batch: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, args.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("build request to %s: %w", args.WebhookURL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vibereport-sandbox")
	req.Header.Set("X-Vibereport-Signature", provider.SignSandbox(conn.Secret, body, time.Now()))

	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("post to %s: %w", args.WebhookURL, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("webhook %s responded %s: %s", args.WebhookURL, resp.Status, bytes.TrimSpace(snippet))
	}
	return resp.StatusCode, nil
}

// backoff retries after base·2^(attempt-1), capped at max, with ±20% jitter
// so that callbacks failing together do not retry together.
type backoff struct {
	base, max time.Duration
}

func (b *backoff) NextRetry(job *rivertype.JobRow) time.Time {
	delay := b.base
	for range max(job.Attempt, 1) - 1 {
		if delay >= b.max/2 {
			delay = b.max
			break
		}
		delay *= 2
	}
	delay = min(delay, b.max)
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Now().Add(time.Duration(float64(delay) * jitter))
}
