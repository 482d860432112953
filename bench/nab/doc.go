// Command nab runs the cost detector's baseline in streaming mode over a Numenta Anomaly
// Benchmark corpus (by default realAWSCloudwatch) from a NAB checkout and scores it with NAB's
// standard profile, printing per-file and normalised corpus scores next to NAB's published
// scoreboard. It ships and generates no NAB data: point it at a checkout.
//
//	go run ./bench/nab -nab /path/to/NAB [-corpus realAWSCloudwatch] [-two-sided]
//
// It must not ship or fetch NAB data, nor tune the detector to the labels: the parameters
// are fixed in internal/cost/nab.DefaultParams before the run.
package main
