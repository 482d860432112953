package detect

import "time"

// bound keeps one map of values (an identity's source IPs or user agents, the account's
// regions) within its limit. A full map keeps the values first seen earliest and counts the
// others in an Overflow: the baseline is the early part of the data, so what a "new value"
// detector compares with stays whole, and a value first seen after every kept one is new
// whatever it is. The order is kept by a heap (latest first seen on top), built when the
// map first fills, so a flood of distinct values costs O(log n) each.
type bound struct {
	heap []*Seen
	on   bool
}

// evictsBefore reports whether a leaves a full map before b: later first seen, then the
// greater value, so the kept set does not depend on read order.
func evictsBefore(a, b *Seen) bool {
	if c := a.First.Compare(b.First); c != 0 {
		return c > 0
	}
	return a.key > b.key
}

// add counts one record of value key in m and returns its Seen, or nil when it is not kept.
// b is the shared budget, nil for a map bounded by limit alone.
func (h *bound) add(b *Budget, limit int, m map[string]*Seen, over *Overflow, key []byte, t time.Time, id, region, by []byte) *Seen {
	if len(key) == 0 {
		return nil
	}
	if s := m[string(key)]; s != nil {
		if s.add(t, id, region, by) && h.on {
			h.fix(s.hi)
		}
		return s
	}
	if h.hasRoom(b, limit, len(m)) {
		s := &Seen{key: string(key)}
		s.add(t, id, region, by)
		h.put(b, m, s)
		return s
	}
	h.build(m)
	top := h.heap[0]
	if t.Before(top.First) || (t.Equal(top.First) && string(key) < top.key) {
		s := &Seen{key: string(key)}
		s.add(t, id, region, by)
		h.replaceTop(m, over, s)
		return s
	}
	over.addRecord(key, t, id, region, by)
	return nil
}

func (h *bound) hasRoom(b *Budget, limit, n int) bool {
	if n >= limit {
		return false
	}
	return b == nil || b.room(n)
}

func (h *bound) put(b *Budget, m map[string]*Seen, s *Seen) {
	m[s.key] = s
	if b != nil {
		b.add(1)
	}
	if h.on {
		s.hi = len(h.heap)
		h.heap = append(h.heap, s)
		h.up(s.hi)
	}
}

// replaceTop evicts the latest-first-seen value for s, which was first seen before it.
func (h *bound) replaceTop(m map[string]*Seen, over *Overflow, s *Seen) {
	top := h.heap[0]
	delete(m, top.key)
	over.addValue(top.key, top)
	m[s.key] = s
	s.hi = 0
	h.heap[0] = s
	h.down(0)
}

// merge adds src (with what it did not keep) into m; src must not be used afterwards.
func (h *bound) merge(b *Budget, limit int, m map[string]*Seen, over *Overflow, src map[string]*Seen, srcOver *Overflow) {
	for k, v := range src {
		if b != nil {
			b.add(-1) // v leaves src: counted again if it is kept
		}
		if d := m[k]; d != nil {
			if d.merge(v) && h.on {
				h.fix(d.hi)
			}
			continue
		}
		v.hi = 0
		if h.hasRoom(b, limit, len(m)) {
			h.put(b, m, v)
			continue
		}
		h.build(m)
		if evictsBefore(h.heap[0], v) {
			h.replaceTop(m, over, v) // v in, the top out: the count above stands
			continue
		}
		over.addValue(k, v)
	}
	over.merge(srcOver)
}

func (h *bound) build(m map[string]*Seen) {
	if h.on {
		return
	}
	h.on = true
	h.heap = make([]*Seen, 0, len(m))
	for _, s := range m {
		s.hi = len(h.heap)
		h.heap = append(h.heap, s)
	}
	for i := len(h.heap)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *bound) fix(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h *bound) swap(i, j int) {
	h.heap[i], h.heap[j] = h.heap[j], h.heap[i]
	h.heap[i].hi, h.heap[j].hi = i, j
}

func (h *bound) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !evictsBefore(h.heap[i], h.heap[p]) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h *bound) down(i0 int) bool {
	i, n := i0, len(h.heap)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		j := l
		if r := l + 1; r < n && evictsBefore(h.heap[r], h.heap[l]) {
			j = r
		}
		if !evictsBefore(h.heap[j], h.heap[i]) {
			break
		}
		h.swap(i, j)
		i = j
	}
	return i > i0
}
