package savings

import (
	"math"
	"slices"
)

// The statistics the eemeter 4.x daily model computes with NumPy, written
// so that they round as NumPy 1.24 does: a sum is NumPy's pairwise
// summation (numpy/core/src/umath/loops_utils.h.src, pairwise_sum: blocks
// of 128 summed with eight accumulators, longer runs split in halves at a
// multiple of eight), a mean is that sum over n, a variance the mean of the
// squared deviations from it, and quantiles interpolate linearly as
// numpy.quantile's default method does. The optimiser's path depends on
// every objective value, so matching NumPy's rounding keeps it on
// eemeter's path.

// npSum is numpy.sum of x: pairwise's order of additions (blocks of at
// most 128 summed in eight interleaved lanes), written out for plain
// values.
func npSum(x []float64) float64 {
	n := len(x)
	switch {
	case n < 8:
		s := 0.0
		for _, v := range x {
			s += v
		}
		return s
	case n <= 128:
		r0, r1, r2, r3, r4, r5, r6, r7 := x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]
		i := 8
		for ; i < n-n%8; i += 8 {
			b := x[i : i+8 : i+8]
			r0 += b[0]
			r1 += b[1]
			r2 += b[2]
			r3 += b[3]
			r4 += b[4]
			r5 += b[5]
			r6 += b[6]
			r7 += b[7]
		}
		s := ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
		for ; i < n; i++ {
			s += x[i]
		}
		return s
	}
	n2 := n / 2
	n2 -= n2 % 8
	return npSum(x[:n2]) + npSum(x[n2:])
}

// pairwise is NumPy's pairwise summation of x[i], or of (x[i] − m)² when
// sq is set (the squared deviations of numpy.var, summed without a
// temporary array in the same order).
func pairwise(x []float64, m float64, sq bool) float64 {
	val := func(v float64) float64 {
		if sq {
			d := v - m
			return d * d
		}
		return v
	}
	n := len(x)
	switch {
	case n < 8:
		s := 0.0
		for _, v := range x {
			s += val(v)
		}
		return s
	case n <= 128:
		var r [8]float64
		for j := range r {
			r[j] = val(x[j])
		}
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range r {
				r[j] += val(x[i+j])
			}
		}
		s := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			s += val(x[i])
		}
		return s
	}
	n2 := n / 2
	n2 -= n2 % 8
	return pairwise(x[:n2], m, sq) + pairwise(x[n2:], m, sq)
}

// npMean is numpy.mean of x (NaN when empty).
func npMean(x []float64) float64 { return npSum(x) / float64(len(x)) }

// npVar is numpy.var(x, ddof=0): the pairwise sum of the squared
// deviations from npMean, over n.
func npVar(x []float64) float64 {
	return pairwise(x, npMean(x), true) / float64(len(x))
}

// npStd is numpy.std(x), the population standard deviation.
func npStd(x []float64) float64 { return math.Sqrt(npVar(x)) }

// sortedCopy returns x sorted ascending.
func sortedCopy(x []float64) []float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	return s
}

// npQuantileSorted is numpy.quantile of sorted values at q with the
// default "linear" method: the virtual index n·q + (1 − q) − 1 (NumPy's
// _compute_virtual_index with α = β = 1) and its _lerp, which
// interpolates from the upper neighbour when the fraction is at least ½.
func npQuantileSorted(s []float64, q float64) float64 {
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	v := float64(n)*q + (1 + q*(1-1-1)) - 1
	lo := math.Floor(v)
	i := int(lo)
	if i < 0 {
		return s[0]
	}
	if i >= n-1 {
		return s[n-1]
	}
	g := v - lo
	a, b := s[i], s[i+1]
	d := b - a
	if g >= 0.5 {
		return b - d*(1-g)
	}
	return a + d*g
}

// npQuantile is numpy.quantile(x, q).
func npQuantile(x []float64, q float64) float64 { return npQuantileSorted(sortedCopy(x), q) }

// npMedian is numpy.median(x): the middle value, or the mean of the two
// middle values.
func npMedian(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	s := sortedCopy(x)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// npArgsort is numpy.argsort(x) with its default kind, "quicksort" — NumPy
// 1.24's introsort for doubles (numpy/core/src/npysort/quicksort.cpp
// aquicksort_: median-of-three partitions, insertion sort below 16
// elements, heapsort past a depth of 2·⌊log2 n⌋; NaN sorts last). It is not
// a stable sort: equal values come out in the order this procedure leaves
// them, and eemeter's sums over data sorted by temperature add in that
// order.
func npArgsort(x []float64) []int {
	less := func(a, b float64) bool { return a < b || (b != b && a == a) }
	n := len(x)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if n < 2 {
		return idx
	}
	const smallQuicksort = 15
	type span struct{ l, r, depth int }
	var stack []span
	pl, pr := 0, n-1
	cdepth := 0
	for u := n; u > 1; u >>= 1 {
		cdepth++
	}
	cdepth *= 2
	for {
		if cdepth < 0 {
			npHeapArgsort(x, idx[pl:pr+1], less)
		} else {
			for pr-pl > smallQuicksort {
				pm := pl + ((pr - pl) >> 1)
				if less(x[idx[pm]], x[idx[pl]]) {
					idx[pm], idx[pl] = idx[pl], idx[pm]
				}
				if less(x[idx[pr]], x[idx[pm]]) {
					idx[pr], idx[pm] = idx[pm], idx[pr]
				}
				if less(x[idx[pm]], x[idx[pl]]) {
					idx[pm], idx[pl] = idx[pl], idx[pm]
				}
				vp := x[idx[pm]]
				pi, pj := pl, pr-1
				idx[pm], idx[pj] = idx[pj], idx[pm]
				for {
					pi++
					for less(x[idx[pi]], vp) {
						pi++
					}
					pj--
					for less(vp, x[idx[pj]]) {
						pj--
					}
					if pi >= pj {
						break
					}
					idx[pi], idx[pj] = idx[pj], idx[pi]
				}
				pk := pr - 1
				idx[pi], idx[pk] = idx[pk], idx[pi]
				cdepth--
				if pi-pl < pr-pi {
					stack = append(stack, span{pi + 1, pr, cdepth})
					pr = pi - 1
				} else {
					stack = append(stack, span{pl, pi - 1, cdepth})
					pl = pi + 1
				}
			}
			for pi := pl + 1; pi <= pr; pi++ {
				vi := idx[pi]
				vp := x[vi]
				pj := pi
				for pj > pl && less(vp, x[idx[pj-1]]) {
					idx[pj] = idx[pj-1]
					pj--
				}
				idx[pj] = vi
			}
		}
		if len(stack) == 0 {
			break
		}
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		pl, pr, cdepth = top.l, top.r, top.depth
	}
	return idx
}

// npHeapArgsort is NumPy's aheapsort_ on the index slice a.
func npHeapArgsort(v []float64, a []int, less func(a, b float64) bool) {
	n := len(a)
	// siftDown moves tmp down from heap position i (one-based) in a[:n].
	siftDown := func(tmp, i, n int) {
		for j := 2 * i; j <= n; {
			if j < n && less(v[a[j-1]], v[a[j]]) {
				j++
			}
			if !less(v[tmp], v[a[j-1]]) {
				break
			}
			a[i-1] = a[j-1]
			i = j
			j += j
		}
		a[i-1] = tmp
	}
	for l := n >> 1; l > 0; l-- {
		siftDown(a[l-1], l, n)
	}
	for ; n > 1; n-- {
		tmp := a[n-1]
		a[n-1] = a[0]
		siftDown(tmp, 1, n-1)
	}
}

// oomExact is eemeter's OoM(x, "exact") for one value: log10|x|, and 1
// for zero (opendsm/common/utils.py OoM_numba).
func oomExact(x float64) float64 {
	if x == 0 {
		return 1
	}
	return glibcLog10(math.Abs(x))
}

// oomFloor is OoM(x, "floor"): ⌊log10|x|⌋, and 1 for zero.
func oomFloor(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Floor(glibcLog10(math.Abs(x)))
}

// pow10 is 10**x as Python computes a float power (the C library's pow,
// correctly rounded).
func pow10(x float64) float64 { return crPow(10, x) }
