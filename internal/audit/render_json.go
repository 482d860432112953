package audit

import (
	"io"

	"github.com/accountguard/accountguard/internal/finding"
)

// renderJSON writes the findings as accountguard's own JSON array (finding.Finding).
func renderJSON(w io.Writer, r *Report) error {
	b, err := finding.JSON(r.Findings)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
