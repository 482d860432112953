package secrets

import (
	"os"
	"testing"

	"github.com/accountguard/accountguard/internal/secrets/detect"
)

// BenchmarkScanPacks reads the packs of the repository named by ACCOUNTGUARD_BENCH_REPO
// (bench/secrets.sh generates one); the end-to-end comparison with gitleaks is that script.
func BenchmarkScanPacks(b *testing.B) {
	repo := os.Getenv("ACCOUNTGUARD_BENCH_REPO")
	if repo == "" {
		b.Skip("set ACCOUNTGUARD_BENCH_REPO to a git repository")
	}
	e := detect.NewEngine(nil)
	for b.Loop() {
		ps, err := scanPacks(b.Context(), repo, e, 2, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(ps.bytes)
	}
}

// BenchmarkScanGit is the whole history scan of ACCOUNTGUARD_BENCH_REPO.
func BenchmarkScanGit(b *testing.B) {
	repo := os.Getenv("ACCOUNTGUARD_BENCH_REPO")
	if repo == "" {
		b.Skip("set ACCOUNTGUARD_BENCH_REPO to a git repository")
	}
	for b.Loop() {
		if _, err := ScanGit(b.Context(), repo, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
