package onboarding

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// table is a CSV file read: its header's columns and its records, each with
// its line (row) number.
type table struct {
	cols    map[string]int
	records [][]string // nil for a record that could not be read
	rows    []int      // each record's line in the file
}

// column is one column of a format.
type column struct {
	name     string
	required bool
}

// readTable reads a UTF-8 CSV file (a byte-order mark is dropped) whose
// separator is ';' or ',' (the one the header line uses), checks its header
// against the format's columns and returns its records. Unknown and missing
// required columns are errors of row 1. progress is told every 10,000 rows.
func readTable(r io.Reader, format []column, progress func(done int)) (*table, []RowError, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	head, err := br.Peek(64 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, nil, fmt.Errorf("read: %w", err)
	}
	if len(bytes.TrimSpace(head)) == 0 {
		return nil, nil, ErrNoFile
	}
	first := head
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		first = head[:i]
	}
	cr := csv.NewReader(br)
	cr.Comma = ','
	if bytes.Count(first, []byte{';'}) > bytes.Count(first, []byte{','}) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, []RowError{{Row: 1, Message: "intestazione illeggibile: " + csvMessage(err)}}, nil
	}
	t := &table{cols: map[string]int{}}
	var errs []RowError
	known := map[string]bool{}
	for _, c := range format {
		known[c.name] = true
	}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case !known[h]:
			errs = append(errs, RowError{Row: 1, Field: h, Message: "colonna sconosciuta"})
		case hasIndex(t.cols, h):
			errs = append(errs, RowError{Row: 1, Field: h, Message: "colonna ripetuta"})
		default:
			t.cols[h] = i
		}
	}
	for _, c := range format {
		if _, ok := t.cols[c.name]; !ok && c.required {
			errs = append(errs, RowError{Row: 1, Field: c.name, Message: "manca la colonna obbligatoria"})
		}
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		row, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				row = pe.StartLine
			}
			errs = append(errs, RowError{Row: row, Message: "riga illeggibile: " + csvMessage(err)})
			if len(errs) >= maxStoredErrors {
				break
			}
			rec = nil
		} else if !validUTF8(rec) {
			errs = append(errs, RowError{Row: row, Message: "il file non è in UTF-8"})
			rec = nil
		} else if len(rec) != len(header) {
			errs = append(errs, RowError{Row: row, Message: fmt.Sprintf("%d valori invece di %d", len(rec), len(header))})
			rec = nil
		}
		t.records, t.rows = append(t.records, rec), append(t.rows, row)
		if progress != nil && len(t.records)%10_000 == 0 {
			progress(len(t.records))
		}
	}
	return t, errs, nil
}

func validUTF8(rec []string) bool {
	for _, v := range rec {
		if !utf8.ValidString(v) {
			return false
		}
	}
	return true
}

func hasIndex(cols map[string]int, name string) bool {
	_, ok := cols[name]
	return ok
}

// get is rec's value of column name, trimmed; "" when the column is absent.
func (t *table) get(rec []string, name string) string {
	i, ok := t.cols[name]
	if !ok {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
