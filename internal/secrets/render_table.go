package secrets

import (
	"fmt"
	"io"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/ui"
)

// RenderTable writes one row per finding that fails (muted ones are counted below the table).
func RenderTable(w io.Writer, fs []finding.Finding, lang string) error {
	failing := 0
	for _, f := range fs {
		if f.Status == finding.Fail {
			failing++
		}
	}
	if failing == 0 { // a header over no rows reads like a broken table
		msg := "No leaked secrets found.\n"
		if lang == "ko" {
			msg = "유출된 비밀 정보를 찾지 못했습니다.\n"
		}
		if _, err := io.WriteString(w, msg); err != nil {
			return err
		}
	}
	tw := ui.NewTabWriter(w)
	if failing == 0 {
		tw = ui.NewTabWriter(io.Discard)
	}
	fmt.Fprintln(tw, "SEVERITY\tDETECTOR\tSECRET\tACCOUNT\tLOCATION\tINTRODUCED\tCONFIDENCE\tSTATUS")
	muted := 0
	for _, f := range fs {
		if f.Status != finding.Fail {
			muted++
			continue
		}
		a := f.Attributes
		loc := a["path"] + ":" + a["line"]
		intro := "-"
		if c := a["commit"]; c != "" {
			intro = c[:min(10, len(c))] + " " + a["date"][:min(10, len(a["date"]))] + " " + a["author"]
		}
		acct := f.Account
		if acct == "" {
			acct = "-"
		}
		status := "leaked"
		if v := a["verified"]; v != "" {
			status = v
		}
		if a["mine"] == "true" {
			status += ", mine: " + a["owner"] + " (" + a["key_status"] + ")"
			if a["quarantined"] == "true" {
				status += ", quarantined"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Severity, f.RuleID, a["redacted"], acct, loc, intro, a["confidence"], status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if muted > 0 {
		if lang == "ko" {
			_, err := fmt.Fprintf(w, "\n예시, 허용 주석 또는 베이스라인으로 제외된 항목 %d개 (--output json에 표시)\n", muted)
			return err
		}
		_, err := fmt.Fprintf(w, "\n%d more muted (documentation examples, %s comments, baseline); see --output json\n", muted, AllowMarker)
		return err
	}
	return nil
}
