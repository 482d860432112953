package nab

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestScoreFileByHand scores a ten-point file whose score is computed by hand:
//
//	points t0..t9; probation = floor(0.15 × 10) = 1 point, so t0 is not scored.
//	one window [t4, t6], width 3.
//	detections (score 1) at t0, t2, t5, t6, t8:
//	  t0: in probation: ignored.
//	  t2: before any window: position 3 → σ-score −1, weighted by A_FP: −0.11.
//	  t5: in the window, position −(6−5+1)/3 = −2/3 → 2σ(10/3)−1 = 0.931110,
//	      divided by maxTP = 2σ(5)−1 = 0.986614 → 0.943742 (× A_TP 1).
//	  t6: in the window too, position −1/3 → lower; only the best detection counts.
//	  t8: after the window, position |6−8|/(3−1) = 1 → 2σ(−5)−1 = −0.986614, × 0.11 = −0.108528.
//	raw = −0.11 + 0.943742 − 0.108528 = 0.725215
//	null (never fires) = −A_FN × 1 window = −1; perfect = A_TP × 1 = 1
//	normalised = 100 × (0.725215 + 1) / (1 + 1) = 86.2607
func TestScoreFileByHand(t *testing.T) {
	t0 := time.Date(2014, 2, 14, 14, 30, 0, 0, time.UTC)
	ts := make([]time.Time, 10)
	for i := range ts {
		ts[i] = t0.Add(time.Duration(i) * 5 * time.Minute)
	}
	scores := []float64{1, 0, 1, 0, 0, 1, 1, 0, 1, 0}
	fs, err := ScoreFile(ts, scores, []Window{{ts[4], ts[6]}}, 0.5, Standard)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(fs.Score-0.725215) > 1e-6 {
		t.Errorf("raw score %.6f, want 0.725215", fs.Score)
	}
	if fs.Null != -1 || fs.Perfect != 1 || fs.TP != 2 || fs.FP != 2 || fs.FN != 0 || fs.Windows != 1 || fs.Detected != 5 {
		t.Errorf("counts %+v", fs)
	}
	if n := Normalized(fs.Score, fs.Null, fs.Perfect); math.Abs(n-86.2607) > 1e-4 {
		t.Errorf("normalised %.4f, want 86.2607", n)
	}
	// Above every score: nothing detected, the window is missed: the null score.
	fs, _ = ScoreFile(ts, scores, []Window{{ts[4], ts[6]}}, 1.5, Standard)
	if fs.Score != -1 || fs.FN != 1 {
		t.Errorf("no detections: %+v", fs)
	}
	// A detection on the window's first point is worth exactly A_TP: the perfect detector.
	fs, _ = ScoreFile(ts, []float64{0, 0, 0, 0, 1, 0, 0, 0, 0, 0}, []Window{{ts[4], ts[6]}}, 0.5, Standard)
	if math.Abs(fs.Score-1) > 1e-12 {
		t.Errorf("perfect detection scores %v", fs.Score)
	}
	// Windows that do not match the timestamps are an error, not a silent miss.
	if _, err := ScoreFile(ts, scores, []Window{{ts[4].Add(time.Minute), ts[6]}}, 0.5, Standard); err == nil {
		t.Error("mismatched window accepted")
	}
}

func TestStreamJudgesOnThePastOnly(t *testing.T) {
	vs := make([]float64, 200)
	for i := range vs {
		vs[i] = 50 + 2*math.Sin(float64(i)*0.7)
	}
	vs[120], vs[121], vs[122] = 95, 96, 94
	s := Stream(vs, DefaultParams)
	for i, x := range s {
		if (i == 120) != (x == 1) {
			t.Errorf("point %d: score %v", i, x)
		}
	}
	// Changing the future never changes a past score.
	vs2 := append([]float64(nil), vs...)
	vs2[150] = 500
	s2 := Stream(vs2, DefaultParams)
	for i := range 150 {
		if s[i] != s2[i] {
			t.Fatalf("point %d changed when a later point changed", i)
		}
	}
}

func TestReadCorpusFiles(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "series.csv")
	os.WriteFile(data, []byte("timestamp,value\n2014-02-14 14:30:00,1.5\n2014-02-14 14:35:00,2\n"), 0o644)
	ts, vs, err := ReadDataFile(data)
	if err != nil || len(ts) != 2 || vs[1] != 2 {
		t.Fatalf("%v %v %v", ts, vs, err)
	}
	os.WriteFile(data, []byte("timestamp,value\n2014-02-14 14:30:00,n/a\n"), 0o644)
	if _, _, err := ReadDataFile(data); err == nil {
		t.Error("non-numeric value accepted")
	}
	labels := filepath.Join(dir, "windows.json")
	os.WriteFile(labels, []byte(`{"x/series.csv": [["2014-02-14 14:30:00.000000", "2014-02-14 14:35:00.000000"]]}`), 0o644)
	ws, err := ReadWindows(labels)
	if err != nil || len(ws["x/series.csv"]) != 1 || !ws["x/series.csv"][0].End.Equal(ts[1]) {
		t.Fatalf("%v %v", ws, err)
	}
}

// An episode interrupted by fewer normal points than Quiet alerts once; after a quiet spell,
// a new episode alerts again.
func TestStreamAlertsOncePerEpisode(t *testing.T) {
	vs := make([]float64, 400)
	for i := range vs {
		vs[i] = 50 + 2*math.Sin(float64(i)*0.7)
	}
	for _, i := range []int{100, 103, 106, 350} {
		vs[i] = 95
	}
	p := DefaultParams
	p.Quiet = 20
	var alerts []int
	for i, x := range Stream(vs, p) {
		if x == 1 {
			alerts = append(alerts, i)
		}
	}
	if len(alerts) != 2 || alerts[0] != 100 || alerts[1] != 350 {
		t.Fatalf("alerts at %v, want [100 350]", alerts)
	}
}
