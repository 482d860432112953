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
	ix := e.index(raw)
	for _, p := range e.kvs[ix.kvs0:ix.kvs1] {
		switch string(p.key) {
		case "type":
			id.Type = str(p.val)
		case "arn":
			id.ARN = str(p.val)
		case "accessKeyId":
			id.AccessKeyID = str(p.val)
		case "userName":
			id.UserName = str(p.val)
		case "principalId":
			id.PrincipalID = str(p.val)
		case "accountId":
			id.AccountID = str(p.val)
		case "invokedBy":
			id.InvokedBy = str(p.val)
		}
	}
	return id
}
