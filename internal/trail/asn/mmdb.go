package asn

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
)

// mmdbLookupper is a MaxMind database of ASNs (GeoLite2-ASN, or any with the same fields).
type mmdbLookupper struct {
	r *maxminddb.Reader
}

// asRecord is the GeoLite2-ASN record.
type asRecord struct {
	Number uint32 `maxminddb:"autonomous_system_number"`
	Org    string `maxminddb:"autonomous_system_organization"`
}

func openMMDB(path string) (mmdbLookupper, error) {
	r, err := maxminddb.Open(path)
	if err != nil {
		return mmdbLookupper{}, fmt.Errorf("%s: not a MaxMind database: %w", path, err)
	}
	// A City or Country database opens fine but has no AS in it: say so now, not by
	// finding nothing later.
	if t := r.Metadata.DatabaseType; !strings.Contains(strings.ToUpper(t), "ASN") {
		r.Close()
		return mmdbLookupper{}, fmt.Errorf("%s: a MaxMind %q database, not an ASN one (GeoLite2-ASN)", path, t)
	}
	return mmdbLookupper{r: r}, nil
}

func (m mmdbLookupper) lookup(ip netip.Addr) (AS, bool) {
	var rec asRecord
	// A decode error is a damaged record: treated as not found, the prefix stands in.
	if err := m.r.Lookup(ip).Decode(&rec); err != nil || rec.Number == 0 {
		return AS{}, false
	}
	return AS{Number: rec.Number, Name: rec.Org}, true
}

func (m mmdbLookupper) Close() error { return m.r.Close() }
