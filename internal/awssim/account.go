package awssim

import "regexp"

// Account alternate contacts (REST-JSON, global).

func init() {
	route("account", "POST", "/getAlternateContact", "GetAlternateContact", "")
	route("account", "POST", "/putAlternateContact", "PutAlternateContact", "")
	route("account", "POST", "/deleteAlternateContact", "DeleteAlternateContact", "")
	register("account", "GetAlternateContact", acctGetAlternateContact)
	register("account", "PutAlternateContact", acctPutAlternateContact)
	register("account", "DeleteAlternateContact", acctDeleteAlternateContact)
}

func contactType(c *Call) (string, error) {
	t := c.Str("AlternateContactType")
	switch t {
	case "BILLING", "OPERATIONS", "SECURITY":
		return t, nil
	}
	return "", errorf(400, "ValidationException", "1 validation error detected: Value '%s' at 'alternateContactType' failed to satisfy constraint: Member must satisfy enum value set: [SECURITY, OPERATIONS, BILLING]", t)
}

func contactNotFound() error {
	return errorf(404, "ResourceNotFoundException", "No contact of the inputted alternate contact type found.")
}

func acctGetAlternateContact(c *Call) (any, error) {
	t, err := contactType(c)
	if err != nil {
		return nil, err
	}
	ct := c.Account.posture().Contacts[t]
	if ct == nil {
		return nil, contactNotFound()
	}
	return map[string]any{"AlternateContact": map[string]any{"AlternateContactType": t, "EmailAddress": ct.Email, "Name": ct.Name, "PhoneNumber": ct.Phone, "Title": ct.Title}}, nil
}

var emailRE = regexp.MustCompile(`^[\s]*[\w+=.#|!&-]{1,64}@[\w.-]{1,253}\.[\w]{2,}[\s]*$`)

func acctPutAlternateContact(c *Call) (any, error) {
	t, err := contactType(c)
	if err != nil {
		return nil, err
	}
	ct := &Contact{Name: c.Str("Name"), Title: c.Str("Title"), Email: c.Str("EmailAddress"), Phone: c.Str("PhoneNumber")}
	for field, v := range map[string]string{"name": ct.Name, "title": ct.Title, "emailAddress": ct.Email, "phoneNumber": ct.Phone} {
		if v == "" {
			return nil, errorf(400, "ValidationException", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
		}
	}
	if !emailRE.MatchString(ct.Email) {
		return nil, errorf(400, "ValidationException", "1 validation error detected: Value at 'emailAddress' failed to satisfy constraint: Member must satisfy regular expression pattern")
	}
	c.Account.posture().Contacts[t] = ct
	c.TrailRequest = map[string]any{"alternateContactType": t, "name": "HIDDEN_DUE_TO_SECURITY_REASONS", "emailAddress": "HIDDEN_DUE_TO_SECURITY_REASONS", "phoneNumber": "HIDDEN_DUE_TO_SECURITY_REASONS", "title": "HIDDEN_DUE_TO_SECURITY_REASONS"}
	return map[string]any{}, nil
}

func acctDeleteAlternateContact(c *Call) (any, error) {
	t, err := contactType(c)
	if err != nil {
		return nil, err
	}
	ps := c.Account.posture()
	if ps.Contacts[t] == nil {
		return nil, contactNotFound()
	}
	delete(ps.Contacts, t)
	return map[string]any{}, nil
}
