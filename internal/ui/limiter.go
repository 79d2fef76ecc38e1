package ui

import (
	"sync"
	"time"
)

// Failed sign-in limits. Five wrong passwords in fifteen minutes lock that
// email for that client address until the window ends, which slows a
// password guesser to 480 tries a day without locking the real user out
// from another address.
const (
	maxFailedSignins   = 5
	failedSigninWindow = 15 * time.Minute
	// maxTrackedSignins bounds the limiter's memory. Past it, entries whose
	// window ended are dropped first; if all are current the oldest go.
	maxTrackedSignins = 10_000
)

// signinLimiter counts failed sign-ins per email and client address.
//
// NOTE: counts live in this process only, so a restart clears them and
// several server processes each allow the limit.
type signinLimiter struct {
	mu       sync.Mutex
	failures map[string]*failureCount
}

type failureCount struct {
	n     int
	first time.Time
}

func newSigninLimiter() *signinLimiter {
	return &signinLimiter{failures: map[string]*failureCount{}}
}

// blockedFor returns how long sign-ins for key stay blocked, or 0.
func (l *signinLimiter) blockedFor(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.failures[key]
	if !ok {
		return 0
	}
	end := f.first.Add(failedSigninWindow)
	if !now.Before(end) {
		delete(l.failures, key)
		return 0
	}
	if f.n < maxFailedSignins {
		return 0
	}
	return end.Sub(now)
}

// fail records a failed sign-in for key.
func (l *signinLimiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.failures[key]
	if !ok || !now.Before(f.first.Add(failedSigninWindow)) {
		if len(l.failures) >= maxTrackedSignins {
			l.prune(now)
		}
		l.failures[key] = &failureCount{n: 1, first: now}
		return
	}
	f.n++
}

// succeed clears the failures of key after a correct password.
func (l *signinLimiter) succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

// prune drops entries whose window ended, and when none did, the oldest
// tenth. The caller holds the lock.
func (l *signinLimiter) prune(now time.Time) {
	for key, f := range l.failures {
		if !now.Before(f.first.Add(failedSigninWindow)) {
			delete(l.failures, key)
		}
	}
	if len(l.failures) < maxTrackedSignins {
		return
	}
	cutoff := now
	for _, f := range l.failures {
		if f.first.Before(cutoff) {
			cutoff = f.first
		}
	}
	cutoff = cutoff.Add(failedSigninWindow / 10)
	for key, f := range l.failures {
		if f.first.Before(cutoff) {
			delete(l.failures, key)
		}
	}
}
