package audit

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/ui"
)

// renderTable writes the human view: the seven prevention practices first (one line each),
// then the failing, unknown and muted findings grouped by severity, then a summary.
func renderTable(w io.Writer, r *Report) error {
	ko := r.Lang == "ko"
	t := func(en, k string) string {
		if ko {
			return k
		}
		return en
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s — %s\n\n", t("Posture audit of account", "계정 보안 점검:"), r.Account, r.CollectedAt.UTC().Format("2006-01-02 15:04 UTC"))
	b.WriteString(t("Prevention practices", "예방 수칙") + "\n")
	tw := ui.NewTabWriter(&b)
	for _, p := range Practices {
		checks := map[string]finding.Status{} // worst status of each check of the practice
		for _, f := range r.Findings {
			if f.Attributes["practice"] != string(p) {
				continue
			}
			if cur, ok := checks[f.RuleID]; !ok || statusOrder[f.Status] < statusOrder[cur] {
				checks[f.RuleID] = f.Status
			}
		}
		var fail, unknown int
		for _, st := range checks {
			switch st {
			case finding.Fail:
				fail++
			case finding.Unknown:
				unknown++
			}
		}
		total := len(checks)
		mark := "ok  "
		switch {
		case fail > 0:
			mark = "FAIL"
		case unknown > 0:
			mark = "??  "
		case total == 0:
			mark = "-   "
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d/%d %s\t%d %s\n", mark, PracticeTitle[p].In(r.Lang), fail, total, t("checks failing", "점검 실패"), unknown, t("unknown", "알 수 없음"))
	}
	tw.Flush()
	for sev := finding.Critical; sev >= finding.Info; sev-- {
		var rows []finding.Finding
		for _, f := range r.Findings {
			if f.Severity == sev && f.Status != finding.Pass {
				rows = append(rows, f)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s\n", strings.ToUpper(sev.String()))
		tw := ui.NewTabWriter(&b)
		perCheck := map[string]int{}
		shown := map[string]int{}
		collapsed := collapseRegions(rows, r.Lang)
		for _, f := range collapsed {
			perCheck[f.RuleID+string(f.Status)]++
		}
		for _, f := range collapsed {
			// A check failing on many resources shows a few and counts the rest, so one noisy
			// check does not bury the others; every finding is in the other formats.
			k := f.RuleID + string(f.Status)
			if n := perCheck[k]; n > 5 {
				shown[k]++
				if shown[k] > 3 {
					if shown[k] == 4 {
						fmt.Fprintf(tw, "  %s\t%s\t…\t%s\n", strings.ToUpper(string(f.Status)), f.RuleID, fmt.Sprintf(t("and %d more (--output json lists them all)", "외 %d건 (--output json에 모두 있음)"), n-3))
					}
					continue
				}
			}
			detail := f.Detail.In(r.Lang)
			if detail == "" {
				detail = f.Title.In(r.Lang)
			}
			if f.Status == finding.Muted {
				detail += " [" + t("muted", "음소거") + ": " + f.MuteReason + "]"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", strings.ToUpper(string(f.Status)), f.RuleID, dash(f.Region), oneLine(detail))
		}
		tw.Flush()
		seen := map[string]bool{}
		for _, f := range rows {
			if f.Status == finding.Fail && !seen[f.RuleID] {
				seen[f.RuleID] = true
				fmt.Fprintf(&b, "    → %s: %s\n", f.RuleID, f.Remediation.In(r.Lang))
			}
		}
	}
	c := Counts(r.Findings)
	checks := map[string]bool{}
	for _, f := range r.Findings {
		checks[f.RuleID] = true
	}
	fmt.Fprintf(&b, "\n%d %s: %d %s, %d %s, %d %s, %d %s\n", len(checks), t("checks", "개 점검"), c[finding.Fail], t("failing", "실패"),
		c[finding.Unknown], t("unknown", "알 수 없음"), c[finding.Muted], t("muted", "음소거"), c[finding.Pass], t("passing", "통과"))
	if len(r.Partial) > 0 {
		fmt.Fprintf(&b, "\n%s\n", t("Partial: these reads failed, so some checks are unknown:", "일부만 수집됨: 다음 읽기가 실패해 일부 점검을 알 수 없습니다:"))
		for _, p := range slices.Compact(slices.Sorted(slices.Values(r.Partial))) {
			fmt.Fprintf(&b, "  - %s\n", p)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// collapseRegions folds the account-level findings of one check and status that differ only
// by region (GuardDuty, Config, Security Hub in 17 regions) into one row listing the regions.
func collapseRegions(rows []finding.Finding, lang string) []finding.Finding {
	type key struct {
		rule   string
		status finding.Status
	}
	groups := map[key][]finding.Finding{}
	for _, f := range rows {
		if f.Region != "" && f.ResourceType == "AwsAccount" && f.Status != finding.Muted {
			k := key{f.RuleID, f.Status}
			groups[k] = append(groups[k], f)
		}
	}
	var out []finding.Finding
	done := map[key]bool{}
	for _, f := range rows {
		k := key{f.RuleID, f.Status}
		g := groups[k]
		if len(g) < 2 || f.Region == "" || f.ResourceType != "AwsAccount" || f.Status == finding.Muted {
			out = append(out, f)
			continue
		}
		if done[k] {
			continue
		}
		done[k] = true
		var regions []string
		for _, x := range g {
			regions = append(regions, x.Region)
		}
		m := f
		m.Region = fmt.Sprintf("%d regions", len(g))
		if lang == "ko" {
			m.Region = fmt.Sprintf("%d개 리전", len(g))
		}
		m.Detail = finding.Text{En: f.Title.En + " — not in: " + strings.Join(regions, ", "), Ko: f.Title.In("ko") + " — 해당 안 됨: " + strings.Join(regions, ", ")}
		if f.Status == finding.Unknown {
			m.Detail = finding.Text{En: f.Detail.En + " (and " + fmt.Sprint(len(g)-1) + " more regions: " + strings.Join(regions, ", ") + ")", Ko: f.Detail.In("ko") + " (" + strings.Join(regions, ", ") + ")"}
		}
		out = append(out, m)
	}
	return out
}
