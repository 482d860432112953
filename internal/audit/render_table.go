package audit

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/accountguard/accountguard/internal/finding"
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
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, p := range Practices {
		var fail, unknown, total int
		checks := map[string]bool{}
		for _, f := range r.Findings {
			if f.Attributes["practice"] != string(p) {
				continue
			}
			checks[f.RuleID] = true
			switch f.Status {
			case finding.Fail:
				fail++
			case finding.Unknown:
				unknown++
			}
		}
		total = len(checks)
		mark := "ok  "
		switch {
		case fail > 0:
			mark = "FAIL"
		case unknown > 0:
			mark = "??  "
		case total == 0:
			mark = "-   "
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d %s, %d %s\t(%d %s)\n", mark, PracticeTitle[p].In(r.Lang), fail, t("failing", "실패"), unknown, t("unknown", "알 수 없음"), total, t("checks", "개 점검"))
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
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, f := range rows {
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
