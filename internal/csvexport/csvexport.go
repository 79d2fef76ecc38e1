// Package csvexport writes report data as CSV files that spreadsheets open
// safely: a campaign's contacts for one metric, and the statistics of a
// list of campaigns.
//
// # Format
//
// Files follow RFC 4180 as encoding/csv writes it: fields are separated by
// commas, records end with CRLF, and fields that contain a comma, a double
// quote or a line break are quoted. Text is UTF-8 and, unless
// Options.OmitBOM is set, starts with the byte order mark EF BB BF so that
// Excel reads it as UTF-8 and not in the system's legacy code page. The
// first record is the header. Times are RFC 3339 in UTC to the second, for
// example 2025-03-01T09:30:00Z, and empty when the event never happened.
//
// Line breaks inside a value are written as CRLF inside a quoted field, and
// encoding/csv reads them back as LF. A value with a bare CR or a CRLF is
// therefore written with LF in their place: encoding/csv would otherwise
// drop a bare CR, and no reader gets a CRLF back.
//
// # Formula injection
//
// Spreadsheets run a cell that starts with =, +, - or @ as a formula, so a
// contact named =HYPERLINK(...) could run code or leak data when a
// marketer opens the file. A value is neutralised by prefixing a single
// quote (') when its first character other than a space (U+0020) is one
// of = + - @, a tab, a CR or an LF. Spaces are skipped because some
// spreadsheets trim them before deciding whether a cell is a formula. The
// quote shows in the cell, keeps the rest of the value readable and is not
// a character that starts a formula. A value that already starts with a
// quote is written unchanged, so a reader cannot tell it from a
// neutralised one.
//
// One exemption keeps phone numbers usable: the phone column is written
// unchanged when its whole value is an E.164 number, a + followed by 6 to
// 15 digits (^\+[0-9]{6,15}$). A spreadsheet may read such a cell as a
// positive number, which runs nothing, and importing the column as text
// keeps the +. Any other phone value is neutralised like the rest. Numbers and times that this package formats itself never start
// with a trigger character.
package csvexport

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// bom is the UTF-8 encoding of U+FEFF.
const bom = "\xEF\xBB\xBF"

// Options is the set of format choices of an export.
type Options struct {
	// OmitBOM leaves out the UTF-8 byte order mark, for programs that do
	// not expect it. Excel needs the mark to read non-ASCII text correctly.
	OmitBOM bool
}

// recordWriter is an encoding/csv writer with CRLF line endings that
// writes the byte order mark before the first record.
type recordWriter struct {
	csv     *csv.Writer
	out     io.Writer
	opts    Options
	started bool
}

func newRecordWriter(w io.Writer, opts Options) *recordWriter {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &recordWriter{csv: cw, out: w, opts: opts}
}

// write writes one record, the byte order mark first when it is due.
func (w *recordWriter) write(record []string) error {
	if !w.started {
		w.started = true
		if !w.opts.OmitBOM {
			if _, err := io.WriteString(w.out, bom); err != nil {
				return fmt.Errorf("write CSV: %w", err)
			}
		}
	}
	if err := w.csv.Write(record); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// flush sends buffered records to the underlying writer and returns the
// first error of any write.
func (w *recordWriter) flush() error {
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// Cell returns value as this package writes it in a text column: line
// breaks normalised to LF and a leading quote added when a spreadsheet
// would read the value as a formula.
func Cell(value string) string {
	value = normalizeLineBreaks(value)
	if isFormulaTrigger(value) {
		return "'" + value
	}
	return value
}

// PhoneCell returns value as this package writes it in the phone column:
// unchanged when it is an E.164 number and as Cell otherwise.
func PhoneCell(value string) string {
	if isE164(value) {
		return value
	}
	return Cell(value)
}

func normalizeLineBreaks(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// isFormulaTrigger reports whether the first character of s other than a
// space makes a spreadsheet treat the cell as a formula.
func isFormulaTrigger(s string) bool {
	s = strings.TrimLeft(s, " ")
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		return true
	}
	return false
}

// isE164 reports whether s matches ^\+[0-9]{6,15}$.
func isE164(s string) bool {
	if len(s) < 7 || len(s) > 16 || s[0] != '+' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
