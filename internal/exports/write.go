package exports

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// bom starts a CSV file, so that Excel reads it as UTF-8.
const bom = "\uFEFF"

// writeCSV writes t as CSV for Excel set to Italian: BOM, ';', CRLF, decimal
// commas, days as 02/01/2006. progress is told the rows written every every
// rows.
func (t *table) writeCSV(w io.Writer, every int, progress func(int) error) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma, cw.UseCRLF = ';', true
	head := make([]string, len(t.columns))
	for i, c := range t.columns {
		head[i] = c.heading
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	rec := make([]string, len(t.columns))
	for n, r := range t.rows {
		for i, v := range r {
			rec[i] = csvValue(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
		if (n+1)%every == 0 {
			cw.Flush()
			if err := progress(n + 1); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvValue is one value as the CSV writes it; nil is empty.
func csvValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case *time.Time:
		if v == nil {
			return ""
		}
		return v.Format("02/01/2006")
	case *int64:
		if v == nil {
			return ""
		}
		return fmt.Sprintf("%d,%02d", *v/100, *v%100)
	case *float64:
		if v == nil {
			return ""
		}
		return strings.Replace(strconv.FormatFloat(*v, 'f', -1, 64), ".", ",", 1)
	}
	return fmt.Sprint(v)
}

// writeXLSX writes t as one sheet through excelize's streaming writer: a bold
// heading row, days as dates, amounts in euro as numbers with two decimals.
func (t *table) writeXLSX(w io.Writer, every int, progress func(int) error) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", t.sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(t.sheet)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	dayFmt, euroFmt := "dd/mm/yyyy", "#,##0.00"
	day, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dayFmt})
	if err != nil {
		return err
	}
	euro, err := f.NewStyle(&excelize.Style{CustomNumFmt: &euroFmt})
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, len(t.columns), 18); err != nil {
		return err
	}
	head := make([]any, len(t.columns))
	for i, c := range t.columns {
		head[i] = excelize.Cell{StyleID: bold, Value: c.heading}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for n, r := range t.rows {
		cells := make([]any, len(r))
		for i, v := range r {
			cells[i] = xlsxValue(v, day, euro)
		}
		cell, err := excelize.CoordinatesToCellName(1, n+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
		if (n+1)%every == 0 {
			if err := progress(n + 1); err != nil {
				return err
			}
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// xlsxValue is one value as a cell; nil is an empty cell.
func xlsxValue(v any, day, euro int) any {
	switch v := v.(type) {
	case *time.Time:
		if v == nil {
			return nil
		}
		return excelize.Cell{StyleID: day, Value: time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC)}
	case *int64:
		if v == nil {
			return nil
		}
		return excelize.Cell{StyleID: euro, Value: float64(*v) / 100}
	case *float64:
		if v == nil {
			return nil
		}
		return *v
	}
	return v
}
