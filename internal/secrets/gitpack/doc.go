// Package gitpack reads git pack files directly to hand out, for every object, the bytes
// that are new in it: the whole content of an undeltified object, and only the inserted
// literals of a delta (copied ranges are bytes some other object already holds). Reading
// a pack this way touches each new byte of history once, without applying any delta and
// without diffing; it is how accountguard finds which blobs can hold a secret at all.
//
// It must not resolve deltas, scan for secrets or run git: the caller decides what a
// candidate is and reads candidates whole through git itself. It is hand-written because
// the git libraries (go-git) resolve every delta to whole objects, which is the cost this
// package exists to avoid; the formats are git's documented gitformat-pack(5): index v2,
// pack v2/v3 entries, OFS_DELTA and REF_DELTA, and the delta copy/insert opcodes.
package gitpack
