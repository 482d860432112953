package trail_test

import (
	"slices"
	"testing"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/awssim/simtest"
	"github.com/accountguard/accountguard/internal/trail"
)

// TestNewNetworkLeakedKey: in the leaked-key scenario the new-network detector names the
// leaked key, and no identity the attacker did not use.
func TestNewNetworkLeakedKey(t *testing.T) {
	r := simtest.Start(t, "leaked-key", awssim.Options{})
	gt := r.GroundTruth()
	dir, _ := simtest.ExportTrail(t, r.Trail())
	srcs, errs := trail.Files([]string{dir}, trail.Window{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	res := trail.NewEngine().Hunt(t.Context(), srcs, trail.HuntOptions{})
	var actors []string
	for _, a := range res.Alerts {
		if a.Detector.ID != "ag-detect-new-network" {
			continue
		}
		actors = append(actors, a.Actor.ID)
		if !slices.Contains(gt.Keys, a.Actor.ID) && !slices.Contains(gt.Principals, a.Actor.ID) && !slices.Contains(gt.Principals, a.Actor.ARN) {
			t.Errorf("new-network alert about %s, which the attacker did not use: %s", a.Actor.ID, a.Detail)
		}
	}
	if !slices.Contains(actors, gt.LeakedKey) {
		t.Errorf("no new-network alert for the leaked key %s (alerts for %v)", gt.LeakedKey, actors)
	}
}
