// Package detect owns the secret detectors: a registry of detectors (one file per family,
// each with its own true- and false-positive samples), the keyword prefilter that runs before
// any regular expression, the Secret type that redacts itself wherever it is printed, and the
// offline decoding of the AWS account ID from an access key ID. It works on bytes only: it
// must not read files, run git, call AWS or render output.
//
// The keyword prefilter is a small hand-written Aho-Corasick automaton over case-folded bytes
// (prefilter.go): the Go Aho-Corasick ports that are fast enough publish no tagged releases,
// and a byte-table DFA is a few dozen lines. Detectors' regular expressions run only on a
// window around a keyword hit, never over a whole file.
//
// Account ID from an access key ID: the 16 characters after the four-character prefix are
// RFC 4648 base32; decoded, bits 1..40 of the first six bytes (mask 0x7fffffffff80, shifted
// right by 7) are the 12-digit account ID. Method published by Tal Be'ery, "A short note on
// AWS KEY ID" (2023, https://medium.com/@TalBeerySec/a-short-note-on-aws-key-id-f88cc4317489),
// and used by trufflehog (pkg/detectors/aws, GetAccountNumFromAWSID). It is only meaningful
// for key IDs whose suffix is base32 (the documented alphabet A-Z, 2-7).
package detect
