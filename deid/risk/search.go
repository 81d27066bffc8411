package risk

import (
	"container/heap"
	"fmt"
	"math"

	"github.com/phigate/phigate"
)

// DefaultCacheRows bounds the rows of evaluated nodes kept to evaluate
// their successors from (about 12 bytes each).
const DefaultCacheRows = 1 << 22

// eps is the tolerance under which two losses count as equal.
const eps = 1e-10

// Solution is the generalisation a search chose.
type Solution struct {
	Node
	Model       Model   `json:"model"`
	LatticeSize float64 `json:"lattice_size"` // nodes in the lattice
	Evaluated   int     `json:"evaluated"`    // nodes whose classes were computed
}

// Search finds, among the generalisations that meet m, the one with the
// least information loss; ties go to the fewest generalisation steps, then
// to the lowest levels in QI order. The search is exact: a best-first
// branch and bound over the lattice, pruned by a lower bound of the loss
// that never decreases with generalisation (the loss without suppression,
// or for Discernibility the sum of squared class sizes), and it stops when
// no unexplored node can do better. Codes: EINVALID (a bad model),
// ENOTFOUND (no generalisation meets m).
func (p *Problem) Search(m Model) (*Solution, error) {
	const op = "risk.Problem.Search"
	m, err := m.validate(p)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, op, err)
	}
	if p.LatticeSize() > 1<<62 {
		return nil, phigate.Errorf(phigate.EINVALID, op, "the lattice has %.3g nodes, more than a search can visit", p.LatticeSize())
	}
	s := newSearch(p, m)
	s.run()
	if s.best == nil {
		return nil, phigate.Errorf(phigate.ENOTFOUND, op, "no generalisation meets %s", m)
	}
	return &Solution{Node: *s.best, Model: m, LatticeSize: p.LatticeSize(), Evaluated: s.evaluated}, nil
}

type search struct {
	e         *evaluator
	heights   []int
	queue     nodeQueue
	pushed    map[uint64]bool
	bounds    map[uint64]float64 // inherited bounds (Discernibility)
	cache     map[uint64]*rows
	fifo      []uint64
	cached    int
	best      *Node
	evaluated int
}

func newSearch(p *Problem, m Model) *search {
	s := &search{
		e:      newEvaluator(p, m),
		pushed: make(map[uint64]bool),
		bounds: make(map[uint64]float64),
		cache:  make(map[uint64]*rows),
	}
	for _, h := range p.Hierarchies {
		s.heights = append(s.heights, h.Height())
	}
	return s
}

func (s *search) run() {
	bottom := make([]int, len(s.heights))
	s.push(bottom, s.additiveBound(bottom))
	for s.queue.Len() > 0 {
		it := heap.Pop(&s.queue).(queued)
		if b := s.bounds[it.id]; b > it.bound+eps {
			it.bound = b // a better bound arrived after it was queued
			heap.Push(&s.queue, it)
			continue
		}
		if s.best != nil && it.bound > s.best.Loss+eps {
			return // every node left is bounded by at least it.bound
		}
		s.visit(s.decode(it.id))
	}
}

// visit evaluates one node and queues its successors.
func (s *search) visit(levels []int) {
	id := s.encode(levels)
	r := s.e.eval(levels, s.input(levels))
	s.evaluated++
	s.remember(id, r.next)
	if r.anonymous {
		if n := r.node(levels); s.better(n) {
			s.best = n
		}
	}
	for i := range levels {
		if levels[i]+1 >= s.heights[i] {
			continue
		}
		levels[i]++
		b := math.Max(s.additiveBound(levels), r.bound)
		sid := s.encode(levels)
		if !s.e.m.Metric.additive() {
			b = math.Max(b, s.bounds[sid])
			s.bounds[sid] = b
		}
		if !s.pushed[sid] && (s.best == nil || b <= s.best.Loss+eps) {
			s.push(levels, b)
		}
		levels[i]--
	}
}

// better reports whether n beats the best node so far.
func (s *search) better(n *Node) bool {
	b := s.best
	switch {
	case b == nil:
		return true
	case math.Abs(n.Loss-b.Loss) > eps:
		return n.Loss < b.Loss
	}
	ns, bs := sum(n.Levels), sum(b.Levels)
	if ns != bs {
		return ns < bs
	}
	for i := range n.Levels {
		if n.Levels[i] != b.Levels[i] {
			return n.Levels[i] < b.Levels[i]
		}
	}
	return false
}

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

// additiveBound is the loss of levels without suppression, for additive
// measures: no generalisation of levels loses less.
func (s *search) additiveBound(levels []int) float64 {
	lt := s.e.lt
	if !lt.metric.additive() || lt.norm == 0 {
		return 0
	}
	var b float64
	for i, l := range levels {
		b += lt.sum[i][l]
	}
	return b / lt.norm
}

func (s *search) push(levels []int, bound float64) {
	id := s.encode(levels)
	s.pushed[id] = true
	heap.Push(&s.queue, queued{bound: bound, steps: sum(levels), id: id})
}

// input returns the smallest cached rows of a predecessor of levels, or
// the problem's entries.
func (s *search) input(levels []int) *rows {
	var best *rows
	for i := range levels {
		if levels[i] == 0 {
			continue
		}
		levels[i]--
		if r, ok := s.cache[s.encode(levels)]; ok && (best == nil || len(r.rep) < len(best.rep)) {
			best = r
		}
		levels[i]++
	}
	if best == nil {
		return s.e.p.baseRows()
	}
	return best
}

// remember caches a node's rows, dropping the oldest beyond the budget.
func (s *search) remember(id uint64, r *rows) {
	if len(r.rep) > DefaultCacheRows/4 {
		return
	}
	s.cache[id] = r
	s.fifo = append(s.fifo, id)
	s.cached += len(r.rep)
	for s.cached > DefaultCacheRows {
		old := s.fifo[0]
		s.fifo = s.fifo[1:]
		s.cached -= len(s.cache[old].rep)
		delete(s.cache, old)
	}
}

func (s *search) encode(levels []int) uint64 {
	var id, m uint64 = 0, 1
	for i, l := range levels {
		id += uint64(l) * m
		m *= uint64(s.heights[i])
	}
	return id
}

func (s *search) decode(id uint64) []int {
	levels := make([]int, len(s.heights))
	for i, h := range s.heights {
		levels[i] = int(id % uint64(h))
		id /= uint64(h)
	}
	return levels
}

// queued is a node waiting in the queue, ordered by bound, then steps.
type queued struct {
	bound float64
	steps int
	id    uint64
}

type nodeQueue []queued

func (q nodeQueue) Len() int { return len(q) }
func (q nodeQueue) Less(i, j int) bool {
	a, b := q[i], q[j]
	if a.bound != b.bound {
		return a.bound < b.bound
	}
	if a.steps != b.steps {
		return a.steps < b.steps
	}
	return a.id < b.id
}
func (q nodeQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *nodeQueue) Push(x any)   { *q = append(*q, x.(queued)) }
func (q *nodeQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

var _ = fmt.Sprintf
