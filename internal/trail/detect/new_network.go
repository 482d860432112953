package detect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/trail/asn"
)

func init() {
	register(&Detector{
		ID:      "ag-detect-new-network",
		Title:   "Identity Used From a Network It Never Used Before",
		TitleKo: "처음 보는 네트워크(AS)에서 자격 증명 사용",
		Description: "An access key or user that was active during the baseline made calls from a " +
			"network it had not used then: another autonomous system (a hosting or VPN provider " +
			"instead of the company's ISP) with an ASN database, otherwise another /24 (IPv4) or " +
			"/48 (IPv6). A new IP inside one network is routine (DHCP, NAT); a new network is not.",
		Severity: finding.Medium,
		Phase:    Enumeration,
		Tags:     []string{"attack.initial-access", "attack.t1078.004"},
		Detect:   detectNewNetwork,
	})
}

// network is one actor's use of one network: its IPs' Seen merged.
type network struct {
	label string
	Seen
	firstIP string
}

func detectNewNetwork(s *State, b Baseline) []Alert {
	networkOf := b.Networks
	if networkOf == nil {
		networkOf = (*asn.DB)(nil).Network
	}
	// Networks are worked out here, once per distinct IP, from the per-actor IP maps that
	// Observe keeps anyway: reading records costs nothing more.
	type named struct{ key, label string }
	names := map[string]named{}
	var out []Alert
	for _, a := range sortedActors(s) {
		if a.Type == "AWSService" {
			continue // AWS's own principals run from AWS's addresses, wherever it likes
		}
		nets := map[string]*network{}
		for ip, seen := range a.IPs {
			n, ok := names[ip]
			if !ok {
				n.key, n.label = networkOf(ip)
				names[ip] = n
			}
			if n.key == "" {
				continue // "AWS Internal", a service name, a malformed address
			}
			nw := nets[n.key]
			if nw == nil {
				nw = &network{label: n.label}
				nets[n.key] = nw
			}
			if nw.Count == 0 || seen.First.Before(nw.First) || (seen.First.Equal(nw.First) && ip < nw.firstIP) {
				nw.firstIP = ip
			}
			nw.merge(seen)
		}
		var before, after []*network
		for _, k := range sortedKeys(nets) {
			if nw := nets[k]; nw.First.After(b.Until) {
				after = append(after, nw)
			} else {
				before = append(before, nw)
			}
		}
		if len(before) == 0 || len(after) == 0 {
			continue // a new identity has no normal network to differ from
		}
		slices.SortStableFunc(after, func(x, y *network) int { return x.First.Compare(y.First) })
		al := Alert{Actor: a, Time: after[0].First, Region: after[0].FirstRegion, IP: after[0].firstIP}
		calls := 0
		var newNets []string
		for _, nw := range after {
			al.EventIDs = append(al.EventIDs, nw.FirstEventID)
			calls += nw.Count
			newNets = append(newNets, nw.label+" via "+nw.firstIP)
		}
		if strings.HasPrefix(a.ID, "AKIA") {
			al.Severity = finding.High // long-term keys are what leaks; they rarely move
		}
		if o := &a.IPsNotKept; o.Count > 0 && o.First.After(b.Until) {
			// their networks are not known: the IPs were not kept
			newNets = append(newNets, fmt.Sprintf("about %d more IPs not kept", o.Distinct()))
		}
		al.Detail = fmt.Sprintf("%s used from network %s (%d calls); before %s it used only %s",
			a.ID, cut(newNets), calls, b.Until.Format("2006-01-02 15:04"), cut(labels(before)))
		out = append(out, al)
	}
	return out
}

func labels(ns []*network) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.label
	}
	return out
}

// cut joins at most five values and counts the rest.
func cut(vals []string) string {
	if len(vals) > 5 {
		vals = append(vals[:5:5], fmt.Sprintf("%d more", len(vals)-5))
	}
	return strings.Join(vals, ", ")
}
