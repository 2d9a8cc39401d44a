package savings

import "math"

// One-dimensional minimisers as SciPy 1.10 runs them for eemeter 4.1.1:
// scipy.optimize.minimize_scalar(method="brent") — a bracket grown from
// (0, 1) by golden steps and parabolic extrapolation (scipy.optimize.bracket:
// golden ratio 1.618034, growth limit 110, tiny denominator 1e-21), then
// Brent's method with relative tolerance tol, absolute floor 1e-11, golden
// fraction 0.3819660 and at most 500 iterations — and method="bounded"
// (fminbound: Brent's method on [a, b] with absolute tolerance xatol,
// √(2.2e-16) relative, at most 500 evaluations). eemeter's slopes come from
// the first with tol = 0.1, a loose tolerance, so the slope each trial
// breakpoint gets (and so the whole breakpoint search) depends on these
// exact steps.

// brentBracket is scipy.optimize.bracket from xa = 0, xb = 1.
func brentBracket(f func(float64) float64) (xa, xb, xc, fa, fb, fc float64) {
	const gold, grow, tiny = 1.618034, 110.0, 1e-21
	xa, xb = 0, 1
	fa, fb = f(xa), f(xb)
	if fa < fb {
		xa, xb = xb, xa
		fa, fb = fb, fa
	}
	xc = xb + gold*(xb-xa)
	fc = f(xc)
	for iter := 0; fc < fb && iter <= 1000; iter++ {
		tmp1 := (xb - xa) * (fb - fc)
		tmp2 := (xb - xc) * (fb - fa)
		val := tmp2 - tmp1
		denom := 2 * val
		if math.Abs(val) < tiny {
			denom = 2 * tiny
		}
		w := xb - ((xb-xc)*tmp2-(xb-xa)*tmp1)/denom
		wlim := xb + grow*(xc-xb)
		var fw float64
		switch {
		case (w-xc)*(xb-w) > 0:
			fw = f(w)
			if fw < fc {
				return xb, w, xc, fb, fw, fc
			} else if fw > fb {
				return xa, xb, w, fa, fb, fw
			}
			w = xc + gold*(xc-xb)
			fw = f(w)
		case (w-wlim)*(wlim-xc) >= 0:
			w = wlim
			fw = f(w)
		case (w-wlim)*(xc-w) > 0:
			fw = f(w)
			if fw < fc {
				xb, xc, w = xc, w, w+gold*(w-xc)
				fb, fc, fw = fc, fw, f(w)
			}
		default:
			w = xc + gold*(xc-xb)
			fw = f(w)
		}
		xa, xb, xc = xb, xc, w
		fa, fb, fc = fb, fc, fw
	}
	return xa, xb, xc, fa, fb, fc
}

// brentMinimize is minimize_scalar(f, method="brent", tol=tol).x.
func brentMinimize(f func(float64) float64, tol float64) float64 {
	const mintol, cg, maxiter = 1.0e-11, 0.3819660, 500
	xa, xb, xc, _, fb, _ := brentBracket(f)
	st := &brentState{x: xb, w: xb, v: xb, fx: fb, fw: fb, fv: fb, a: xc, b: xa}
	if xa < xc {
		st.a, st.b = xa, xc
	}
	deltax, rat := 0.0, 0.0
	for iter := 0; iter < maxiter; iter++ {
		x, w, v, fx, fw, fv, a, b := st.x, st.w, st.v, st.fx, st.fw, st.fv, st.a, st.b
		tol1 := tol*math.Abs(x) + mintol
		tol2 := 2 * tol1
		xmid := 0.5 * (a + b)
		if math.Abs(x-xmid) < tol2-0.5*(b-a) {
			break
		}
		if math.Abs(deltax) <= tol1 {
			if x >= xmid {
				deltax = a - x
			} else {
				deltax = b - x
			}
			rat = cg * deltax
		} else {
			tmp1 := (x - w) * (fx - fv)
			tmp2 := (x - v) * (fx - fw)
			p := (x-v)*tmp2 - (x-w)*tmp1
			tmp2 = 2 * (tmp2 - tmp1)
			if tmp2 > 0 {
				p = -p
			}
			tmp2 = math.Abs(tmp2)
			dxTemp := deltax
			deltax = rat
			if p > tmp2*(a-x) && p < tmp2*(b-x) && math.Abs(p) < math.Abs(0.5*tmp2*dxTemp) {
				rat = p * 1.0 / tmp2
				u := x + rat
				if u-a < tol2 || b-u < tol2 {
					if xmid-x >= 0 {
						rat = tol1
					} else {
						rat = -tol1
					}
				}
			} else {
				if x >= xmid {
					deltax = a - x
				} else {
					deltax = b - x
				}
				rat = cg * deltax
			}
		}
		var u float64
		if math.Abs(rat) < tol1 {
			if rat >= 0 {
				u = x + tol1
			} else {
				u = x - tol1
			}
		} else {
			u = x + rat
		}
		fu := f(u)
		st.accept(u, fu)
	}
	return st.x
}

// boundedMinimize is minimize_scalar(f, bounds=(lo, hi), method="bounded",
// options={"xatol": xatol}): the minimiser and its value.
func boundedMinimize(f func(float64) float64, lo, hi, xatol float64) (float64, float64) {
	const maxfun = 500
	sqrtEps := math.Sqrt(2.2e-16)
	goldenMean := 0.5 * (3.0 - math.Sqrt(5.0))
	a, b := lo, hi
	fulc := a + goldenMean*(b-a)
	nfc, xf := fulc, fulc
	rat, e := 0.0, 0.0
	x := xf
	fx := f(x)
	num := 1
	ffulc, fnfc := fx, fx
	xm := 0.5 * (a + b)
	tol1 := sqrtEps*math.Abs(xf) + xatol/3.0
	tol2 := 2.0 * tol1
	for math.Abs(xf-xm) > tol2-0.5*(b-a) {
		golden := true
		if math.Abs(e) > tol1 {
			golden = false
			r := (xf - nfc) * (fx - ffulc)
			q := (xf - fulc) * (fx - fnfc)
			p := (xf-fulc)*q - (xf-nfc)*r
			q = 2.0 * (q - r)
			if q > 0 {
				p = -p
			}
			q = math.Abs(q)
			r = e
			e = rat
			if math.Abs(p) < math.Abs(0.5*q*r) && p > q*(a-xf) && p < q*(b-xf) {
				rat = (p + 0.0) / q
				x = xf + rat
				if x-a < tol2 || b-x < tol2 {
					si := sign(xm - xf)
					if xm-xf == 0 {
						si++
					}
					rat = tol1 * si
				}
			} else {
				golden = true
			}
		}
		if golden {
			if xf >= xm {
				e = a - xf
			} else {
				e = b - xf
			}
			rat = goldenMean * e
		}
		si := sign(rat)
		if rat == 0 {
			si++
		}
		x = xf + si*math.Max(math.Abs(rat), tol1)
		fu := f(x)
		num++
		st := brentState{x: xf, w: nfc, v: fulc, fx: fx, fw: fnfc, fv: ffulc, a: a, b: b}
		st.accept(x, fu)
		xf, nfc, fulc, fx, fnfc, ffulc, a, b = st.x, st.w, st.v, st.fx, st.fw, st.fv, st.a, st.b
		xm = 0.5 * (a + b)
		tol1 = sqrtEps*math.Abs(xf) + xatol/3.0
		tol2 = 2.0 * tol1
		if num >= maxfun {
			break
		}
	}
	return xf, fx
}

// sign is numpy.sign for a float: −1, 0 or 1 (NaN stays NaN).
func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return x
}

// brentState is the bracket [a, b] and the three best points of Brent's
// method: x (lowest value), w (second lowest), v (previous w).
type brentState struct {
	x, w, v    float64
	fx, fw, fv float64
	a, b       float64
}

// accept takes the trial point u with value fu (the same update in
// SciPy's Brent.optimize and _minimize_scalar_bounded).
func (s *brentState) accept(u, fu float64) {
	if fu > s.fx {
		if u < s.x {
			s.a = u
		} else {
			s.b = u
		}
		if fu <= s.fw || s.w == s.x {
			s.v, s.w = s.w, u
			s.fv, s.fw = s.fw, fu
		} else if fu <= s.fv || s.v == s.x || s.v == s.w {
			s.v, s.fv = u, fu
		}
		return
	}
	if u >= s.x {
		s.a = s.x
	} else {
		s.b = s.x
	}
	s.v, s.w, s.x = s.w, s.x, u
	s.fv, s.fw, s.fx = s.fw, s.fx, fu
}
