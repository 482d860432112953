package jsonx

import "golang.org/x/sys/cpu"

//go:noescape
func stage1AVX2(src *byte, blocks int, dst *rawBlock, state *[2]uint64)

var haveAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasPCLMULQDQ

// stage1 fills dst[i] with the structural bitmaps of src's i-th 64-byte block (len(src) is
// len(dst)*64), starting from the carried state, and returns the state after.
func stage1(src []byte, dst []rawBlock, esc, inStr uint64) (uint64, uint64) {
	if len(dst) == 0 {
		return esc, inStr
	}
	if haveAVX2 {
		st := [2]uint64{esc, inStr}
		stage1AVX2(&src[0], len(dst), &dst[0], &st)
		return st[0], st[1]
	}
	return stage1Generic(src, dst, esc, inStr)
}
