// Package scale measures the browser report page and the CSV export on
// campaigns of up to 1,000,000 deliveries, through cli.App's handler on a
// loopback listener, on SQLite and PostgreSQL.
//
// The package contains only benchmarks, so go test without -bench builds no
// campaign. Each benchmark's baseline runs in the same process: bare
// encoding/csv writing the same rows for the export, and a campaign of
// 1,000 deliveries for the report page.
package scale
