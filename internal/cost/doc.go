// Package cost owns the daily cost series of an account and what is read from it: sources
// (Cost Explorer GetCostAndUsage through aws-sdk-go-v2, with a request count and a file
// cache since every request is billed; Cost and Usage Report CSV files, legacy and 2.0),
// a robust per-line baseline (median/MAD with a Theil–Sen trend and weekly seasonality),
// the detectors (spike over baseline, first spend in a new service or region) registered in
// one registry, and the explanation of each anomaly (dollar impact, top contributors, start
// day, projected month-end bill, and the principals an Attributor names). It emits
// finding.Finding with Source "cost".
//
// It must not change anything in an account (budgets and anomaly monitors are created by the
// budget plan in this package only when the CLI passes an explicit apply), must not render
// terminal output (the cli package does), and must never turn a missing or unreadable number
// into a zero: bad input is an error naming the input, or a day marked unknown.
//
// The statistics (median, MAD, Theil–Sen) are a few dozen lines written here rather than a
// dependency: the well-kept Go statistics libraries (gonum/stat) bring a large module for
// three functions and have no Theil–Sen estimator.
package cost
