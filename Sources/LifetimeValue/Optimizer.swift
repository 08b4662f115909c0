import Foundation

/// Minimisers for the (negative, averaged) log-likelihoods.
///
/// Why BFGS with a strong-Wolfe line search: the likelihoods are smooth in
/// the log-parameters, have only 3–4 dimensions and cheap analytic
/// gradients, so a quasi-Newton method converges in a few dozen evaluations —
/// each of which is a pass over up to a million customers. Nelder–Mead needs
/// no gradient and is kept as a fallback for when the line search fails.
public enum Optimizer {
    /// Objective returning the value and its gradient at a point.
    public typealias Objective = ([Double]) -> (value: Double, gradient: [Double])

    public struct Options: Sendable {
        /// Stop when max |gradient component| falls below this.
        public var gradientTolerance = 1e-9
        /// A run that stalls (relative change of f below `relativeTolerance`)
        /// still counts as converged if the gradient is below this.
        public var acceptableGradient = 1e-5
        public var relativeTolerance = 1e-14
        public var maxIterations = 500
        /// Largest change of any coordinate in one step (log-parameters:
        /// a factor e⁵), so a bad early direction cannot overflow exp().
        public var maxStep = 5.0
        public init() {}
    }

    public struct Result: Sendable {
        public var x: [Double]
        public var value: Double
        public var gradient: [Double]
        public var gradientNorm: Double
        public var iterations: Int
        public var evaluations: Int
        public var converged: Bool
        public var method: String
        public var message: String
    }

    @inline(__always) static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }

    @inline(__always) static func maxAbs(_ a: [Double]) -> Double {
        a.reduce(0) { max($0, abs($1)) }
    }

    /// BFGS on the inverse Hessian, first step scaled by Shanno's rule, strong
    /// Wolfe line search (Nocedal & Wright, algorithms 3.5/3.6).
    public static func bfgs(_ f: Objective, start: [Double], options: Options = Options()) -> Result {
        let n = start.count
        var evals = 0
        func eval(_ p: [Double]) -> (Double, [Double]) {
            evals += 1
            let (v, g) = f(p)
            return (v.isFinite && g.allSatisfy(\.isFinite)) ? (v, g) : (.infinity, g)
        }
        var x = start
        var (fx, gx) = eval(x)
        guard fx.isFinite else {
            return Result(x: x, value: fx, gradient: gx, gradientNorm: .nan, iterations: 0, evaluations: evals,
                          converged: false, method: "BFGS", message: "objective not finite at the start point")
        }
        var H = identity(n)
        var freshH = true
        var stalls = 0
        var message = "maximum iterations reached"
        var converged = false
        var iter = 0
        while iter < options.maxIterations {
            let gnorm = maxAbs(gx)
            if gnorm <= options.gradientTolerance {
                converged = true; message = "gradient tolerance reached"; break
            }
            iter += 1
            var d = [Double](repeating: 0, count: n)
            for i in 0..<n { for j in 0..<n { d[i] -= H[i][j] * gx[j] } }
            var slope = dot(d, gx)
            if !(slope < 0) {
                H = identity(n); freshH = true
                d = gx.map { -$0 }; slope = dot(d, gx)
            }
            let dmax = maxAbs(d)
            let step0 = dmax > options.maxStep ? options.maxStep / dmax : 1.0
            guard let ls = lineSearch(eval, x: x, fx: fx, d: d, slope: slope, step0: step0) else {
                // At the floating-point noise floor of f no step can decrease
                // it; with a small gradient that is convergence, not failure.
                if !freshH && gnorm > options.acceptableGradient { H = identity(n); freshH = true; continue }
                converged = gnorm <= options.acceptableGradient
                message = converged ? "line search cannot improve further; gradient small" : "line search failed"
                break
            }
            let s = (0..<n).map { ls.x[$0] - x[$0] }
            let y = (0..<n).map { ls.g[$0] - gx[$0] }
            let sy = dot(s, y)
            if sy > 1e-14 * sqrt(dot(s, s) * dot(y, y)) {
                if freshH {
                    let scale = sy / dot(y, y)
                    H = identity(n).map { $0.map { $0 * scale } }
                    freshH = false
                }
                H = bfgsUpdate(H, s: s, y: y, sy: sy)
            }
            let change = abs(fx - ls.f) / max(abs(fx), abs(ls.f), 1)
            x = ls.x; fx = ls.f; gx = ls.g
            stalls = change <= options.relativeTolerance ? stalls + 1 : 0
            if stalls >= 1 && maxAbs(gx) <= options.acceptableGradient || stalls >= 3 {
                converged = maxAbs(gx) <= options.acceptableGradient
                message = converged ? "function change below tolerance" : "stalled with large gradient"
                break
            }
        }
        let gnorm = maxAbs(gx)
        if !converged && gnorm <= options.gradientTolerance { converged = true; message = "gradient tolerance reached" }
        return Result(x: x, value: fx, gradient: gx, gradientNorm: gnorm, iterations: iter, evaluations: evals,
                      converged: converged, method: "BFGS", message: message)
    }

    static func identity(_ n: Int) -> [[Double]] {
        (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
    }

    /// H⁺ = (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1/(yᵀs).
    static func bfgsUpdate(_ H: [[Double]], s: [Double], y: [Double], sy: Double) -> [[Double]] {
        let n = s.count
        let rho = 1 / sy
        let hy = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + H[i][$1] * y[$1] } }
        let yhy = dot(y, hy)
        var out = H
        for i in 0..<n {
            for j in 0..<n {
                out[i][j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j]
            }
        }
        return out
    }

    struct Point { var step: Double; var x: [Double]; var f: Double; var g: [Double]; var slope: Double }

    /// Strong Wolfe line search (c₁ = 1e-4, c₂ = 0.9). A non-finite objective
    /// is treated as +∞, which shrinks the step. Returns nil if no point with
    /// sufficient decrease was found.
    static func lineSearch(_ eval: ([Double]) -> (Double, [Double]), x: [Double], fx: Double, d: [Double],
                           slope: Double, step0: Double) -> (x: [Double], f: Double, g: [Double])? {
        let c1 = 1e-4, c2 = 0.9
        func at(_ step: Double) -> Point {
            let p = (0..<x.count).map { x[$0] + step * d[$0] }
            let (v, g) = eval(p)
            return Point(step: step, x: p, f: v, g: g, slope: v.isFinite ? dot(g, d) : .nan)
        }
        func armijo(_ p: Point) -> Bool { p.f.isFinite && p.f <= fx + c1 * p.step * slope }
        func zoom(_ lo0: Point, _ hi0: Point) -> Point? {
            var lo = lo0, hi = hi0
            for _ in 0..<25 {
                var t = 0.5 * (lo.step + hi.step)
                if hi.f.isFinite && lo.slope.isFinite {
                    // Quadratic through f(lo), f'(lo), f(hi), safeguarded.
                    let dt = hi.step - lo.step
                    let denom = 2 * (hi.f - lo.f - lo.slope * dt)
                    if denom != 0 {
                        let q = lo.step - lo.slope * dt * dt / denom
                        let a = min(lo.step, hi.step), b = max(lo.step, hi.step)
                        if q.isFinite && q > a + 0.1 * (b - a) && q < b - 0.1 * (b - a) { t = q }
                    }
                }
                if abs(hi.step - lo.step) < 1e-16 * max(1, abs(lo.step)) { break }
                let p = at(t)
                if !armijo(p) || p.f >= lo.f {
                    hi = p
                } else {
                    if abs(p.slope) <= -c2 * slope { return p }
                    if p.slope * (hi.step - lo.step) >= 0 { hi = lo }
                    lo = p
                }
            }
            return lo.step > 0 && lo.f < fx ? lo : nil
        }
        let origin = Point(step: 0, x: x, f: fx, g: [], slope: slope)
        var prev = origin
        var step = step0
        for i in 0..<30 {
            let p = at(step)
            if !armijo(p) || (i > 0 && p.f >= prev.f) {
                return zoom(prev, p).map { ($0.x, $0.f, $0.g) }
            }
            if abs(p.slope) <= -c2 * slope { return (p.x, p.f, p.g) }
            if p.slope >= 0 { return zoom(p, prev).map { ($0.x, $0.f, $0.g) } }
            prev = p
            step *= 2
        }
        return prev.step > 0 ? (prev.x, prev.f, prev.g) : nil
    }

    /// Nelder–Mead simplex (coefficients 1, 2, ½, ½) from `start` with initial
    /// edge `step`. Stops when the spread of simplex values is below
    /// `tolerance` (relative) and the simplex is small.
    public static func nelderMead(_ f: ([Double]) -> Double, start: [Double], step: Double = 0.5,
                                  maxIterations: Int = 5000, tolerance: Double = 1e-14) -> Result {
        let n = start.count
        var evals = 0
        func F(_ p: [Double]) -> Double { evals += 1; let v = f(p); return v.isFinite ? v : .infinity }
        var pts = [start]
        for i in 0..<n { var p = start; p[i] += step; pts.append(p) }
        var vals = pts.map(F)
        var iter = 0
        var converged = false
        while iter < maxIterations {
            iter += 1
            let order = vals.indices.sorted { vals[$0] < vals[$1] }
            pts = order.map { pts[$0] }; vals = order.map { vals[$0] }
            let spread = abs(vals[n] - vals[0]) / max(abs(vals[0]), 1e-300)
            let size = (1...n).map { i in zip(pts[i], pts[0]).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
            if spread <= tolerance && size <= 1e-9 { converged = true; break }
            var centroid = [Double](repeating: 0, count: n)
            for i in 0..<n { for j in 0..<n { centroid[j] += pts[i][j] / Double(n) } }
            func along(_ c: Double) -> [Double] { (0..<n).map { centroid[$0] + c * (pts[n][$0] - centroid[$0]) } }
            let xr = along(-1), fr = F(xr)
            if fr < vals[0] {
                let xe = along(-2), fe = F(xe)
                if fe < fr { pts[n] = xe; vals[n] = fe } else { pts[n] = xr; vals[n] = fr }
            } else if fr < vals[n - 1] {
                pts[n] = xr; vals[n] = fr
            } else {
                let xc = fr < vals[n] ? along(-0.5) : along(0.5)
                let fc = F(xc)
                if fc < min(fr, vals[n]) {
                    pts[n] = xc; vals[n] = fc
                } else {
                    for i in 1...n {
                        pts[i] = (0..<n).map { pts[0][$0] + 0.5 * (pts[i][$0] - pts[0][$0]) }
                        vals[i] = F(pts[i])
                    }
                }
            }
        }
        let best = vals.indices.min { vals[$0] < vals[$1] } ?? 0
        return Result(x: pts[best], value: vals[best], gradient: [], gradientNorm: .nan, iterations: iter,
                      evaluations: evals, converged: converged, method: "Nelder-Mead",
                      message: converged ? "simplex converged" : "maximum iterations reached")
    }
}
