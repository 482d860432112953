package detect

import (
	"fmt"
	"strings"
	"time"

	"github.com/accountguard/accountguard/internal/finding"
)

// An enumeration: at least enumNames different account-discovery APIs called by one
// long-term access key within enumWindow.
//
// Why here and not in the Sigma rule ag_enumeration_by_access_key: a rule sees one record,
// and one GetCallerIdentity looks the same from a Terraform run or a CI job as from a
// stolen key. What tells them apart is how many *different* discovery questions one key
// asks at once. A CI job or Terraform asks who it is and then reads the resources it
// manages (DescribeInstances, GetRole, ListRoles …, none of which are in discovery); an
// attacker asks who am I, which users and keys exist, what may I do, which buckets and
// regions there are. The user agent does not decide: Boto3 is both CI's and the attacker's
// (the leaked-key scenario's attacker uses it), and the caller sets it anyway.
const (
	enumWindow = 10 * time.Minute
	enumNames  = 3
)

// discovery are the calls that map an account's identities and reach, rarely made by
// automation that knows what it manages. A subset of recon (phase.go), so that
// recon-then-persistence still sees them.
var discovery = set("GetCallerIdentity", "ListUsers", "ListGroups", "ListAccessKeys",
	"ListAttachedUserPolicies", "ListUserPolicies", "ListGroupsForUser", "GetAccountAuthorizationDetails",
	"GetAccountSummary", "ListBuckets", "DescribeRegions", "GetSendQuota", "ListServiceQuotas")

func init() {
	register(&Detector{
		ID:      "ag-detect-enumeration",
		Title:   "Account Enumeration by a Long-Term Access Key",
		TitleKo: "장기 액세스 키로 계정 정보 수집(열거)",
		Description: "A long-term access key (AKIA…) asked several different account-discovery questions within " +
			"minutes (who am I, which users, keys, buckets and regions exist): what a stolen key is first tried with. " +
			"CI jobs and Terraform, which ask who they are and then read what they manage, do not match.",
		Severity: finding.Medium,
		Phase:    Enumeration,
		Tags:     []string{"attack.discovery", "attack.t1087.004", "attack.t1580", "attack.t1526"},
		Detect:   detectEnumeration,
	})
}

func detectEnumeration(s *State, _ Baseline) []Alert {
	var out []Alert
	for _, a := range sortedActors(s) {
		disc := a.Discovery.Calls
		if !strings.HasPrefix(a.ID, "AKIA") || len(disc) < enumNames {
			continue
		}
		disc = sortedCalls(disc)
		for i := range disc {
			names := map[string]bool{}
			var ids []string
			calls := 0
			for j := i; j < len(disc) && disc[j].Time.Sub(disc[i].Time) <= enumWindow; j++ {
				names[disc[j].Name] = true
				ids = append(ids, disc[j].ID)
				calls += disc[j].Count
			}
			if len(names) < enumNames {
				continue
			}
			first := disc[i]
			out = append(out, Alert{
				Actor: a, Time: first.Time, Region: first.Region, IP: first.IP, EventIDs: ids,
				Detail: fmt.Sprintf("%s asked %d account-discovery APIs within %s (%s; %d calls) from %s%s",
					a.ID, len(names), enumWindow, strings.Join(sortedKeys(names), ", "), calls, first.IP, a.Discovery.note()),
			})
			break // one alert per key: the first enumeration; the timeline shows the rest
		}
	}
	return out
}
