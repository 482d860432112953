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
	if e.idShared && e.idMemo {
		return e.identity
	}
	id := e.readIdentity()
	if e.idShared {
		e.identity, e.idMemo = id, true
	}
	return id
}

func (e *Event) readIdentity() Identity {
	var id Identity
	raw := e.Top(UserIdentity)
	if len(raw) == 0 || raw[0] != '{' {
		return id
	}
	str := func(v []byte, plain bool) []byte {
		if plain {
			return v[1 : len(v)-1]
		}
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
			id.Type = str(p.val, p.plain)
		case "arn":
			id.ARN = str(p.val, p.plain)
		case "accessKeyId":
			id.AccessKeyID = str(p.val, p.plain)
		case "userName":
			id.UserName = str(p.val, p.plain)
		case "principalId":
			id.PrincipalID = str(p.val, p.plain)
		case "accountId":
			id.AccountID = str(p.val, p.plain)
		case "invokedBy":
			id.InvokedBy = str(p.val, p.plain)
		}
	}
	return id
}
