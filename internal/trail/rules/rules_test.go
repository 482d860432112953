package rules

import (
	"encoding/json"
	"os"
	"path"
	"strings"
	"testing"

	"github.com/accountguard/accountguard/internal/trail/detect"
	"github.com/accountguard/accountguard/internal/trail/event"
	"github.com/accountguard/accountguard/internal/trail/sigma"
)

type samples struct {
	Rule    string            `json:"rule"`
	Match   []json.RawMessage `json:"match"`
	NoMatch []json.RawMessage `json:"nomatch"`
}

func samplesPath(file string) string {
	dir, base := path.Split(file)
	name := strings.TrimSuffix(base, ".yml")
	if dir == "sigmahq/" {
		return "samples/sigmahq/" + name + ".json"
	}
	return dir + name + ".samples.json"
}

// TestRulesLoadAndMatchSamples: every embedded rule compiles (SigmaHQ's unmodified), names
// its author, and matches each of its true-positive samples and none of its false-positive
// ones, both alone and through a Set with all the other rules.
func TestRulesLoadAndMatchSamples(t *testing.T) {
	rules, errs := Load()
	for _, e := range errs {
		t.Error(e)
	}
	var sigmahq int
	for _, r := range rules {
		if strings.HasPrefix(r.File, "sigmahq/") {
			sigmahq++
		}
	}
	if sigmahq != 57 {
		t.Errorf("%d SigmaHQ rules loaded, want 57", sigmahq)
	}
	set := sigma.NewSet(rules)
	m := set.Matcher()
	for _, r := range rules {
		if r.Author == "" {
			t.Errorf("%s: no author", r.File)
		}
		b, err := os.ReadFile(samplesPath(r.File))
		if err != nil {
			t.Errorf("%s: no samples: %v", r.File, err)
			continue
		}
		var s samples
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("%s: %v", samplesPath(r.File), err)
		}
		if len(s.Match) == 0 || len(s.NoMatch) == 0 {
			t.Errorf("%s: needs at least one matching and one non-matching sample", r.File)
		}
		check := func(raw []byte, want bool, i int) {
			var ev event.Event
			if _, err := ev.Index(raw, 0); err != nil {
				t.Fatalf("%s sample %d: %v", r.File, i, err)
			}
			if got := r.Matches(&ev); got != want {
				t.Errorf("%s: sample %d (match=%v): rule returned %v", r.File, i, want, got)
			}
			inSet := false
			m.Match(&ev, func(x *sigma.Rule) { inSet = inSet || x == r })
			if inSet != want {
				t.Errorf("%s: sample %d (match=%v): the Set returned %v", r.File, i, want, inSet)
			}
		}
		for i, raw := range s.Match {
			check(raw, true, i)
		}
		for i, raw := range s.NoMatch {
			check(raw, false, i)
		}
	}
}

// Reports speak English and Korean: every rule of accountguard's own pack, and every
// detector, carries a Korean title (SigmaHQ's rules are shown with their English titles).
func TestBuiltinRulesAndDetectorsHaveKoreanTitles(t *testing.T) {
	rs, errs := Load()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	builtin := 0
	for _, r := range rs {
		if strings.HasPrefix(path.Base(r.File), "ag_") {
			builtin++
			if r.TitleKo == "" {
				t.Errorf("%s has no title_ko", r.File)
			}
		}
	}
	if builtin == 0 {
		t.Fatal("no built-in rules found")
	}
	for _, d := range detect.All() {
		if d.TitleKo == "" {
			t.Errorf("detector %s has no Korean title", d.ID)
		}
	}
}
