// Package sigma loads Sigma rules (the community detection format, github.com/SigmaHQ/sigma-
// specification) and compiles them once into matchers over CloudTrail events, whose field
// names are CloudTrail's dotted paths. A Set evaluates every rule against an event in one
// call, offering each event only to the rules its eventName can satisfy.
//
// Supported: selections as field maps (AND), lists of maps (OR) and keyword lists; value
// lists; null; wildcards; the modifiers contains, startswith, endswith, all, re (with i, m,
// s), cidr, exists, fieldref, cased, base64, base64offset, lt, lte, gt, gte; conditions with
// and, or, not, parentheses, `1 of`/`all of` a pattern or `them`. A rule that needs anything
// else (aggregations, correlations, utf16/wide, windash …) fails to compile with an error
// naming the rule and the feature, and the caller skips it. The engine is hand-written
// because no maintained Go Sigma library evaluates rules against JSON records at the speed
// the trail reader needs (the Go ports either convert to backend queries or unmarshal each
// event into maps). It must not read files itself beyond the fs.FS it is given.
package sigma
