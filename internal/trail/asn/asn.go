// Package asn maps IP addresses to the network that announces them (its autonomous system),
// from an offline database the user supplies: accountguard runs where there may be no
// internet, and sends no source IP anywhere to look it up.
//
// The format read is iptoasn.com's free table (ip2asn-v4.tsv, ip2asn-v6.tsv,
// ip2asn-combined.tsv, ip2asn-v4-u32.tsv, gzipped or not): one range per line,
// "range_start range_end AS_number country_code AS_description", tab-separated. That is a
// sorted range table, so a sorted slice and a binary search read it in a few dozen lines and
// a few bytes per range, with no dependency. A MaxMind GeoLite2-ASN .mmdb file is read with
// MaxMind's own reader (mmdb.go).
//
// Without a database, or for an address no range covers, the network of an IP is its /24
// (IPv4) or /48 (IPv6) prefix: an approximation (one provider owns many prefixes, and a
// prefix can be split), but addresses that DHCP or NAT hands out within one site mostly stay
// in it. It must not reach the network.
package asn

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// AS is one autonomous system.
type AS struct {
	Number  uint32
	Country string // ISO 3166 code, as the database gives it ("None" or "" when unknown)
	Name    string // the registry's description ("AMAZON-02", "CLOUDFLARENET" …)
}

// Label is how people name an AS: "AS16509 AMAZON-02".
func (a AS) Label() string {
	if a.Name == "" {
		return "AS" + strconv.FormatUint(uint64(a.Number), 10)
	}
	return "AS" + strconv.FormatUint(uint64(a.Number), 10) + " " + a.Name
}

// DB is an IP→AS table. The zero value and nil know no range.
type DB struct {
	// IPv4 ranges as integers, IPv6 ranges as two halves: 12 and 36 bytes a range, with no
	// pointer for the garbage collector to follow (a netip.Addr holds one), which matters
	// for the half a million ranges of the full table.
	v4   []span4
	v6   []span6
	as   []AS            // index 0 is unused, so a span's zero index means nothing
	byAS map[uint32]int  // AS number → index in as, while loading
	mmdb []mmdbLookupper // MaxMind databases, asked after the ranges
}

type span4 struct{ lo, hi, as uint32 }

type span6 struct {
	lo, hi [2]uint64
	as     uint32
}

// Open reads one or more database files (a v4 and a v6 table, say) into one DB. A file
// whose name ends in .mmdb is read as a MaxMind database; any other as an iptoasn table,
// gunzipped when it starts with gzip's header.
func Open(paths ...string) (*DB, error) {
	db := &DB{as: []AS{{}}, byAS: map[uint32]int{}}
	for _, p := range paths {
		if strings.HasSuffix(strings.ToLower(p), ".mmdb") {
			m, err := openMMDB(p)
			if err != nil {
				return nil, err
			}
			db.mmdb = append(db.mmdb, m)
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("asn database: %w", err)
		}
		err = db.read(f, p)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	db.finish()
	return db, nil
}

// Read reads one iptoasn table from r (gzipped or not) into a new DB; name is used in errors.
func Read(r io.Reader, name string) (*DB, error) {
	db := &DB{as: []AS{{}}, byAS: map[uint32]int{}}
	if err := db.read(r, name); err != nil {
		return nil, err
	}
	db.finish()
	return db, nil
}

// Close releases the MaxMind databases' files, if any.
func (db *DB) Close() error {
	if db == nil {
		return nil
	}
	var errs []error
	for _, m := range db.mmdb {
		errs = append(errs, m.Close())
	}
	return errors.Join(errs...)
}

// Len is the number of ranges in the tables (MaxMind databases not counted).
func (db *DB) Len() int {
	if db == nil {
		return 0
	}
	return len(db.v4) + len(db.v6)
}

func (db *DB) read(r io.Reader, name string) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimRight(sc.Bytes(), "\r")
		if len(bytes.TrimSpace(b)) == 0 || b[0] == '#' {
			continue
		}
		if err := db.addLine(b); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	return nil
}

// addLine adds one "start end AS country description" row.
func (db *DB) addLine(b []byte) error {
	f := strings.SplitN(string(b), "\t", 5)
	if len(f) < 3 {
		return fmt.Errorf("want tab-separated range_start, range_end, AS_number, country_code, AS_description; got %d field(s)", len(f))
	}
	lo, err := parseAddr(f[0])
	if err != nil {
		return fmt.Errorf("range_start: %w", err)
	}
	hi, err := parseAddr(f[1])
	if err != nil {
		return fmt.Errorf("range_end: %w", err)
	}
	if lo.Is4() != hi.Is4() {
		return fmt.Errorf("range %s-%s mixes IPv4 and IPv6", f[0], f[1])
	}
	if hi.Less(lo) {
		return fmt.Errorf("range end %s is before its start %s", f[1], f[0])
	}
	num, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(f[2]), "AS"), 10, 32)
	if err != nil {
		return fmt.Errorf("AS_number %q is not a number", f[2])
	}
	if num == 0 {
		return nil // "Not routed": no network to name, so the prefix stands in
	}
	idx, ok := db.byAS[uint32(num)]
	if !ok {
		a := AS{Number: uint32(num)}
		if len(f) > 3 {
			a.Country = strings.TrimSpace(f[3])
		}
		if len(f) > 4 {
			a.Name = strings.TrimSpace(f[4])
		}
		idx = len(db.as)
		db.as = append(db.as, a)
		db.byAS[a.Number] = idx
	}
	if lo.Is4() {
		db.v4 = append(db.v4, span4{lo: u32(lo), hi: u32(hi), as: uint32(idx)})
	} else {
		db.v6 = append(db.v6, span6{lo: u128(lo), hi: u128(hi), as: uint32(idx)})
	}
	return nil
}

// parseAddr reads an address, or a plain integer as the u32 variant of the IPv4 table has.
func parseAddr(s string) (netip.Addr, error) {
	s = strings.TrimSpace(s)
	if s != "" && !strings.ContainsAny(s, ".:") {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("%q is not an IP address", s)
		}
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(n))
		return netip.AddrFrom4(b), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("%q is not an IP address", s)
	}
	return a.Unmap(), nil
}

// finish sorts the ranges (the files are sorted already, but several files or a hand-made
// one need not be) and drops the loading index.
func (db *DB) finish() {
	slices.SortFunc(db.v4, func(a, b span4) int { return cmp.Compare(a.lo, b.lo) })
	slices.SortFunc(db.v6, func(a, b span6) int { return cmp128(a.lo, b.lo) })
	db.v4 = slices.Clip(db.v4)
	db.v6 = slices.Clip(db.v6)
	db.byAS = nil
}

// Lookup returns the AS that announces ip. Ranges are taken not to overlap, as iptoasn's
// do not: only the one starting last at or before ip is asked.
func (db *DB) Lookup(ip netip.Addr) (AS, bool) {
	if db == nil || !ip.IsValid() {
		return AS{}, false
	}
	ip = ip.Unmap()
	if ip.Is4() {
		x := u32(ip)
		// the last range starting at or before x
		i, found := slices.BinarySearchFunc(db.v4, x, func(s span4, x uint32) int { return cmp.Compare(s.lo, x) })
		if !found {
			i--
		}
		if i >= 0 && x <= db.v4[i].hi {
			return db.as[db.v4[i].as], true
		}
	} else {
		x := u128(ip)
		i, found := slices.BinarySearchFunc(db.v6, x, func(s span6, x [2]uint64) int { return cmp128(s.lo, x) })
		if !found {
			i--
		}
		if i >= 0 && cmp128(x, db.v6[i].hi) <= 0 {
			return db.as[db.v6[i].as], true
		}
	}
	for _, m := range db.mmdb {
		if a, ok := m.lookup(ip); ok {
			return a, true
		}
	}
	return AS{}, false
}

// Network names the network an IP belongs to: key compares, label is for people. With the
// database, that is the AS ("AS16509", "AS16509 AMAZON-02"); otherwise, or when no range
// covers the address, its /24 or /48 prefix ("198.51.100.0/24" for both). What is not an IP
// address (CloudTrail writes "AWS Internal" or a service name such as "ec2.amazonaws.com"
// for calls AWS makes, and real trails hold malformed values) has no network: "", "".
func (db *DB) Network(ip string) (key, label string) {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "", ""
	}
	a = a.WithZone("").Unmap()
	if as, ok := db.Lookup(a); ok {
		return "AS" + strconv.FormatUint(uint64(as.Number), 10), as.Label()
	}
	p := prefix(a)
	return p, p
}

// Prefix is the network of ip without a database: its /24 or /48, or "" when ip is not an
// IP address.
func Prefix(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ""
	}
	return prefix(a.WithZone("").Unmap())
}

func prefix(a netip.Addr) string {
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}

func u32(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

func u128(a netip.Addr) [2]uint64 {
	b := a.As16()
	return [2]uint64{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

func cmp128(a, b [2]uint64) int {
	if c := cmp.Compare(a[0], b[0]); c != 0 {
		return c
	}
	return cmp.Compare(a[1], b[1])
}
