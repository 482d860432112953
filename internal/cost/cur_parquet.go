package cost

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// readParquetCUR reads a CUR in Parquet (CUR 2.0's default export, and legacy CUR's Athena
// format) with parquet-go: only the columns named in curColumns are read, one row group at a
// time, and each row is handed to the same by-name row parser as CSV.
func readParquetCUR(path string, f *os.File, account string) (*curFile, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("CUR %s: %w", path, err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("CUR %s: parquet: %w", path, err)
	}
	// The header is every top-level leaf column's name; only those the parser asks for are read.
	var header []string
	var leaves []parquet.LeafColumn
	for _, path := range pf.Schema().Columns() {
		if len(path) != 1 {
			continue // nested (the product and resource_tags maps): not needed
		}
		leaf, ok := pf.Schema().Lookup(path...)
		if !ok {
			continue
		}
		header = append(header, path[0])
		leaves = append(leaves, leaf)
	}
	wanted := map[int]bool{}
	for _, names := range curColumns {
		for _, n := range names {
			for i, h := range header {
				if h == n {
					wanted[i] = true
				}
			}
		}
	}
	groups := pf.RowGroups()
	g, row := -1, 0
	var cols [][]string // current row group, by header index
	var n, at int
	return parseCURRows(path, header, account, func() ([]string, string, error) {
		for at >= n {
			g++
			if g >= len(groups) {
				return nil, "", io.EOF
			}
			var err error
			if cols, n, err = readRowGroup(groups[g], leaves, wanted); err != nil {
				return nil, "", fmt.Errorf("row group %d: %w", g, err)
			}
			at = 0
		}
		rec := make([]string, len(header))
		for i, c := range cols {
			if c != nil {
				rec[i] = c[at]
			}
		}
		at++
		row++
		return rec, "row " + strconv.Itoa(row), nil
	})
}

// readRowGroup reads the wanted flat columns of one row group as text.
func readRowGroup(rg parquet.RowGroup, leaves []parquet.LeafColumn, wanted map[int]bool) ([][]string, int, error) {
	n := int(rg.NumRows())
	cols := make([][]string, len(leaves))
	chunks := rg.ColumnChunks()
	for i, leaf := range leaves {
		if !wanted[i] {
			continue
		}
		if leaf.MaxRepetitionLevel > 0 {
			return nil, 0, fmt.Errorf("column %s is repeated; a CUR column holds one value per row", leaf.Path[0])
		}
		vals, err := readChunk(chunks[leaf.ColumnIndex], n)
		if err != nil {
			return nil, 0, fmt.Errorf("column %s: %w", leaf.Path[0], err)
		}
		text := make([]string, n)
		lt := leaf.Node.Type().LogicalType()
		for r, v := range vals {
			if text[r], err = valueText(v, lt); err != nil {
				return nil, 0, fmt.Errorf("column %s row %d: %w", leaf.Path[0], r+1, err)
			}
		}
		cols[i] = text
	}
	return cols, n, nil
}

func readChunk(chunk parquet.ColumnChunk, n int) ([]parquet.Value, error) {
	pages := chunk.Pages()
	defer pages.Close()
	out := make([]parquet.Value, 0, n)
	buf := make([]parquet.Value, 1024)
	for {
		p, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		r := p.Values()
		for {
			k, err := r.ReadValues(buf)
			for _, v := range buf[:k] {
				out = append(out, v.Clone())
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				parquet.Release(p)
				return nil, err
			}
		}
		parquet.Release(p)
	}
	if len(out) != n {
		return nil, fmt.Errorf("%d values for %d rows", len(out), n)
	}
	return out, nil
}

// valueText renders a value as the CSV would hold it: timestamps as RFC 3339, decimals scaled.
func valueText(v parquet.Value, lt *format.LogicalType) (string, error) {
	if v.IsNull() {
		return "", nil
	}
	var ts *format.TimestampType
	var dec *format.DecimalType
	if lt != nil {
		ts, _ = lt.Value.(*format.TimestampType)
		dec, _ = lt.Value.(*format.DecimalType)
	}
	switch v.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		if dec != nil {
			return "", errors.New("byte-array decimals are not supported")
		}
		return string(v.ByteArray()), nil
	case parquet.Double:
		return strconv.FormatFloat(v.Double(), 'f', -1, 64), nil
	case parquet.Float:
		return strconv.FormatFloat(float64(v.Float()), 'f', -1, 32), nil
	case parquet.Int32, parquet.Int64:
		x := v.Int64()
		if v.Kind() == parquet.Int32 {
			x = int64(v.Int32())
		}
		switch {
		case ts != nil:
			unit := ts.Unit.Value.Duration()
			return time.Unix(0, 0).Add(time.Duration(x) * unit).UTC().Format(time.RFC3339Nano), nil
		case dec != nil:
			return strconv.FormatFloat(float64(x)/math.Pow10(int(dec.Scale)), 'f', -1, 64), nil
		}
		return strconv.FormatInt(x, 10), nil
	case parquet.Int96:
		// Legacy (Spark/Athena) timestamps: nanoseconds of the day, then the Julian day.
		b := v.Int96()
		nanos := int64(b[1])<<32 | int64(b[0])
		julian := int64(b[2])
		return time.Unix((julian-2440588)*86400, nanos).UTC().Format(time.RFC3339Nano), nil
	case parquet.Boolean:
		return strconv.FormatBool(v.Boolean()), nil
	}
	return "", fmt.Errorf("unsupported value kind %s", v.Kind())
}
