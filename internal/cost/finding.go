package cost

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/accountguard/accountguard/internal/finding"
)

var resourceHijacking = finding.Reference{Standard: "MITRE ATT&CK", ID: "T1496", URL: "https://attack.mitre.org/techniques/T1496/"}

// Severity grades an anomaly: Critical when it is thousands of dollars at five times the
// usual or more, High for hundreds of dollars or spend in a region never used, else Medium.
func (a Anomaly) Severity() finding.Severity {
	switch {
	case a.Impact >= 1000 && a.Actual >= 5*a.Expected:
		return finding.Critical
	case a.Impact >= 250 || len(a.NewRegions) > 0:
		return finding.High
	}
	return finding.Medium
}

// Money formats an amount as "$1,234.56" (or with the currency code when it is not USD).
func Money(v float64, currency string) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := strconv.FormatFloat(v, 'f', 2, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String() + "." + frac
	if currency == "" || currency == "USD" {
		out = "$" + out
	} else {
		out += " " + currency
	}
	if neg {
		out = "-" + out
	}
	return out
}

// Finding turns an anomaly into the one Finding type, with the explanation as evidence.
func (a Anomaly) Finding(account string) finding.Finding {
	top := "the total"
	var topKey Key
	if len(a.Contributors) > 0 {
		top, topKey = a.Contributors[0].Description, a.Contributors[0].Key
	}
	start := a.Start.Format(DayLayout)
	days := fmt.Sprintf("%d day", a.Days)
	daysKo := fmt.Sprintf("%d일", a.Days)
	if a.Days > 1 {
		days += "s"
	}
	impact := Money(a.Impact, a.Currency)
	f := finding.Finding{
		ID:       finding.StableID("cost", a.RuleID, account, start, topKey.Service, topKey.Region, topKey.UsageType),
		RuleID:   a.RuleID,
		Source:   "cost",
		Severity: a.Severity(),
		Status:   finding.Fail,
		Account:  account,
		Region:   topKey.Region,
		Time:     a.Start,
		Title: finding.Text{
			En: fmt.Sprintf("Cost anomaly: %s above expected over %s from %s, led by %s", impact, days, start, top),
			Ko: fmt.Sprintf("비용 이상: %s부터 %s 동안 예상보다 %s 많음, 주요 원인 %s", start, daysKo, impact, top),
		},
		Detail: finding.Text{
			En: fmt.Sprintf("Spent %s where %s was expected. Month to date %s; at the current daily rate the month ends at %s.",
				Money(a.Actual, a.Currency), Money(a.Expected, a.Currency), Money(a.MonthToDate, a.Currency), Money(a.ProjectedMonthEnd, a.Currency)),
			Ko: fmt.Sprintf("예상 %s 대비 %s 지출. 이번 달 누계 %s, 현재 일일 속도라면 월말 %s.",
				Money(a.Expected, a.Currency), Money(a.Actual, a.Currency), Money(a.MonthToDate, a.Currency), Money(a.ProjectedMonthEnd, a.Currency)),
		},
		References: []finding.Reference{resourceHijacking},
		Remediation: finding.Text{
			En: "Find who launched the resources behind the top contributors (accountguard trail), stop them and the key that made them, and keep alerts on with `accountguard cost budget`.",
			Ko: "주요 원인 리소스를 만든 주체를 찾고(accountguard trail) 리소스와 해당 키를 중지한 뒤, `accountguard cost budget`으로 알림을 켜 두세요.",
		},
		Actions: []string{"TerminateInstances", "DeactivateAccessKey", "CreateBudget"},
		Attributes: map[string]string{
			"impact":              fmt.Sprintf("%.2f", a.Impact),
			"actual":              fmt.Sprintf("%.2f", a.Actual),
			"expected":            fmt.Sprintf("%.2f", a.Expected),
			"currency":            a.Currency,
			"start":               start,
			"end":                 a.End.Format(DayLayout),
			"month_to_date":       fmt.Sprintf("%.2f", a.MonthToDate),
			"projected_month_end": fmt.Sprintf("%.2f", a.ProjectedMonthEnd),
		},
	}
	if a.Estimated {
		f.Attributes["estimated"] = "true" // some days may still be revised by AWS
	}
	if len(a.NewRegions) > 0 {
		f.Attributes["new_regions"] = strings.Join(a.NewRegions, ",")
	}
	if len(a.Principals) > 0 {
		f.Principal = a.Principals[0]
		f.Attributes["principals"] = strings.Join(a.Principals, ",")
	}
	if a.AttributionError != "" {
		f.Attributes["attribution_error"] = a.AttributionError
	}
	for _, c := range a.Contributors {
		f.Evidence = append(f.Evidence, finding.Evidence{Kind: "cost", Ref: start,
			Detail: fmt.Sprintf("%s: %s (expected %s)", c.Description, Money(c.Actual, a.Currency), Money(c.Expected, a.Currency))})
	}
	return f
}

// Findings converts every anomaly.
func Findings(as []Anomaly, account string) []finding.Finding {
	out := make([]finding.Finding, 0, len(as))
	for _, a := range as {
		out = append(out, a.Finding(account))
	}
	return out
}

// UnknownFinding says the cost could not be read (AccessDenied, no data): status unknown,
// never a pass.
func UnknownFinding(account string, err error) finding.Finding {
	return finding.Finding{
		ID:       finding.StableID("cost", "cost.collect", account),
		RuleID:   "cost.collect",
		Source:   "cost",
		Severity: finding.Medium,
		Status:   finding.Unknown,
		Account:  account,
		Title:    finding.Text{En: "Cost data could not be read", Ko: "비용 데이터를 읽을 수 없음"},
		Detail:   finding.Text{En: err.Error(), Ko: err.Error()},
		Remediation: finding.Text{
			En: "Allow ce:GetCostAndUsage for the caller, or pass Cost and Usage Report files with --cur.",
			Ko: "호출자에게 ce:GetCostAndUsage 권한을 주거나 --cur로 비용 및 사용 보고서 파일을 지정하세요.",
		},
	}
}
