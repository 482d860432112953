package audit

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/accountguard/accountguard/internal/finding"
)

// Report is what the renderers write: the findings of one audit and where they come from.
type Report struct {
	Account     string
	CollectedAt time.Time
	Tool        string // "accountguard v1.2.3"
	Lang        string // "en" or "ko"
	// Region is where ASFF findings will be imported (their ProductArn); default us-east-1.
	Region   string
	Findings []finding.Finding
	// Partial lists collection failures (one line each), so the reader knows why checks are unknown.
	Partial []string
}

// Formats are the --output values audit supports.
var Formats = []string{"table", "json", "csv", "ocsf", "asff", "markdown"}

// Render writes the report in format.
func Render(w io.Writer, format string, r *Report) error {
	sortFindings(r.Findings)
	switch format {
	case "table":
		return renderTable(w, r)
	case "json":
		return renderJSON(w, r)
	case "csv":
		return renderCSV(w, r)
	case "ocsf":
		return renderOCSF(w, r)
	case "asff":
		return renderASFF(w, r)
	case "markdown":
		return renderMarkdown(w, r)
	}
	return fmt.Errorf("unknown output format %q (want one of %v)", format, Formats)
}

var statusOrder = map[finding.Status]int{finding.Fail: 0, finding.Unknown: 1, finding.Muted: 2, finding.Pass: 3}

// sortFindings orders by severity (highest first), then failing before unknown, muted and
// passing, then check and resource, so every format lists the same order.
func sortFindings(fs []finding.Finding) {
	slices.SortStableFunc(fs, func(a, b finding.Finding) int {
		return cmp.Or(cmp.Compare(b.Severity, a.Severity), cmp.Compare(statusOrder[a.Status], statusOrder[b.Status]),
			cmp.Compare(a.RuleID, b.RuleID), cmp.Compare(a.Region, b.Region), cmp.Compare(a.Resource, b.Resource))
	})
}

// Counts tallies findings by status.
func Counts(fs []finding.Finding) map[finding.Status]int {
	m := map[finding.Status]int{}
	for _, f := range fs {
		m[f.Status]++
	}
	return m
}

func refID(f finding.Finding, standard string) string {
	for _, r := range f.References {
		if r.Standard == standard {
			return r.ID
		}
	}
	return ""
}

func refIDs(f finding.Finding, standard string) []string {
	var out []string
	for _, r := range f.References {
		if r.Standard == standard {
			out = append(out, r.ID)
		}
	}
	return out
}
