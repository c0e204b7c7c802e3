package org.zerotir.reward;

/** A complex double, for evaluating answers such as {@code 6-5i} or {@code \sqrt{-3}} at sample points. */
record Complex(double re, double im) {
    static final Complex ZERO = new Complex(0, 0);
    static final Complex ONE = new Complex(1, 0);
    static final Complex I = new Complex(0, 1);
    static final Complex NAN = new Complex(Double.NaN, Double.NaN);

    static Complex real(double re) {
        return new Complex(re, 0);
    }

    boolean isFinite() {
        return Double.isFinite(re) && Double.isFinite(im);
    }

    boolean isReal() {
        return im == 0;
    }

    double abs() {
        return Math.hypot(re, im);
    }

    Complex add(Complex o) {
        return new Complex(re + o.re, im + o.im);
    }

    Complex subtract(Complex o) {
        return new Complex(re - o.re, im - o.im);
    }

    Complex negate() {
        return new Complex(-re, -im);
    }

    Complex multiply(Complex o) {
        if (im == 0 && o.im == 0) return real(re * o.re);
        return new Complex(re * o.re - im * o.im, re * o.im + im * o.re);
    }

    Complex divide(Complex o) {
        if (im == 0 && o.im == 0) return o.re == 0 ? NAN : real(re / o.re);
        double d = o.re * o.re + o.im * o.im;
        if (d == 0) return NAN;
        return new Complex((re * o.re + im * o.im) / d, (im * o.re - re * o.im) / d);
    }

    static Complex exp(Complex z) {
        double m = Math.exp(z.re);
        return z.im == 0 ? real(m) : new Complex(m * Math.cos(z.im), m * Math.sin(z.im));
    }

    /** Principal logarithm. */
    static Complex log(Complex z) {
        if (z.im == 0 && z.re > 0) return real(Math.log(z.re));
        if (z.re == 0 && z.im == 0) return NAN;
        return new Complex(Math.log(z.abs()), Math.atan2(z.im, z.re));
    }

    static Complex sqrt(Complex z) {
        if (z.im == 0) return z.re >= 0 ? real(Math.sqrt(z.re)) : new Complex(0, Math.sqrt(-z.re));
        double m = z.abs();
        double re = Math.sqrt((m + z.re) / 2), im = Math.copySign(Math.sqrt((m - z.re) / 2), z.im);
        return new Complex(re, im);
    }

    /**
     * z^w. Small integer powers by repeated multiplication (exact for integers, and defined for negative bases);
     * otherwise the principal value. Huge exponents overflow to infinity, which callers treat as "no sample here".
     */
    static Complex pow(Complex z, Complex w) {
        if (w.im == 0 && w.re == Math.rint(w.re) && Math.abs(w.re) <= 64) {
            int n = (int) Math.abs(w.re);
            Complex result = ONE, base = z;
            while (n > 0) {
                if ((n & 1) == 1) result = result.multiply(base);
                base = base.multiply(base);
                n >>= 1;
            }
            return w.re < 0 ? ONE.divide(result) : result;
        }
        if (z.im == 0 && w.im == 0 && z.re >= 0) return real(Math.pow(z.re, w.re));
        if (z.re == 0 && z.im == 0) return w.re > 0 ? ZERO : NAN;
        return exp(w.multiply(log(z)));
    }

    /** The real n-th root of a negative real for odd n (what {@code \sqrt[3]{-8}} means), else the principal one. */
    static Complex root(Complex z, Complex n) {
        if (n.im == 0 && n.re == Math.rint(n.re) && n.re != 0) {
            if (n.re == 2) return sqrt(z);
            if (z.im == 0 && z.re < 0 && Math.abs(n.re) % 2 == 1) return real(-Math.pow(-z.re, 1 / n.re));
        }
        return pow(z, ONE.divide(n));
    }

    static Complex sin(Complex z) {
        if (z.im == 0) return real(Math.sin(z.re));
        return new Complex(Math.sin(z.re) * Math.cosh(z.im), Math.cos(z.re) * Math.sinh(z.im));
    }

    static Complex cos(Complex z) {
        if (z.im == 0) return real(Math.cos(z.re));
        return new Complex(Math.cos(z.re) * Math.cosh(z.im), -Math.sin(z.re) * Math.sinh(z.im));
    }
}
