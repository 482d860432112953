package detect

import (
	"regexp"

	"github.com/accountguard/accountguard/internal/finding"
)

// Private keys in PEM or OpenSSH armour. The body must be long enough to be a key: empty
// or "..." bodies in documentation are not findings. The redacted value shows the body.
var privateKeyRe = regexp.MustCompile(`-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----((?:\\r|\\n|[\sA-Za-z0-9+/=:,\-])*?)-----END `)

var b64Body = regexp.MustCompile(`[A-Za-z0-9+/=]`)

func findPrivateKeys(w []byte) []Match {
	var out []Match
	for _, l := range privateKeyRe.FindAllSubmatchIndex(w, -1) {
		body := w[l[4]:l[5]]
		n := len(b64Body.FindAll(body, -1))
		if n < 64 {
			continue
		}
		var clean []byte
		for _, b := range body {
			if isB64(b) || b == '=' {
				clean = append(clean, b)
			}
		}
		out = append(out, Match{Start: l[0], End: l[1], Secret: NewSecret(string(clean)), Confidence: High, Note: string(w[l[2]:l[3]])})
	}
	return out
}

func init() {
	Register(&Detector{
		ID:            "private-key",
		Title:         finding.Text{En: "Private key", Ko: "개인 키"},
		Severity:      finding.High,
		ExactKeywords: []string{"PRIVATE KEY"},
		Window:        8192,
		Find:          findPrivateKeys,
		TruePositives: []string{
			"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi3ZOwhJ4yrRtk1MFuY1w8uWOc0\nq6Zb4HYVxN2lTw0xsKjVtBr9wD8ZJxT4bGk0cU1xq8mH3yR5fLdQ2p7n9vWbE4tA\n-----END RSA PRIVATE KEY-----\n",
			"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACBJbm9yZSB0aGlzIGl0IGlzIGEgdGVzdCBzYW1wbGUgb25seS4uLi4uAAAA\n-----END OPENSSH PRIVATE KEY-----",
			`"key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvuNMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ\n-----END PRIVATE KEY-----\n"`,
		},
		FalsePositives: []string{
			"-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
			"-----BEGIN PRIVATE KEY-----\n<your key here>\n-----END PRIVATE KEY-----",
			`const header = "-----BEGIN PRIVATE KEY-----"`,
			"-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmwIDAQAB\n-----END PUBLIC KEY-----",
		},
	})
}
