// Package nab evaluates the cost detector's baseline on the Numenta Anomaly Benchmark: it
// reads a NAB checkout's data files and labelled windows, runs the detector in streaming mode
// (each point judged only on the points before it), and scores the detections with NAB's
// scoring (windows, scaled sigmoid, cost-matrix profiles, probationary period, normalisation
// between the null and the perfect detector), as numenta/NAB's sweeper.py and runner.py do.
//
// The scorer is written here because NAB's is Python only; it must stay faithful to NAB's
// code rather than improve on it, so scores compare with NAB's published scoreboard. The
// package ships no NAB data (the benchmark is read from a checkout the user provides).
package nab
