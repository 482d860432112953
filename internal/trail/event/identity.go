package event

import "github.com/accountguard/accountguard/internal/trail/jsonx"

// Identity is the part of userIdentity every detector needs, read in one pass over it.
// The byte slices alias the record (or the event's scratch space when unescaped).
type Identity struct {
	Type, ARN, AccessKeyID, UserName, PrincipalID, AccountID, InvokedBy []byte
	IssuerARN                                                           []byte // sessionContext.sessionIssuer.arn
}

// Identity reads userIdentity's main fields.
func (e *Event) Identity() Identity {
	var id Identity
	raw := e.Top(UserIdentity)
	if len(raw) == 0 || raw[0] != '{' {
		return id
	}
	str := func(v []byte) []byte {
		if len(v) == 0 || v[0] != '"' {
			return nil
		}
		s, ok := jsonx.Unquote(v, nil)
		if !ok {
			return nil
		}
		return s
	}
	_ = jsonx.ObjectEach(raw, func(k, v []byte) bool {
		switch string(k[1 : len(k)-1]) {
		case "type":
			id.Type = str(v)
		case "arn":
			id.ARN = str(v)
		case "accessKeyId":
			id.AccessKeyID = str(v)
		case "userName":
			id.UserName = str(v)
		case "principalId":
			id.PrincipalID = str(v)
		case "accountId":
			id.AccountID = str(v)
		case "invokedBy":
			id.InvokedBy = str(v)
		case "sessionContext":
			if len(v) > 0 && v[0] == '{' {
				_ = jsonx.ObjectEach(v, func(k2, v2 []byte) bool {
					if string(k2) == `"sessionIssuer"` && len(v2) > 0 && v2[0] == '{' {
						_ = jsonx.ObjectEach(v2, func(k3, v3 []byte) bool {
							if string(k3) == `"arn"` {
								id.IssuerARN = str(v3)
								return false
							}
							return true
						})
						return false
					}
					return true
				})
			}
		}
		return true
	})
	return id
}
