// Package jsonx is a small, allocation-free JSON scanner for CloudTrail records: it finds
// where a value ends, walks an object's keys and an array's elements, and unescapes strings,
// all on byte slices without building a tree.
//
// It is hand-written rather than using encoding/json or a third-party parser because the
// trail reader must locate every record and its few rule-relevant fields at close to gunzip
// speed: encoding/json decodes everything (measured in bench/trail at under a third of the
// gunzip rate) and jsonparser re-scans from the start for every field looked up. It does not
// validate a document fully: malformed input yields an error or odd values, never a panic,
// and callers treat a record without CloudTrail's fields as not a record.
//
// Structure is the fast path: simdjson's first stage (bitmaps of quotes, backslashes and
// brackets outside strings, 64 bytes at a time) in AVX2 assembly on amd64, so that skipping
// a string or a nested value costs a bit search rather than a look at each byte. No served
// Go library exposes that stage alone (minio/simdjson-go builds a whole tape, with copies).
package jsonx
