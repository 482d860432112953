package asn

import (
	"bytes"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// iptoasn.com's layout, with documentation ranges standing in for real ones.
const v4 = "0.0.0.0\t0.255.255.255\t0\tNone\tNot routed\n" +
	"198.51.100.0\t198.51.100.255\t64501\tNL\tEXAMPLE-HOSTING\n" +
	"203.0.113.0\t203.0.113.127\t64500\tKR\tACME-CORP\n" +
	"203.0.113.128\t203.0.113.255\t64500\tKR\tACME-CORP\n"

const v6 = "2001:db8::\t2001:db8:ffff:ffff:ffff:ffff:ffff:ffff\t64502\tUS\tEXAMPLE-V6\n" +
	"2001:db9::\t2001:db9::ff\t0\tNone\tNot routed\n"

func write(t *testing.T, name, content string, gz bool) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	b := []byte(content)
	if gz {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		b = buf.Bytes()
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func check(t *testing.T, db *DB, ip string, wantKey, wantLabel string) {
	t.Helper()
	k, l := db.Network(ip)
	if k != wantKey || l != wantLabel {
		t.Errorf("Network(%q) = %q, %q; want %q, %q", ip, k, l, wantKey, wantLabel)
	}
}

func TestOpenV4V6Combined(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		gz    bool
	}{
		{"separate", map[string]string{"ip2asn-v4.tsv": v4, "ip2asn-v6.tsv": v6}, false},
		{"combined", map[string]string{"ip2asn-combined.tsv": v4 + v6}, false},
		{"gzip", map[string]string{"ip2asn-combined.tsv.gz": v4 + v6}, true},
		// gzip is known by its header, not its name
		{"gzip-unnamed", map[string]string{"asn.tsv": v4 + v6}, true},
		// the u32 variant of the IPv4 table, CRLF line ends
		{"u32", map[string]string{"ip2asn-v4-u32.tsv": "3325256704\t3325256959\t64501\tNL\tEXAMPLE-HOSTING\r\n3405803776\t3405804031\t64500\tKR\tACME-CORP\r\n", "ip2asn-v6.tsv": v6}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var paths []string
			for n, c := range tc.files {
				paths = append(paths, write(t, n, c, tc.gz))
			}
			db, err := Open(paths...)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			check(t, db, "203.0.113.7", "AS64500", "AS64500 ACME-CORP")
			check(t, db, "203.0.113.200", "AS64500", "AS64500 ACME-CORP")
			check(t, db, "198.51.100.7", "AS64501", "AS64501 EXAMPLE-HOSTING")
			check(t, db, "::ffff:198.51.100.7", "AS64501", "AS64501 EXAMPLE-HOSTING")
			check(t, db, "2001:db8:1:2::5", "AS64502", "AS64502 EXAMPLE-V6")
			// no range, or not routed: the prefix stands in
			check(t, db, "192.0.2.10", "192.0.2.0/24", "192.0.2.0/24")
			check(t, db, "2001:db9::5", "2001:db9::/48", "2001:db9::/48")
			check(t, db, "0.1.2.3", "0.1.2.0/24", "0.1.2.0/24")
			check(t, db, "255.255.255.255", "255.255.255.0/24", "255.255.255.0/24")
			check(t, db, "::", "::/48", "::/48")
			// not IP addresses: no network
			for _, s := range []string{"AWS Internal", "ec2.amazonaws.com", "", "203.0.113", "1.2.3.4.5", " 203.0.113.7"} {
				check(t, db, s, "", "")
			}
			if a, ok := db.Lookup(netip.MustParseAddr("203.0.113.7")); !ok || a.Country != "KR" {
				t.Errorf("Lookup: %+v %v", a, ok)
			}
		})
	}
}

func TestNoDatabase(t *testing.T) {
	var db *DB
	check(t, db, "203.0.113.7", "203.0.113.0/24", "203.0.113.0/24")
	check(t, db, "2001:db8:1:2::5", "2001:db8:1::/48", "2001:db8:1::/48")
	check(t, db, "fe80::1%eth0", "fe80::/48", "fe80::/48")
	check(t, db, "AWS Internal", "", "")
	if Prefix("198.51.100.7") != "198.51.100.0/24" || Prefix("x") != "" {
		t.Error("Prefix")
	}
	if db.Len() != 0 || db.Close() != nil {
		t.Error("nil DB")
	}
}

func TestMalformed(t *testing.T) {
	for line, want := range map[string]string{
		"203.0.113.0\t203.0.113.255":               "got 2 field(s)",
		"203.0.113.0\t203.0.113.999\t64500\tKR\tX": `range_end: "203.0.113.999" is not an IP address`,
		"203.0.113.9\t203.0.113.0\t64500\tKR\tX":   "before its start",
		"203.0.113.0\t2001:db8::\t64500\tKR\tX":    "mixes IPv4 and IPv6",
		"203.0.113.0\t203.0.113.255\tAS-X\tKR\tX":  `AS_number "AS-X" is not a number`,
		"99999999999\t203.0.113.255\t1\tKR\tX":     "range_start",
	} {
		p := write(t, "ip2asn-v4.tsv.gz", v4+line+"\n"+v4, true)
		_, err := Open(p)
		if err == nil {
			t.Errorf("%q: no error", line)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, p+":5: ") || !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
			t.Errorf("%q: error %q, want %q naming %s:5", line, msg, want, p)
		}
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.tsv")); err == nil || !strings.Contains(err.Error(), "missing.tsv") {
		t.Errorf("missing file: %v", err)
	}
	// a truncated gzip names the file too
	p := write(t, "ip2asn-v4.tsv.gz", strings.Repeat(v4, 100), true)
	b, _ := os.ReadFile(p)
	os.WriteFile(p, b[:len(b)/2], 0o600)
	if _, err := Open(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("truncated gzip: %v", err)
	}
}

func TestMMDB(t *testing.T) {
	// documentation ranges are reserved: the writer needs leave to hold them
	w, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-ASN", RecordSize: 24, IncludeReservedNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, rec := range map[string]mmdbtype.Map{
		"198.51.100.0/24": {"autonomous_system_number": mmdbtype.Uint32(64501), "autonomous_system_organization": mmdbtype.String("EXAMPLE-HOSTING")},
		"2001:db8::/32":   {"autonomous_system_number": mmdbtype.Uint32(64502), "autonomous_system_organization": mmdbtype.String("EXAMPLE-V6")},
	} {
		_, n, _ := net.ParseCIDR(cidr)
		if err := w.Insert(n, rec); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	mm := write(t, "GeoLite2-ASN.mmdb", buf.String(), false)
	tsv := write(t, "ip2asn-v4.tsv", v4, false)
	db, err := Open(tsv, mm)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check(t, db, "203.0.113.7", "AS64500", "AS64500 ACME-CORP") // from the table
	check(t, db, "2001:db8:1:2::5", "AS64502", "AS64502 EXAMPLE-V6")
	check(t, db, "2001:db9::5", "2001:db9::/48", "2001:db9::/48")

	only, err := Open(mm)
	if err != nil {
		t.Fatal(err)
	}
	defer only.Close()
	check(t, only, "198.51.100.7", "AS64501", "AS64501 EXAMPLE-HOSTING")

	// a database of another kind, or a file that is no database, is refused by name
	cw, _ := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-City", RecordSize: 24})
	buf.Reset()
	cw.WriteTo(&buf)
	city := write(t, "GeoLite2-City.mmdb", buf.String(), false)
	if _, err := Open(city); err == nil || !strings.Contains(err.Error(), city) || !strings.Contains(err.Error(), "not an ASN") {
		t.Errorf("city database: %v", err)
	}
	junk := write(t, "junk.mmdb", "not a database", false)
	if _, err := Open(junk); err == nil || !strings.Contains(err.Error(), junk) {
		t.Errorf("junk: %v", err)
	}
}

// FuzzRead: no table, however broken, panics the reader or a lookup; an error names its line.
func FuzzRead(f *testing.F) {
	f.Add([]byte(v4+v6), "203.0.113.7")
	f.Add([]byte("3325256704\t3325256959\t64501\tNL\tX\n"), "198.51.100.1")
	f.Add([]byte("::\t::ffff:ffff\t1\n"), "::1")
	f.Fuzz(func(t *testing.T, table []byte, ip string) {
		db, err := Read(bytes.NewReader(table), "t.tsv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "t.tsv:") {
				t.Fatalf("error without the file's name: %v", err)
			}
			return
		}
		db.Network(ip)
		Prefix(ip)
	})
}
