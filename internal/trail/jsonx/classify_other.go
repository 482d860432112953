//go:build !amd64

package jsonx

func stage1(src []byte, dst []rawBlock, esc, inStr uint64) (uint64, uint64) {
	return stage1Generic(src, dst, esc, inStr)
}
