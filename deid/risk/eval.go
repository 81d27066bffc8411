package risk

import "math"

// rows are the input of one node's evaluation: distinct tuples with their
// record counts, each represented by an entry of the problem. The rows of
// a node are the classes (with sensitive value) of one of its
// predecessors, or the problem's entries.
type rows struct {
	rep   []int32  // an entry whose leaves the row generalises
	sens  []uint32 // the sensitive value, nil without one
	count []int32
}

func (p *Problem) baseRows() *rows {
	r := &rows{rep: make([]int32, len(p.count)), sens: p.sens, count: p.count}
	for e := range r.rep {
		r.rep[e] = int32(e)
	}
	return r
}

// result is the evaluation of one node.
type result struct {
	anonymous  bool
	classes    int // classes that meet the model
	suppressed int
	loss       float64
	bound      float64 // a lower bound of the loss here and above
	next       *rows   // this node's classes, for evaluating its successors
	classOf    []int32 // class of each input row
	fail       []bool  // classes that fail the model
}

func (r *result) node(levels []int) *Node {
	return &Node{
		Levels:     append([]int(nil), levels...),
		Anonymous:  r.anonymous,
		Suppressed: r.suppressed,
		Classes:    r.classes,
		Loss:       r.loss,
	}
}

// evaluator evaluates nodes of one problem against one model.
type evaluator struct {
	p      *Problem
	m      Model
	lt     *lossTables
	maxSup int
	g      grouper
}

func newEvaluator(p *Problem, m Model) *evaluator {
	return &evaluator{p: p, m: m, lt: p.lossTables(m.Metric), maxSup: m.maxSuppressed(p.Records)}
}

// eval generalises in to levels and measures the result.
func (e *evaluator) eval(levels []int, in *rows) *result {
	classOf, reps, sizes := e.classify(levels, in)
	r := &result{classOf: classOf, fail: make([]bool, len(sizes))}
	var pairs *rows
	if e.p.sens != nil {
		pairs = e.diversity(in, classOf, reps, sizes, r.fail)
	}
	if pairs != nil {
		r.next = pairs
	} else {
		r.next = &rows{rep: reps, count: sizes}
	}
	for c, s := range sizes {
		if int(s) < e.m.K {
			r.fail[c] = true
		}
		if r.fail[c] {
			r.suppressed += int(s)
		} else {
			r.classes++
		}
	}
	r.anonymous = r.suppressed <= e.maxSup
	e.measure(r, levels, reps, sizes)
	return r
}

// classify groups the rows by their generalisation to levels.
func (e *evaluator) classify(levels []int, in *rows) (classOf, reps, sizes []int32) {
	hs := e.p.Hierarchies
	gens := make([][]int32, len(hs))
	cards := make([]int, len(hs))
	for i, h := range hs {
		gens[i], cards[i] = h.gen[levels[i]], len(h.labels[levels[i]])
	}
	classOf = make([]int32, len(in.rep))
	mult, exact := radix(cards)
	if !exact {
		return e.classifySlow(gens, in, classOf)
	}
	e.g.reset(len(in.rep))
	for j, rep := range in.rep {
		var k uint64
		for i, m := range mult {
			k += uint64(gens[i][e.p.leaf[i][rep]]) * m
		}
		c := e.g.id(k)
		if int(c) == len(sizes) {
			reps, sizes = append(reps, rep), append(sizes, 0)
		}
		classOf[j] = c
		sizes[c] += in.count[j]
	}
	return classOf, reps, sizes
}

func (e *evaluator) classifySlow(gens [][]int32, in *rows, classOf []int32) (_, reps, sizes []int32) {
	codes := make([][]uint32, len(gens))
	for i := range gens {
		codes[i] = make([]uint32, len(in.rep))
		for j, rep := range in.rep {
			codes[i][j] = uint32(gens[i][e.p.leaf[i][rep]])
		}
	}
	ids, n := tupleKeysSlow(codes, len(in.rep), classOf)
	reps, sizes = make([]int32, n), make([]int32, n)
	for j := len(ids) - 1; j >= 0; j-- {
		reps[ids[j]] = in.rep[j]
		sizes[ids[j]] += in.count[j]
	}
	return ids, reps, sizes
}

// diversity marks classes that fail l-diversity and returns the node's
// rows: one per class and sensitive value.
func (e *evaluator) diversity(in *rows, classOf, reps, sizes []int32, fail []bool) *rows {
	out := &rows{}
	var pairClass []int32
	e.g.reset(len(sizes))
	card := uint64(e.p.sensCard)
	for j, c := range classOf {
		id := e.g.id(uint64(c)*card + uint64(in.sens[j]))
		if int(id) == len(out.rep) {
			out.rep, out.sens, out.count = append(out.rep, reps[c]), append(out.sens, in.sens[j]), append(out.count, 0)
			pairClass = append(pairClass, c)
		}
		out.count[id] += in.count[j]
	}
	if e.m.L > 1 {
		e.markDiversity(out, pairClass, sizes, fail)
	}
	return out
}

// markDiversity marks the classes with too little sensitive diversity.
func (e *evaluator) markDiversity(pairs *rows, pairClass, sizes []int32, fail []bool) {
	distinct := make([]int, len(sizes))
	entropy := make([]float64, len(sizes))
	for id, c := range pairClass {
		distinct[c]++
		q := float64(pairs.count[id]) / float64(sizes[c])
		entropy[c] -= q * math.Log(q)
	}
	minEntropy := math.Log(float64(e.m.L)) - 1e-12
	for c := range sizes {
		if e.m.Diversity == EntropyDiversity {
			fail[c] = entropy[c] < minEntropy
		} else {
			fail[c] = distinct[c] < e.m.L
		}
	}
}

// measure sets the loss and its bound.
func (e *evaluator) measure(r *result, levels []int, reps, sizes []int32) {
	n := float64(e.p.Records)
	if !e.m.Metric.additive() {
		var sumSq, kept float64
		for c, s := range sizes {
			sumSq += float64(s) * float64(s)
			if !r.fail[c] {
				kept += float64(s) * float64(s)
			}
		}
		r.loss = (kept + float64(r.suppressed)*n) / e.lt.norm
		r.bound = sumSq / e.lt.norm
		return
	}
	var base, pen float64
	for i, l := range levels {
		base += e.lt.sum[i][l]
	}
	for c, s := range sizes {
		if r.fail[c] {
			pen += float64(s) * e.penalty(levels, reps[c])
		}
	}
	r.loss, r.bound = (base+pen)/e.lt.norm, base/e.lt.norm
	if e.lt.norm == 0 {
		r.loss, r.bound = 0, 0
	}
}

// penalty is the extra loss of suppressing one record of entry rep.
func (e *evaluator) penalty(levels []int, rep int32) float64 {
	var s float64
	for i, l := range levels {
		h := e.p.Hierarchies[i]
		s += e.lt.pen[i][l][h.gen[l][e.p.leaf[i][rep]]]
	}
	return s
}
