package awssim

import "strings"

func init() {
	register("sts", "GetCallerIdentity", stsGetCallerIdentity)
	register("sts", "GetAccessKeyInfo", stsGetAccessKeyInfo)
}

type xmlCallerIdentity struct {
	Arn     string `xml:"Arn"`
	UserId  string `xml:"UserId"`
	Account string `xml:"Account"`
}

func stsGetCallerIdentity(c *Call) (any, error) {
	return xmlCallerIdentity{Arn: c.Identity.ARN, UserId: c.Identity.PrincipalID, Account: c.Identity.AccountID}, nil
}

type xmlAccessKeyInfo struct {
	Account string `xml:"Account"`
}

// stsGetAccessKeyInfo answers with the account a key belongs to, for any well-formed key ID,
// as AWS does (even for keys of other accounts or deleted keys: the account is in the ID).
func stsGetAccessKeyInfo(c *Call) (any, error) {
	id := c.Param("AccessKeyId")
	if len(id) < 16 || len(id) > 128 {
		return nil, validationError("1 validation error detected: Value at 'accessKeyId' failed to satisfy constraint: Member must have length between 16 and 128")
	}
	if acct, ok := AccountFromKeyID(id); ok {
		return xmlAccessKeyInfo{Account: acct}, nil
	}
	return nil, validationError("the access key ID %s is not valid", id)
}

// AccountFromKeyID decodes the account ID from an access key ID (AKIA/ASIA…): base32 of
// the 16 characters after the prefix, first 6 bytes, masked with 0x7fffffffff80, shifted 7.
func AccountFromKeyID(id string) (string, bool) {
	if len(id) < 20 {
		return "", false
	}
	b, err := keyEncoding.DecodeString(strings.ToUpper(id[4:20]))
	if err != nil || len(b) < 6 {
		return "", false
	}
	var z uint64
	for _, x := range b[:6] {
		z = z<<8 | uint64(x)
	}
	acct := (z & 0x7fffffffff80) >> 7
	s := []byte("000000000000")
	digits := []byte(strings.TrimLeft(uintString(acct), ""))
	copy(s[12-len(digits):], digits)
	return string(s), true
}

func uintString(v uint64) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[i:])
}
