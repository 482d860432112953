package detect

import (
	"encoding/base32"
	"encoding/binary"
	"fmt"
)

// AccountFromKeyID decodes the 12-digit AWS account ID from an access key ID (see the
// package documentation for the method and its source). ok is false when the key ID is not
// 20 characters of a known prefix followed by 16 base32 characters.
func AccountFromKeyID(keyID string) (account string, ok bool) {
	if len(keyID) != 20 || !keyIDPrefix(keyID) {
		return "", false
	}
	raw, err := base32.StdEncoding.DecodeString(keyID[4:])
	if err != nil || len(raw) < 6 {
		return "", false
	}
	var b [8]byte
	copy(b[2:], raw[:6])
	z := binary.BigEndian.Uint64(b[:])
	return fmt.Sprintf("%012d", (z&0x7fffffffff80)>>7), true
}

func keyIDPrefix(k string) bool {
	switch k[:4] {
	case "AKIA", "ASIA", "ABIA", "ACCA":
		return true
	}
	return k[:3] == "A3T" && isUpperAlnum(k[3])
}

func isUpperAlnum(b byte) bool { return 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' }

// KeyIDKind names the kind of credential a key ID prefix denotes (AWS IAM documentation,
// "Unique identifiers": AKIA long-term access key, ASIA temporary STS credential, ABIA
// AWS STS service bearer token, ACCA context-specific credential).
func KeyIDKind(keyID string) string {
	if len(keyID) < 4 {
		return "unknown"
	}
	switch keyID[:4] {
	case "AKIA":
		return "long-term access key"
	case "ASIA":
		return "temporary (STS) access key"
	case "ABIA":
		return "STS service bearer token"
	case "ACCA":
		return "context-specific credential"
	}
	return "access key (A3T prefix)"
}
