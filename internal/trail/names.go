package trail

import "github.com/accountguard/accountguard/internal/trail/jsonx"

// nameTable is a worker's eventName → nameClass cache: open addressing on a hash of the
// name's length and first and last eight bytes, compared as words. A Go map hashes every
// byte of the name and was a measurable part of the per-record cost.
type nameTable struct {
	slots []nameSlot // a power of two, at most half full
	n     int
}

type nameSlot struct {
	used bool
	n    int
	a, z uint64
	name string // for names longer than 16 bytes, which the words do not cover
	c    nameClass
}

func (t *nameTable) slot(k []byte, a, z uint64) (*nameSlot, bool) {
	mask := uint64(len(t.slots) - 1)
	for i := ((a ^ z*0x9e3779b97f4a7c15 ^ uint64(len(k))) * 0xff51afd7ed558ccd >> 32) & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if !s.used {
			return s, false
		}
		if s.a == a && s.z == z && s.n == len(k) && (len(k) <= 16 || s.name == string(k)) {
			return s, true
		}
	}
}

// get returns the class cached for name.
func (t *nameTable) get(name []byte) (nameClass, bool) {
	if t.n == 0 {
		return nameClass{}, false
	}
	a, z := jsonx.Words(name)
	if s, ok := t.slot(name, a, z); ok {
		return s.c, true
	}
	return nameClass{}, false
}

// put caches c for name, unless the table holds limit names already.
func (t *nameTable) put(name []byte, c nameClass, limit int) {
	if t.n >= limit {
		return
	}
	if 2*(t.n+1) > len(t.slots) {
		old := t.slots
		t.slots, t.n = make([]nameSlot, max(64, 2*len(old))), 0
		for i := range old {
			if s := &old[i]; s.used {
				t.insert(s)
			}
		}
	}
	a, z := jsonx.Words(name)
	t.insert(&nameSlot{n: len(name), a: a, z: z, name: string(name), c: c})
}

func (t *nameTable) insert(s *nameSlot) {
	k := []byte(s.name)
	at, ok := t.slot(k, s.a, s.z)
	if !ok {
		*at = *s
		at.used = true
		t.n++
	}
}
