package trail

import (
	"strings"

	"github.com/accountguard/accountguard/internal/finding"
)

// OCSF Detection Finding (class 2004, category 2 Findings), schema 1.3.
const ocsfVersion = "1.3.0"

var ocsfSeverity = map[finding.Severity]struct {
	id   int
	name string
}{
	finding.Info: {1, "Informational"}, finding.Low: {2, "Low"}, finding.Medium: {3, "Medium"},
	finding.High: {4, "High"}, finding.Critical: {5, "Critical"},
}

// OCSF converts trail findings into OCSF Detection Findings with every required attribute
// (activity_id, category_uid, class_uid, finding_info, metadata, severity_id, time,
// type_uid) and the cloud, actor and evidence details accountguard knows.
func OCSF(fs []finding.Finding, productVersion string) []map[string]any {
	out := make([]map[string]any, 0, len(fs))
	for _, f := range fs {
		sev := ocsfSeverity[f.Severity]
		info := map[string]any{
			"uid":   f.ID,
			"title": f.Title.En,
			"desc":  f.Detail.En,
			"types": []string{"CloudTrail " + f.Source},
			"analytic": map[string]any{
				"uid": f.RuleID, "name": f.RuleID, "type_id": 1, "type": "Rule",
			},
		}
		if !f.Time.IsZero() {
			info["first_seen_time"] = f.Time.UnixMilli()
		}
		var attacks []map[string]any
		for _, r := range f.References {
			if r.Standard == "MITRE ATT&CK" {
				attacks = append(attacks, map[string]any{"technique": map[string]any{"uid": r.ID}, "version": "15"})
			}
		}
		if attacks != nil {
			info["attacks"] = attacks
		}
		labels := []string{}
		if a := f.Attributes["author"]; a != "" {
			labels = append(labels, "author:"+a) // DRL 1.1: the rule's author goes with each match
		}
		o := map[string]any{
			"activity_id": 1, "activity_name": "Create",
			"category_uid": 2, "category_name": "Findings",
			"class_uid": 2004, "class_name": "Detection Finding",
			"type_uid": 200401, "type_name": "Detection Finding: Create",
			"severity_id": sev.id, "severity": sev.name,
			"status_id": 1, "status": "New",
			"time":         f.Time.UnixMilli(),
			"message":      f.Detail.En,
			"finding_info": info,
			"metadata": map[string]any{
				"version": ocsfVersion,
				"product": map[string]any{"name": "accountguard", "vendor_name": "accountguard", "version": productVersion},
				"labels":  labels,
			},
			"cloud": map[string]any{"provider": "AWS", "account": map[string]any{"uid": f.Account}, "region": f.Region},
		}
		if f.Principal != "" {
			user := map[string]any{"uid": f.Principal}
			if k := f.Attributes["access_key"]; k != "" {
				user["credential_uid"] = k
			}
			o["actor"] = map[string]any{"user": user}
		}
		var ev []map[string]any
		for _, e := range f.Evidence {
			ev = append(ev, map[string]any{"data": map[string]any{"cloudtrail_event_id": e.Ref}})
		}
		if ev != nil {
			o["evidences"] = ev
		}
		unmapped := map[string]any{}
		for k, v := range f.Attributes {
			if v != "" && !strings.HasPrefix(k, "_") {
				unmapped[k] = v
			}
		}
		o["unmapped"] = unmapped
		out = append(out, o)
	}
	return out
}
