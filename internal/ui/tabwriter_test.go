package ui

import (
	"bytes"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/rivo/uniseg"
)

// For ASCII the output equals text/tabwriter's (padding 2, spaces), including column blocks
// broken by a line without cells.
func TestTabWriterMatchesTextTabwriterOnASCII(t *testing.T) {
	in := "NAME\tTYPE\tNOTE\nweb-1\tt3.medium\tok\n\nnot a row\nx\ty\nlonger-name\tz\tlast cell is not padded\n"
	var want, got bytes.Buffer
	tw := tabwriter.NewWriter(&want, 0, 0, 2, ' ', 0)
	tw.Write([]byte(in))
	tw.Flush()
	ours := NewTabWriter(&got)
	ours.Write([]byte(in))
	ours.Flush()
	if got.String() != want.String() {
		t.Fatalf("got\n%q\nwant\n%q", got.String(), want.String())
	}
}

// Wide characters count twice, so the second column starts at the same display column.
func TestTabWriterAlignsKorean(t *testing.T) {
	var b bytes.Buffer
	tw := NewTabWriter(&b)
	tw.Write([]byte("사용자\t콘솔\nbackup_old\tX\n"))
	tw.Flush()
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	col := func(l, cell string) int { return uniseg.StringWidth(l[:strings.Index(l, cell)]) }
	if a, c := col(lines[0], "콘솔"), col(lines[1], "X"); a != c {
		t.Fatalf("columns at %d and %d:\n%s", a, c, b.String())
	}
}
