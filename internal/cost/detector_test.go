package cost

import (
	"testing"
	"time"
)

// TestDetectorSamples runs every registered detector on its own true- and false-positive
// samples: a detector is judged on the last day of each sample with the default thresholds.
func TestDetectorSamples(t *testing.T) {
	o := DefaultOptions.withDefaults()
	if len(Detectors()) == 0 {
		t.Fatal("no detectors registered")
	}
	for _, det := range Detectors() {
		var tp, fp int
		for _, s := range det.Samples {
			if s.Flag {
				tp++
			} else {
				fp++
			}
			start, err := time.Parse(DayLayout, s.Start)
			if err != nil {
				t.Fatalf("%s/%s: start %q: %v", det.ID, s.Name, s.Start, err)
			}
			day := len(s.Values) - 1
			got, flagged := det.Judge(Input{Level: s.Level, Key: Key{Service: "AmazonEC2", Region: "us-west-2"},
				Values: s.Values, Day: day, Date: start.AddDate(0, 0, day), Opts: &o})
			if flagged != s.Flag {
				t.Errorf("%s / %q: flagged=%v, want %v (signal %+v)", det.ID, s.Name, flagged, s.Flag, got)
			}
		}
		if tp == 0 || fp == 0 {
			t.Errorf("%s: needs at least one true-positive and one false-positive sample (have %d, %d)", det.ID, tp, fp)
		}
	}
}
