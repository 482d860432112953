package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/accountguard/accountguard/internal/cost/nab"
)

// scoreboard is NAB's published standard-profile scores over its whole corpus (README).
var scoreboard = []struct {
	name  string
	score float64
}{{"Numenta HTM", 70.5}, {"Random Cut Forest", 51.7}, {"Twitter ADVec", 47.1}, {"Etsy Skyline", 35.7}}

func main() {
	dir := flag.String("nab", "", "NAB checkout (with data/ and labels/combined_windows.json)")
	corpus := flag.String("corpus", "realAWSCloudwatch", "folder under data/ to run on; \"all\" for every folder")
	twoSided := flag.Bool("two-sided", false, "also flag drops (the cost detector flags rises only)")
	threshold := flag.Float64("threshold", 0.5, "anomaly score at or above which a point is a detection")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "nab: -nab DIR is required (a checkout of the Numenta Anomaly Benchmark)")
		os.Exit(2)
	}
	if err := run(*dir, *corpus, *twoSided, *threshold); err != nil {
		fmt.Fprintln(os.Stderr, "nab:", err)
		os.Exit(1)
	}
}

func run(dir, corpus string, twoSided bool, threshold float64) error {
	windows, err := nab.ReadWindows(filepath.Join(dir, "labels", "combined_windows.json"))
	if err != nil {
		return err
	}
	var files []string
	for f := range windows {
		if corpus == "all" || strings.HasPrefix(f, corpus+"/") {
			files = append(files, f)
		}
	}
	slices.Sort(files)
	if len(files) == 0 {
		return fmt.Errorf("no labelled files under data/%s in %s", corpus, dir)
	}
	p := nab.DefaultParams
	p.TwoSided = twoSided
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "file\tpoints\twindows\tdetections\tTP\tFP\tFN\traw\tnormalised\t")
	var raw, null, perfect float64
	for _, f := range files {
		ts, vs, err := nab.ReadDataFile(filepath.Join(dir, "data", f))
		if err != nil {
			return err
		}
		scores := nab.Stream(vs, p)
		fs, err := nab.ScoreFile(ts, scores, windows[f], threshold, nab.Standard)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		raw, null, perfect = raw+fs.Score, null+fs.Null, perfect+fs.Perfect
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.3f\t%.1f\t\n", f, len(ts), fs.Windows, fs.Detected, fs.TP, fs.FP, fs.FN, fs.Score, nab.Normalized(fs.Score, fs.Null, fs.Perfect))
	}
	tw.Flush()
	sides := "rises only"
	if twoSided {
		sides = "rises and drops"
	}
	fmt.Printf("\n%s, %d files, standard profile, streaming (%s): normalised score %.1f (raw %.3f, null %.1f, perfect %.1f)\n",
		corpus, len(files), sides, nab.Normalized(raw, null, perfect), raw, null, perfect)
	fmt.Println("NAB scoreboard, standard profile, whole corpus (published):")
	for _, s := range scoreboard {
		fmt.Printf("  %-18s %5.1f\n", s.name, s.score)
	}
	return nil
}
