#include "textflag.h"

// func stage1AVX2(src *byte, blocks int, dst *rawBlock, state *[2]uint64)
//
// For each 64-byte block of src writes the block's structural bitmaps (see rawBlock and
// refine, which this is byte for byte): bytes are classified 64 at a time with AVX2, then
// escaped quotes are dropped with simdjson's branch-free backslash arithmetic, and the
// in-string mask is the prefix XOR of the quotes, one carry-less multiply by all ones.
// state holds the carries (esc, inStr) in and out. '[' and ']' differ from '{' and '}'
// only in bit 0x20, so one compare after OR 0x20 finds both.
TEXT ·stage1AVX2(SB), NOSPLIT, $0-32
	MOVQ src+0(FP), SI
	MOVQ blocks+8(FP), CX
	MOVQ dst+16(FP), DI
	MOVQ state+24(FP), DX
	TESTQ CX, CX
	JZ done

	MOVQ $0x2222222222222222, AX
	MOVQ AX, X0
	VPBROADCASTQ X0, Y0
	MOVQ $0x5c5c5c5c5c5c5c5c, AX
	MOVQ AX, X1
	VPBROADCASTQ X1, Y1
	MOVQ $0x7b7b7b7b7b7b7b7b, AX
	MOVQ AX, X2
	VPBROADCASTQ X2, Y2
	MOVQ $0x7d7d7d7d7d7d7d7d, AX
	MOVQ AX, X3
	VPBROADCASTQ X3, Y3
	MOVQ $0x2020202020202020, AX
	MOVQ AX, X4
	VPBROADCASTQ X4, Y4
	MOVQ $-1, AX
	MOVQ AX, X10

	MOVQ 0(DX), R10 // esc: 1 when the block's first byte is escaped
	MOVQ 8(DX), R11 // inStr: all ones when the block starts inside a string

loop:
	VMOVDQU (SI), Y5
	VMOVDQU 32(SI), Y6

	VPCMPEQB Y5, Y0, Y7
	VPCMPEQB Y6, Y0, Y8
	VPMOVMSKB Y7, AX
	VPMOVMSKB Y8, BX
	SHLQ $32, BX
	ORQ BX, AX // AX = quotes

	VPCMPEQB Y5, Y1, Y7
	VPCMPEQB Y6, Y1, Y8
	VPMOVMSKB Y7, BX
	VPMOVMSKB Y8, R8
	SHLQ $32, R8
	ORQ R8, BX // BX = backslashes
	MOVQ BX, 8(DI)

	VPOR Y5, Y4, Y5
	VPOR Y6, Y4, Y6

	VPCMPEQB Y5, Y2, Y7
	VPCMPEQB Y6, Y2, Y8
	VPMOVMSKB Y7, R8
	VPMOVMSKB Y8, R9
	SHLQ $32, R9
	ORQ R9, R8 // R8 = opening brackets

	VPCMPEQB Y5, Y3, Y7
	VPCMPEQB Y6, Y3, Y8
	VPMOVMSKB Y7, R9
	VPMOVMSKB Y8, R12
	SHLQ $32, R12
	ORQ R12, R9 // R9 = closing brackets

	// bs := backslashes &^ esc
	MOVQ R10, R12
	NOTQ R12
	ANDQ R12, BX
	// follows := bs<<1 | esc
	LEAQ (BX)(BX*1), R13
	ORQ R10, R13
	// oddStarts := bs &^ evenBits &^ follows
	MOVQ $0xaaaaaaaaaaaaaaaa, R14
	ANDQ BX, R14
	MOVQ R13, R12
	NOTQ R12
	ANDQ R12, R14
	// seq, esc := oddStarts + bs
	ADDQ BX, R14
	MOVQ $0, R10
	ADCQ $0, R10
	// escaped := (evenBits ^ seq<<1) & follows
	SHLQ $1, R14
	MOVQ $0x5555555555555555, R12
	XORQ R12, R14
	ANDQ R13, R14
	// quotes &^= escaped
	NOTQ R14
	ANDQ R14, AX
	MOVQ AX, 0(DI)
	// in := prefixXOR(quotes) ^ inStr; inStr = in >> 63 (arithmetic)
	MOVQ AX, X9
	PCLMULQDQ $0x00, X10, X9
	MOVQ X9, R15
	XORQ R11, R15
	MOVQ R15, R11
	SARQ $63, R11
	// brackets outside strings
	NOTQ R15
	ANDQ R15, R8
	ANDQ R15, R9
	MOVQ R8, 16(DI)
	MOVQ R9, 24(DI)

	ADDQ $64, SI
	ADDQ $32, DI
	DECQ CX
	JNZ loop
	VZEROUPPER
	MOVQ R10, 0(DX)
	MOVQ R11, 8(DX)

done:
	RET
