package nab

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// NAB writes timestamps as "2014-02-14 14:30:00" in data files and with microseconds in
// label files ("2014-02-26 22:05:00.000000").
var timeLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04:05.000000", time.RFC3339}

func parseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp %q is not in NAB's format", s)
}

// ReadDataFile reads a NAB data file: a header "timestamp,value" and one row per point.
func ReadDataFile(path string) ([]time.Time, []float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("NAB data %s: %w", path, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("NAB data %s: header: %w", path, err)
	}
	ti, vi := -1, -1
	for i, h := range header {
		switch strings.TrimSpace(h) {
		case "timestamp":
			ti = i
		case "value":
			vi = i
		}
	}
	if ti < 0 || vi < 0 {
		return nil, nil, fmt.Errorf("NAB data %s: want columns timestamp and value, have %v", path, header)
	}
	var ts []time.Time
	var vs []float64
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, nil, fmt.Errorf("NAB data %s: %w", path, err)
		}
		t, err := parseTime(rec[ti])
		if err != nil {
			return nil, nil, fmt.Errorf("NAB data %s line %d: %w", path, line, err)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[vi]), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, fmt.Errorf("NAB data %s line %d: value %q is not a number", path, line, rec[vi])
		}
		ts = append(ts, t)
		vs = append(vs, v)
	}
	if len(ts) == 0 {
		return nil, nil, fmt.Errorf("NAB data %s: no points", path)
	}
	return ts, vs, nil
}

// ReadWindows reads labels/combined_windows.json: file (relative to data/) → windows.
func ReadWindows(path string) (map[string][]Window, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("NAB labels %s: %w", path, err)
	}
	var raw map[string][][]string
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("NAB labels %s: %w", path, err)
	}
	out := make(map[string][]Window, len(raw))
	for file, ws := range raw {
		for _, w := range ws {
			if len(w) != 2 {
				return nil, fmt.Errorf("NAB labels %s: %s: a window needs a start and an end", path, file)
			}
			s, err := parseTime(w[0])
			if err != nil {
				return nil, fmt.Errorf("NAB labels %s: %s: %w", path, file, err)
			}
			e, err := parseTime(w[1])
			if err != nil {
				return nil, fmt.Errorf("NAB labels %s: %s: %w", path, file, err)
			}
			out[file] = append(out[file], Window{Start: s, End: e})
		}
	}
	return out, nil
}
