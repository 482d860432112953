package cost

import (
	"math"
	"time"
)

// Helpers that build the detectors' sample series (and the tests' series): plain arithmetic,
// no randomness, so a sample means the same thing on every run.

// weeklyShape is a workload's week: busier on weekdays, quieter at the weekend.
var weeklyShape = [7]float64{1.0, 1.1, 1.05, 1.0, 0.95, 0.6, 0.55}

// weekly is n days around mean with the weekly shape scaled by amp, plus a small wobble.
func weekly(n int, mean, amp float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		s := 1 + amp*(weeklyShape[i%7]-0.9)/0.45
		wobble := 1 + 0.03*math.Sin(float64(i)*1.7)
		out[i] = mean * s * wobble
	}
	return out
}

// growth is n days growing by rate a day from start, with a small wobble.
func growth(n int, start, rate float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = start * math.Pow(1+rate, float64(i)) * (1 + 0.02*math.Sin(float64(i)*2.3))
	}
	return out
}

// monthStart is n days of a steady line at base with a charge of jump on each first of the month.
func monthStart(start string, n int, base, jump float64) []float64 {
	t0, _ := time.Parse(DayLayout, start)
	out := make([]float64, n)
	for i := range out {
		out[i] = base * (1 + 0.02*math.Sin(float64(i)*1.3))
		if t0.AddDate(0, 0, i).Day() == 1 {
			out[i] += jump
		}
	}
	return out
}

// withLast returns xs with its last value replaced.
func withLast(xs []float64, v float64) []float64 {
	xs = append([]float64(nil), xs...)
	xs[len(xs)-1] = v
	return xs
}
