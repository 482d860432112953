package simtest_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/awssim/simtest"
)

// A test may close the simulator early; the cleanup's Close after it must not block.
func TestStartClosedTwice(t *testing.T) {
	r := simtest.Start(t, "empty", awssim.Options{})
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestNewExportTrail(t *testing.T) {
	srv := simtest.New(t, "leaked-key", awssim.Options{})
	dir, files := simtest.ExportTrail(t, srv.Trail())
	if len(files) == 0 {
		t.Fatal("leaked-key exported no files")
	}
	for _, f := range files {
		if rel, err := filepath.Rel(dir, f); err != nil || !strings.HasPrefix(filepath.ToSlash(rel), "AWSLogs/") {
			t.Fatalf("%s is not in the export layout under %s", f, dir)
		}
	}
}
