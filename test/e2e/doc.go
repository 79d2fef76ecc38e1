// Package e2e tests and measures the whole service from outside: over
// HTTP on loopback, with the vibereport binary or cli.App serving, on
// SQLite and PostgreSQL.
//
// TestCrashDurability builds the binary and kills it with SIGKILL while
// callbacks stream in. The benchmarks compare the service's webhook and
// events API with a handler that only reads the body, in the same process.
package e2e
