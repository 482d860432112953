package ui

import (
	"bytes"
	"io"
	"strings"

	"github.com/rivo/uniseg"
)

// TabWriter aligns tab-separated cells into columns like text/tabwriter (padding 2, spaces),
// but measures cells by their display width, so Korean (and other wide) text lines up: the
// standard tabwriter counts a Hangul syllable as one column where a terminal draws two.
// As in text/tabwriter, a column is aligned over each run of consecutive lines that have a
// cell in it, and the last cell of a line is not padded.
type TabWriter struct {
	w   io.Writer
	buf bytes.Buffer
}

// NewTabWriter returns a TabWriter writing to w on Flush.
func NewTabWriter(w io.Writer) *TabWriter { return &TabWriter{w: w} }

// Write buffers text until Flush.
func (t *TabWriter) Write(p []byte) (int, error) { return t.buf.Write(p) }

// Flush writes the aligned text.
func (t *TabWriter) Flush() error {
	text := t.buf.String()
	t.buf.Reset()
	trailingNewline := strings.HasSuffix(text, "\n")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if text == "" {
		return nil
	}
	cells := make([][]string, len(lines))
	for i, l := range lines {
		cells[i] = strings.Split(l, "\t")
	}
	// widths[i][c] is the padded width of terminated cell c on line i.
	widths := make([][]int, len(lines))
	for i := range cells {
		widths[i] = make([]int, len(cells[i])-1)
	}
	for c := 0; ; c++ {
		any := false
		for i := 0; i < len(cells); {
			if len(cells[i])-1 <= c {
				i++
				continue
			}
			any = true
			j, w := i, 0
			for ; j < len(cells) && len(cells[j])-1 > c; j++ {
				w = max(w, uniseg.StringWidth(cells[j][c])+2)
			}
			for k := i; k < j; k++ {
				widths[k][c] = w
			}
			i = j
		}
		if !any {
			break
		}
	}
	var out strings.Builder
	for i, row := range cells {
		for c, cell := range row {
			out.WriteString(cell)
			if c < len(row)-1 {
				out.WriteString(strings.Repeat(" ", widths[i][c]-uniseg.StringWidth(cell)))
			}
		}
		if i < len(cells)-1 || trailingNewline {
			out.WriteByte('\n')
		}
	}
	_, err := io.WriteString(t.w, out.String())
	return err
}
