package detect

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accountguard/accountguard/internal/trail/event"
)

func load(t *testing.T, path string) *State {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// two states, records dealt alternately, merged: as the reader's goroutines would
	states := []*State{NewState(), NewState()}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	var (
		ev  event.Event
		obs Obs
		n   int
	)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if _, err := ev.Index(line, 0); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		tm, ok := parseTime(ev.Str(event.EventTime))
		if !ok {
			t.Fatalf("%s: bad time", path)
		}
		obs.FromEvent(&ev, tm)
		states[n%2].Observe(&obs)
		n++
	}
	states[0].Merge(states[1])
	return states[0]
}

// TestDetectorSamples: each detector fires on its true-positive samples and stays quiet on
// its false-positive ones.
func TestDetectorSamples(t *testing.T) {
	if len(All()) < 6 {
		t.Fatalf("%d detectors registered", len(All()))
	}
	for _, d := range All() {
		for _, kind := range []string{"tp", "fp"} {
			path := filepath.Join("testdata", d.ID+"."+kind+".jsonl")
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s: no %s samples", d.ID, kind)
				continue
			}
			s := load(t, path)
			var mine []Alert
			for _, a := range Run(s, DefaultBaseline(s)) {
				if a.Detector.ID == d.ID {
					mine = append(mine, a)
				}
			}
			if kind == "tp" && len(mine) == 0 {
				t.Errorf("%s: no alert on its true-positive samples", d.ID)
			}
			if kind == "fp" && len(mine) > 0 {
				t.Errorf("%s: alert on false-positive samples: %s", d.ID, mine[0].Detail)
			}
			for _, a := range mine {
				if a.Actor == nil || len(a.EventIDs) == 0 || a.Detail == "" || strings.Contains(a.Detail, "\n") {
					t.Errorf("%s: incomplete alert %+v", d.ID, a)
				}
			}
		}
	}
}

func TestPhaseOf(t *testing.T) {
	for name, want := range map[string]Phase{
		"GetCallerIdentity": Enumeration, "DescribeSnapshots": Enumeration, "CreateUser": Persistence,
		"StopLogging": Evasion, "RunInstances": Impact, "PutObject": Other,
	} {
		if got := PhaseOf(name); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
}

func parseTime(b []byte) (tm time.Time, ok bool) {
	tm, err := time.Parse(time.RFC3339, string(b))
	return tm, err == nil
}

func TestUAProduct(t *testing.T) {
	for ua, want := range map[string]string{
		"aws-cli/2.15.0 Python/3.11": "aws-cli", " Boto3/1.2 ": "Boto3", "[S3Console/0.4]": "[S3Console/0.4]",
		"/x": "/x", "console.amazonaws.com": "console.amazonaws.com", "a b/c": "a", "": "", "Mozilla[x": "Mozilla",
	} {
		if got := string(UAProduct([]byte(ua))); got != want {
			t.Errorf("UAProduct(%q) = %q, want %q", ua, got, want)
		}
	}
}
