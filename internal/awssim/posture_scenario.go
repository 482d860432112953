package awssim

import "time"

// PostureSpec is a scenario's `posture:` section: trails, alarms, detectors, contacts and the
// other settings the posture audit reads.
type PostureSpec struct{}

// loadPosture builds the account's posture state from the scenario.
func (s *Server) loadPosture(a *Account, sc *Scenario, now time.Time) error { return nil }
