package ingest

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/telemetry"
)

// ErrClosed is returned for requests submitted after Close.
var ErrClosed = errors.New("ingest writer closed")

// maxGroup bounds how many requests share one transaction.
const maxGroup = 512

// Writer owns every write that touches delivery state. Requests that arrive
// while a transaction commits wait and are committed together in the next
// one, so concurrent callbacks share a single sync to disk. Each caller
// returns only after its transaction has committed.
type Writer struct {
	db      *store.DB
	log     *slog.Logger
	metrics *telemetry.Metrics

	requests chan *request
	stop     chan struct{}
	stopped  chan struct{}
	mu       sync.RWMutex
	closed   bool
}

type request struct {
	ctx context.Context

	batch    *Batch
	result   Result
	reg      *Registration
	regOut   []Registered
	expireAt time.Time
	expired  int

	done chan error
}

// NewWriter starts the writer goroutine. metrics may be nil.
func NewWriter(db *store.DB, log *slog.Logger, metrics *telemetry.Metrics) *Writer {
	w := &Writer{
		db:       db,
		log:      log,
		metrics:  metrics,
		requests: make(chan *request, maxGroup),
		stop:     make(chan struct{}),
		stopped:  make(chan struct{}),
	}
	go w.run()
	return w
}

// Ingest durably stores a callback and applies its events.
func (w *Writer) Ingest(ctx context.Context, b *Batch) (Result, error) {
	r := &request{ctx: ctx, batch: b}
	err := w.submit(ctx, r)
	if err == nil && w.metrics != nil && r.result.Parked > 0 {
		w.metrics.EventsParked.WithLabelValues(b.Kind).Add(float64(r.result.Parked))
	}
	return r.result, err
}

// Register records deliveries and applies events parked for them.
func (w *Writer) Register(ctx context.Context, reg *Registration) ([]Registered, error) {
	r := &request{ctx: ctx, reg: reg}
	err := w.submit(ctx, r)
	return r.regOut, err
}

// ExpireDue fails as expired every sent delivery whose TTL ran out before
// now, and returns how many it failed.
func (w *Writer) ExpireDue(ctx context.Context, now time.Time) (int, error) {
	r := &request{ctx: ctx, expireAt: now}
	err := w.submit(ctx, r)
	return r.expired, err
}

func (w *Writer) submit(ctx context.Context, r *request) error {
	r.done = make(chan error, 1)

	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return ErrClosed
	}
	select {
	case w.requests <- r:
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	w.mu.RUnlock()

	// Once queued, a request is committed or failed by the writer even if
	// the caller gives up. Waiting for the outcome keeps the HTTP status
	// true to what was stored.
	return <-r.done
}

// Close stops accepting requests, commits those already queued and waits
// for the writer goroutine to finish.
func (w *Writer) Close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		<-w.stopped
		return
	}
	w.closed = true
	close(w.stop)
	w.mu.Unlock()
	<-w.stopped
}

func (w *Writer) run() {
	defer close(w.stopped)
	for {
		var first *request
		select {
		case first = <-w.requests:
		case <-w.stop:
			// Submitters hold the read lock while enqueueing, so after
			// stop no new request can arrive: drain what is queued.
			for {
				select {
				case r := <-w.requests:
					w.commit([]*request{r})
				default:
					return
				}
			}
		}

		group := []*request{first}
	gather:
		for len(group) < maxGroup {
			select {
			case r := <-w.requests:
				group = append(group, r)
			default:
				break gather
			}
		}
		w.commit(group)
	}
}

// commit runs a group in one transaction. When that fails, it retries each
// request in a transaction of its own, so a request that fails alone
// does not fail the others.
func (w *Writer) commit(group []*request) {
	start := time.Now()
	err := w.db.InTx(context.Background(), func(tx *store.Tx) error {
		return w.apply(tx, group)
	})
	if w.metrics != nil {
		w.metrics.CommitBatchSize.Observe(float64(len(group)))
		w.metrics.CommitLatency.Observe(time.Since(start).Seconds())
	}
	if err == nil || len(group) == 1 {
		if err != nil && !IsInputError(err) {
			w.log.Error("commit failed", "requests", len(group), "err", err)
		}
		for _, r := range group {
			r.done <- err
		}
		return
	}

	for _, r := range group {
		r.reset()
		err := w.db.InTx(context.Background(), func(tx *store.Tx) error {
			return w.apply(tx, []*request{r})
		})
		if err != nil && !IsInputError(err) {
			w.log.Error("commit failed", "requests", 1, "err", err)
		}
		r.done <- err
	}
}

func (r *request) reset() {
	r.result = Result{}
	r.regOut = nil
	r.expired = 0
}

func (w *Writer) apply(tx *store.Tx, group []*request) error {
	ctx := context.Background()
	if err := tx.PreferIndexScans(ctx); err != nil {
		return err
	}

	var batches []*Batch
	var results []*Result
	for _, r := range group {
		if r.batch != nil {
			r.result = Result{}
			batches = append(batches, r.batch)
			results = append(results, &r.result)
		}
	}
	if len(batches) > 0 {
		if err := applyBatches(ctx, tx, batches, results); err != nil {
			return err
		}
	}

	for _, r := range group {
		switch {
		case r.reg != nil:
			if err := register(ctx, tx, r.reg, &r.regOut); err != nil {
				return err
			}
		case !r.expireAt.IsZero():
			r.expired = 0
			if err := expireDue(ctx, tx, r.expireAt, &r.expired); err != nil {
				return err
			}
		}
	}
	return nil
}
