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
		if !strings.HasPrefix(a.ID, "AKIA") || len(a.Persist) == 0 || len(a.Recon) == 0 {
			continue
		}
		sortCalls(a.Persist)
		var (
			ids, names []string
			first      *Call
			reconName  string
		)
		for i := range a.Persist {
			p := &a.Persist[i]
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
			Detail: fmt.Sprintf("%s enumerated (%s …) and then, within an hour, called %s", a.ID, reconName, strings.Join(uniq(names), ", ")),
		})
	}
	return out
}

func reconBefore(a *Actor, t time.Time) (string, bool) {
	to := t.Unix() / 60
	from := t.Add(-reconLead).Unix() / 60
	for m := to; m >= from; m-- {
		if n, ok := a.Recon[m]; ok {
			return n, true
		}
	}
	return "", false
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
