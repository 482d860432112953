package secrets

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/accountguard/accountguard/internal/finding"
)

// Baseline records known findings so that later scans ignore them. It stores fingerprints
// (hashes) and redacted values only, never a secret.
type Baseline struct {
	Version  int             `json:"version"`
	Findings []BaselineEntry `json:"findings"`
}

// BaselineEntry is one accepted finding.
type BaselineEntry struct {
	Fingerprint string `json:"fingerprint"`
	RuleID      string `json:"rule_id"`
	Redacted    string `json:"redacted"`
	Location    string `json:"location"`
}

// ReadBaseline loads a baseline file.
func ReadBaseline(path string) (*Baseline, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &InputError{Input: path, Err: notExist(err)}
	}
	var bl Baseline
	if err := json.Unmarshal(b, &bl); err != nil {
		return nil, &InputError{Input: path, Err: fmt.Errorf("not an accountguard secrets baseline: %w", err)}
	}
	if bl.Version != 1 {
		return nil, &InputError{Input: path, Err: fmt.Errorf("baseline version %d, want 1", bl.Version)}
	}
	return &bl, nil
}

// Apply mutes the findings whose fingerprint the baseline holds and returns how many.
func (bl *Baseline) Apply(fs []finding.Finding, name string) int {
	known := map[string]bool{}
	for _, e := range bl.Findings {
		known[e.Fingerprint] = true
	}
	n := 0
	for i := range fs {
		if fs[i].Status == finding.Fail && known[fs[i].Attributes["fingerprint"]] {
			fs[i].Status, fs[i].MuteReason = finding.Muted, "in baseline "+name
			n++
		}
	}
	return n
}

// WriteBaseline records every failing finding in path, atomically (a temporary file renamed
// into place), so an interrupted write leaves the old baseline whole.
func WriteBaseline(path string, fs []finding.Finding) error {
	bl := Baseline{Version: 1, Findings: []BaselineEntry{}}
	for _, f := range fs {
		if f.Status != finding.Fail {
			continue
		}
		bl.Findings = append(bl.Findings, BaselineEntry{
			Fingerprint: f.Attributes["fingerprint"], RuleID: f.RuleID,
			Redacted: f.Attributes["redacted"], Location: f.Evidence[0].Ref,
		})
	}
	slices.SortFunc(bl.Findings, func(a, b BaselineEntry) int {
		if a.Fingerprint != b.Fingerprint {
			if a.Fingerprint < b.Fingerprint {
				return -1
			}
			return 1
		}
		return 0
	})
	bl.Findings = slices.CompactFunc(bl.Findings, func(a, b BaselineEntry) bool { return a.Fingerprint == b.Fingerprint })
	b, err := json.MarshalIndent(bl, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".baseline-*")
	if err != nil {
		return fmt.Errorf("write baseline %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write baseline %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write baseline %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write baseline %s: %w", path, err)
	}
	return nil
}
