package awssim

import (
	"encoding/base64"
	"slices"
	"strings"
)

// EC2 key pairs: DescribeKeyPairs, CreateKeyPair, DeleteKeyPair.

func keyPairXML(kp *KeyPair) xmlKeyPair {
	return xmlKeyPair{ID: kp.ID, Name: kp.Name, Fingerprint: kp.Fingerprint, Type: kp.Type, Created: ec2Time(kp.Created)}
}

func findKeyPair(r *Region, name string) *KeyPair {
	for _, kp := range r.KeyPairs {
		if kp.Name == name {
			return kp
		}
	}
	return nil
}

func ec2DescribeKeyPairs(c *Call, r *Region) (any, error) {
	keys := r.KeyPairs
	names, ids := c.List("KeyName"), c.List("KeyPairId")
	if len(names) > 0 || len(ids) > 0 {
		var picked []*KeyPair
		for _, n := range names {
			kp := findKeyPair(r, n)
			if kp == nil {
				return nil, errorf(400, "InvalidKeyPair.NotFound", "The key pair '%s' does not exist", n)
			}
			picked = append(picked, kp)
		}
		byID, err := ec2Pick(keys, ids, func(k *KeyPair) string { return k.ID }, "key", "key pair", "InvalidKeyPair.NotFound", "InvalidParameterValue")
		if err != nil {
			return nil, err
		}
		for _, kp := range byID {
			if !slices.Contains(picked, kp) {
				picked = append(picked, kp)
			}
		}
		keys = picked
	}
	keys, err := ec2FilterAll(c, keys, func(kp *KeyPair) ec2Attrs {
		return func(name string) ([]string, bool) {
			switch name {
			case "key-name":
				return []string{kp.Name}, true
			case "key-pair-id":
				return []string{kp.ID}, true
			case "fingerprint":
				return []string{kp.Fingerprint}, true
			case "key-type":
				return []string{kp.Type}, true
			}
			return ec2TagAttrs(nil, name)
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]xmlKeyPair, len(keys))
	for i, kp := range keys {
		out[i] = keyPairXML(kp)
	}
	return xmlDescribeKeyPairs{Keys: ec2Items(out)}, nil
}

// ---- key pairs ----

// keyMaterial makes a PEM-framed private key body. It is random bytes, not a usable key:
// nothing in the simulator logs in to an instance, and generating real RSA keys would make
// every CreateKeyPair cost tens of milliseconds.
func keyMaterial(c *Call, typ string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	n, header := 1588, "RSA PRIVATE KEY"
	if typ == "ed25519" {
		n, header = 300, "OPENSSH PRIVATE KEY"
	}
	var b strings.Builder
	b.WriteString("-----BEGIN " + header + "-----\n")
	for i := range n {
		b.WriteByte(alphabet[c.srv.w.rng.IntN(len(alphabet))])
		if i%64 == 63 {
			b.WriteByte('\n')
		}
	}
	b.WriteString("\n-----END " + header + "-----")
	return b.String()
}

func ec2CreateKeyPair(c *Call, r *Region) (any, error) {
	name := c.Param("KeyName")
	if name == "" {
		return nil, missingParam("KeyName")
	}
	if len(name) > 255 {
		return nil, errorf(400, "InvalidParameterValue", "Value (%s) for parameter keyName is invalid. Length exceeds maximum of 255.", name)
	}
	typ := c.Param("KeyType")
	switch typ {
	case "":
		typ = "rsa"
	case "rsa", "ed25519":
	default:
		return nil, errorf(400, "InvalidParameterValue", "Value (%s) for parameter keyType is invalid.", typ)
	}
	if findKeyPair(r, name) != nil {
		return nil, errorf(400, "InvalidKeyPair.Duplicate", "The keypair '%s' already exists.", name)
	}
	kp := &KeyPair{ID: c.srv.w.NewID("key"), Name: name, Type: typ, Created: c.Now, Fingerprint: fingerprint(c.srv.w)}
	if typ == "ed25519" {
		kp.Fingerprint = base64.StdEncoding.EncodeToString([]byte(c.srv.w.randHex(16))) // SHA-256, base64, as AWS gives ed25519 keys
	}
	r.KeyPairs = append(r.KeyPairs, kp)
	c.created("key-pair", kp.ID)
	c.TrailRequest = map[string]any{"keyName": name, "keyType": typ, "keyFormat": "pem"}
	c.TrailResponse = map[string]any{"keyName": name, "keyFingerprint": kp.Fingerprint, "keyPairId": kp.ID, "keyMaterial": "<sensitiveDataRemoved>"}
	return ec2CreateKeyPairOut{Name: name, Fingerprint: kp.Fingerprint, Material: keyMaterial(c, typ), ID: kp.ID}, nil
}

// ec2DeleteKeyPair deletes by name or ID; deleting one that does not exist succeeds, as in AWS.
func ec2DeleteKeyPair(c *Call, r *Region) (any, error) {
	name, id := c.Param("KeyName"), c.Param("KeyPairId")
	if name == "" && id == "" {
		return nil, missingParam("KeyName")
	}
	out := ec2DeleteKeyPairOut{Return: true}
	i := slices.IndexFunc(r.KeyPairs, func(k *KeyPair) bool { return (id != "" && k.ID == id) || (id == "" && k.Name == name) })
	if i >= 0 {
		out.ID = r.KeyPairs[i].ID
		r.KeyPairs = slices.Delete(r.KeyPairs, i, i+1)
	}
	req := map[string]any{}
	if name != "" {
		req["keyName"] = name
	}
	if id != "" {
		req["keyPairId"] = id
	}
	c.TrailRequest = req
	c.TrailResponse = map[string]any{"_return": true, "keyPairId": out.ID}
	return out, nil
}
