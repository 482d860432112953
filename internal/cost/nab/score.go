package nab

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Profile is a NAB application profile's cost matrix. NAB's profiles carry a TN weight too,
// but its scorer never uses it (true negatives earn nothing); it is kept for completeness.
type Profile struct {
	Name string
	TP   float64 // A_TP
	FP   float64 // A_FP, as a positive number: a false positive scores −FP × σ
	FN   float64 // A_FN, as a positive number: a missed window scores −FN
	TN   float64 // A_TN, unused by NAB's scorer
}

// Standard is NAB's standard profile (config/profiles.json).
var Standard = Profile{Name: "standard", TP: 1.0, FP: 0.11, FN: 1.0, TN: 1.0}

// ProbationPercent is NAB's probationary period: the first 15% of each file (at most 750
// points) is not scored, so detectors can learn.
const ProbationPercent = 0.15

// Window is one labelled anomaly window, both ends included.
type Window struct{ Start, End time.Time }

// sigmoid and scaledSigmoid are NAB's: a detection at the window's left edge (relative
// position −1) scores 2σ(5)−1 ≈ 0.98661, at its right edge ≈ 0, and a false positive one
// window-width past the right edge ≈ −0.98661; from 3 widths on it is −1.
func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func scaledSigmoid(pos float64) float64 {
	if pos >= 3.0 {
		return -1.0
	}
	return 2*sigmoid(-5*pos) - 1.0
}

// FileScore is the result for one data file.
type FileScore struct {
	Score    float64 // raw NAB score at the threshold
	Null     float64 // what a detector that never fires scores on the file
	Perfect  float64 // what a detector firing at each window's first point scores
	TP, FP   int     // detections inside / outside windows (scored points)
	FN       int     // windows without a detection
	Windows  int     // windows scored (those not wholly inside the probationary period)
	Detected int     // points at or above the threshold, scored or not
}

// ScoreFile scores one file: anomaly scores at or above threshold are detections. It follows
// Sweeper.calcSweepScore and calcScoreByThreshold: each point gets a sweep score from its
// position relative to the windows; a window scores the best (earliest) detection in it, or
// −FN if none; every detection outside windows adds its (negative) weighted score; points in
// the probationary period are left out.
func ScoreFile(ts []time.Time, scores []float64, windows []Window, threshold float64, p Profile) (FileScore, error) {
	if len(ts) != len(scores) {
		return FileScore{}, fmt.Errorf("nab: %d timestamps for %d scores", len(ts), len(scores))
	}
	index := func(t time.Time) int { return slices.IndexFunc(ts, func(x time.Time) bool { return x.Equal(t) }) }
	type win struct{ left, right int }
	var ws []win
	for _, w := range windows {
		l, r := index(w.Start), index(w.End)
		if l < 0 || r < 0 || r < l {
			return FileScore{}, fmt.Errorf("nab: window %s..%s does not match the file's timestamps", w.Start.Format(time.DateTime), w.End.Format(time.DateTime))
		}
		if len(ws) > 0 && l <= ws[len(ws)-1].right {
			return FileScore{}, fmt.Errorf("nab: window %s..%s overlaps the one before", w.Start.Format(time.DateTime), w.End.Format(time.DateTime))
		}
		ws = append(ws, win{l, r})
	}
	probation := int(math.Min(math.Floor(ProbationPercent*float64(len(ts))), ProbationPercent*5000))
	maxTP := scaledSigmoid(-1.0)
	var fs FileScore
	windowScore := map[int]float64{} // by window index, only for windows with scored points
	fpScore := 0.0
	cur, prevRight, prevWidth := -1, -1, 0.0
	next := 0
	for i := range ts {
		if cur < 0 && next < len(ws) && i == ws[next].left {
			cur = next
			next++
		}
		var weighted float64
		if cur >= 0 {
			width := float64(ws[cur].right - ws[cur].left + 1)
			pos := -float64(ws[cur].right-i+1) / width
			weighted = scaledSigmoid(pos) * p.TP / maxTP
		} else {
			pos := 3.0
			if prevRight >= 0 {
				pos = math.Abs(float64(prevRight-i)) / (prevWidth - 1)
			}
			weighted = scaledSigmoid(pos) * p.FP
		}
		detected := scores[i] >= threshold
		if detected {
			fs.Detected++
		}
		if i >= probation {
			if cur >= 0 {
				if _, ok := windowScore[cur]; !ok {
					windowScore[cur] = -p.FN
				}
				if detected {
					fs.TP++
					windowScore[cur] = math.Max(windowScore[cur], weighted)
				}
			} else if detected {
				fs.FP++
				fpScore += weighted
			}
		}
		if cur >= 0 && i == ws[cur].right {
			prevRight, prevWidth = i, float64(ws[cur].right-ws[cur].left+1)
			cur = -1
		}
	}
	fs.Windows = len(windowScore)
	fs.Score = fpScore
	for _, s := range windowScore {
		fs.Score += s
		if s == -p.FN {
			fs.FN++
		}
	}
	fs.Null = -p.FN * float64(fs.Windows)
	fs.Perfect = p.TP * float64(fs.Windows)
	return fs, nil
}

// Normalized is NAB's final score: 100 × (raw − null) / (perfect − null), so the null
// detector scores 0 and the perfect one 100. Sums over a corpus are normalised once.
func Normalized(raw, null, perfect float64) float64 {
	if perfect == null {
		return 0
	}
	return 100 * (raw - null) / (perfect - null)
}
