package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunOnACheckoutLayout runs the runner on a made-up corpus laid out like a NAB checkout
// (it is not NAB data: one synthetic series with one labelled spike), to check the plumbing:
// files found from the labels, read, streamed, scored and normalised.
func TestRunOnACheckoutLayout(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "data", "synthetic"), 0o755)
	os.MkdirAll(filepath.Join(dir, "labels"), 0o755)
	var b strings.Builder
	b.WriteString("timestamp,value\n")
	t0 := time.Date(2014, 2, 14, 0, 0, 0, 0, time.UTC)
	for i := range 400 {
		v := 40 + 3*math.Sin(float64(i)*0.5)
		if i >= 300 && i < 305 {
			v = 95
		}
		fmt.Fprintf(&b, "%s,%.3f\n", t0.Add(time.Duration(i)*5*time.Minute).Format("2006-01-02 15:04:05"), v)
	}
	os.WriteFile(filepath.Join(dir, "data", "synthetic", "spike.csv"), []byte(b.String()), 0o644)
	w := func(i int) string {
		return t0.Add(time.Duration(i) * 5 * time.Minute).Format("2006-01-02 15:04:05.000000")
	}
	os.WriteFile(filepath.Join(dir, "labels", "combined_windows.json"), []byte(fmt.Sprintf(`{"synthetic/spike.csv": [[%q, %q]]}`, w(290), w(320))), 0o644)
	out, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = out
	err = run(dir, "synthetic", false, 0.5)
	os.Stdout = stdout
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out.Name())
	// Detected at point 300 in a window of 31 points [290, 320]: position −21/31, so the file
	// scores (2σ(5·21/31)−1) / (2σ(5)−1) = 0.9473, normalised 100 × (0.9473 + 1) / 2 = 97.4.
	if !strings.Contains(string(got), "normalised score 97.4") {
		t.Errorf("output:\n%s", got)
	}
	if err := run(dir, "realAWSCloudwatch", false, 0.5); err == nil {
		t.Error("a corpus without labelled files is not an error")
	}
}
