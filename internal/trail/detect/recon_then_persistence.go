package detect

import (
	"fmt"
	"strings"
	"time"

	"github.com/accountguard/accountguard/internal/finding"
)

// reconLead is how long before a persistence call enumeration by the same key counts.
const reconLead = time.Hour

func init() {
	register(&Detector{
		ID:      "ag-detect-recon-then-persistence",
		Title:   "Enumeration Followed by Persistence With the Same Access Key",
		TitleKo: "같은 액세스 키로 정보 수집 후 지속성 확보",
		Description: "A long-term access key enumerated the account (GetCallerIdentity, ListUsers …) and " +
			"within the hour created users, keys or passwords, or granted rights: a stolen key being put to work.",
		Severity: finding.Critical,
		Phase:    Persistence,
		Tags:     []string{"attack.discovery", "attack.persistence", "attack.t1087.004", "attack.t1098"},
		Detect:   detectReconThenPersist,
	})
}

func detectReconThenPersist(s *State, _ Baseline) []Alert {
	var out []Alert
	for _, a := range sortedActors(s) {
		persist := a.Persist.Calls
		if !strings.HasPrefix(a.ID, "AKIA") || len(persist) == 0 || a.Recon.Len() == 0 {
			continue
		}
		persist = sortedCalls(persist)
		var (
			ids, names []string
			first      *Call
			reconName  string
		)
		for i := range persist {
			p := &persist[i]
			if p.Error != "" {
				continue
			}
			name, ok := reconBefore(a, p.Time)
			if !ok {
				continue
			}
			if first == nil {
				first, reconName = p, name
			}
			ids = append(ids, p.ID)
			names = append(names, p.Name)
		}
		if first == nil {
			continue
		}
		out = append(out, Alert{
			Actor: a, Time: first.Time, Region: first.Region, IP: first.IP, EventIDs: ids,
			Detail: fmt.Sprintf("%s enumerated (%s …) and then, within an hour, called %s%s", a.ID, reconName, strings.Join(uniq(names), ", "), coarser(&a.Recon, &a.Persist).note()),
		})
	}
	return out
}

// reconBefore finds an enumeration call in the minutes of the hour up to t. A coarsened
// list keeps a span's earliest call, a real one: it counts only when that call is itself
// within the hour, so coarsening can hide a pair but never make one up.
func reconBefore(a *Actor, t time.Time) (string, bool) {
	to := floorDiv(t.Unix(), 60)
	from := floorDiv(t.Add(-reconLead).Unix(), 60)
	for k := to >> a.Recon.shift; k >= from>>a.Recon.shift; k-- {
		if c, ok := a.Recon.at(k); ok {
			if m := floorDiv(c.Time.Unix(), 60); m >= from && m <= to {
				return c.Name, true
			}
		}
	}
	return "", false
}

// coarser is the list of the two with the coarser resolution.
func coarser(x, y *CallList) *CallList {
	if y.shift > x.shift {
		return y
	}
	return x
}

func uniq(xs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
