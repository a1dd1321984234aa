// BatchNormalization: the loops of batch normalisation over a `(rows, C)` matrix (NHWC
// activations with every axis but the channels flattened), eight channels per SIMD vector
// (a last group of fewer channels is loaded and stored lane by lane). Column sums walk
// L1-sized blocks of rows one channel group at a time with four running sums. Optionally
// clamps the output to [0, 6] (a ReLU6 fused by the model) and masks the gradient the same
// way, recomputing the unclamped output from the input rather than reading the output.
// What it is not: the layer — BatchNorm keeps the running statistics, gamma and beta.
// Generic over `MultiplyAdd`: the AVX2 build (TrainingKernelsAVX2) fuses each multiply-add.

/// Batch-norm kernels for `rows` rows of `channels` values.
public struct BatchNormalization: Sendable {
    public let rows: Int
    public let channels: Int

    public init(rows: Int, channels: Int) {
        precondition(rows > 0 && channels > 0, "BatchNormalization needs rows and channels")
        self.rows = rows
        self.channels = channels
    }

    @inlinable @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>, lanes: Int) -> SIMD8<Float> {
        if lanes == 8 { return UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self) }
        var value = SIMD8<Float>.zero
        for lane in 0..<lanes { value[lane] = pointer[lane] }
        return value
    }

    @inlinable @inline(__always)
    static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>, lanes: Int) {
        if lanes == 8 {
            UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
            return
        }
        for lane in 0..<lanes { pointer[lane] = value[lane] }
    }

    /// Adds `Σ_rows term(row·C + group, group, lanes)` to `first` and `second` for each
    /// channel group. Blocks of rows (8 KB of each input) are walked one channel group at a
    /// time with four running sums per target: the block stays in L1 between its groups, and
    /// no sum waits on the one before.
    @inlinable @inline(__always)
    func sumOverRows(
        into first: UnsafeMutablePointer<Float>, _ second: UnsafeMutablePointer<Float>,
        _ term: (_ offset: Int, _ group: Int, _ lanes: Int) -> (SIMD8<Float>, SIMD8<Float>)
    ) {
        let blockRows = max(4, 2048 / channels)
        for start in Swift.stride(from: 0, to: rows, by: blockRows) {
            let block = start..<min(start + blockRows, rows)
            for group in Swift.stride(from: 0, to: channels, by: 8) {
                // A literal 8 lets the loads and stores of whole groups compile to plain vector moves.
                if group + 8 <= channels {
                    sumDownRows(block, group: group, lanes: 8, into: first, second, term)
                } else {
                    sumDownRows(block, group: group, lanes: channels - group, into: first, second, term)
                }
            }
        }
    }

    @inlinable @inline(__always)
    func sumDownRows(
        _ block: Range<Int>, group: Int, lanes: Int, into first: UnsafeMutablePointer<Float>,
        _ second: UnsafeMutablePointer<Float>,
        _ term: (_ offset: Int, _ group: Int, _ lanes: Int) -> (SIMD8<Float>, SIMD8<Float>)
    ) {
        let c = channels
        var a0 = SIMD8<Float>.zero, a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0
        var row = block.lowerBound, offset = row * c + group
        while row + 4 <= block.upperBound {
            let (x0, y0) = term(offset, group, lanes), (x1, y1) = term(offset + c, group, lanes)
            let (x2, y2) = term(offset + 2 * c, group, lanes), (x3, y3) = term(offset + 3 * c, group, lanes)
            a0 += x0
            a1 += x1
            a2 += x2
            a3 += x3
            b0 += y0
            b1 += y1
            b2 += y2
            b3 += y3
            row += 4
            offset += 4 * c
        }
        while row < block.upperBound {
            let (x, y) = term(offset, group, lanes)
            a0 += x
            b0 += y
            row += 1
            offset += c
        }
        Self.store(Self.load(first + group, lanes: lanes) + ((a0 + a1) + (a2 + a3)), first + group, lanes: lanes)
        Self.store(Self.load(second + group, lanes: lanes) + ((b0 + b1) + (b2 + b3)), second + group, lanes: lanes)
    }

    /// Calls `body(row·C + group, group, lanes)` for every channel group of every row.
    @inlinable @inline(__always)
    func forEachGroup(_ body: (_ offset: Int, _ group: Int, _ lanes: Int) -> Void) {
        let c = channels
        if c % 8 == 0 {
            // A literal 8 lets the loads and stores compile to plain vector moves.
            for row in 0..<rows {
                for group in Swift.stride(from: 0, to: c, by: 8) { body(row * c + group, group, 8) }
            }
            return
        }
        for row in 0..<rows {
            for group in Swift.stride(from: 0, to: c, by: 8) { body(row * c + group, group, min(8, c - group)) }
        }
    }

    /// Per-channel mean and biased variance of `input` `(rows, C)` into `mean` and
    /// `variance` `(C)`, in one pass over values shifted by the first row (which keeps
    /// `E[(x − K)²] − E[x − K]²` free of cancellation when K is near the mean).
    @inlinable @inline(__always)
    public func statistics<M: MultiplyAdd>(
        input: UnsafePointer<Float>, mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>,
        _ multiplyAdd: M.Type
    ) {
        let c = channels
        mean.update(repeating: 0, count: c)
        variance.update(repeating: 0, count: c)
        sumOverRows(into: mean, variance) { offset, group, lanes in
            let d = Self.load(input + offset, lanes: lanes) - Self.load(input + group, lanes: lanes)
            return (d, d * d)
        }
        let n = Float(rows)
        for ch in 0..<c {
            let shiftedMean = mean[ch] / n
            mean[ch] = input[ch] + shiftedMean
            variance[ch] = max(variance[ch] / n - shiftedMean * shiftedMean, 0)
        }
    }

    /// `output = input · scale + shift` per channel, clamped to [0, 6] if `clampToSix`.
    @inlinable @inline(__always)
    public func normalize<M: MultiplyAdd>(
        input: UnsafePointer<Float>, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, clampToSix: Bool,
        output: UnsafeMutablePointer<Float>, _ multiplyAdd: M.Type
    ) {
        // Two copies of the loop, so that neither tests for the clamp per value.
        @inline(__always) func normalize(clamp: Bool) {
            forEachGroup { offset, group, lanes in
                var y = M.add(
                    Self.load(shift + group, lanes: lanes), Self.load(input + offset, lanes: lanes),
                    Self.load(scale + group, lanes: lanes))
                if clamp {
                    y.replace(with: 0, where: y .< 0)
                    y.replace(with: 6, where: y .> 6)
                }
                Self.store(y, output + offset, lanes: lanes)
            }
        }
        if clampToSix { normalize(clamp: true) } else { normalize(clamp: false) }
    }

    /// The gradient reaching the normalisation: `dOutput`, or, after a fused ReLU6, `dOutput`
    /// where the unclamped output `input · scale + shift` (recomputed exactly as `normalize`
    /// computed it, so the mask is the ReLU6's) lies strictly inside (0, 6), and 0 elsewhere.
    @inlinable @inline(__always)
    static func incoming<M: MultiplyAdd>(
        _ dOutput: UnsafePointer<Float>, _ input: UnsafePointer<Float>, _ clamp: ClampedNormalization?,
        _ offset: Int, _ group: Int, _ lanes: Int, _: M.Type
    ) -> SIMD8<Float> {
        let dy = load(dOutput + offset, lanes: lanes)
        guard let clamp else { return dy }
        let y = M.add(
            load(clamp.shift + group, lanes: lanes), load(input + offset, lanes: lanes),
            load(clamp.scale + group, lanes: lanes))
        return SIMD8<Float>.zero.replacing(with: dy, where: (y .> 0) .& (y .< 6))
    }

    /// Adds `Σ dy` to `dBeta` and `Σ dy · x̂` to `dGamma`, x̂ = (input − mean) · inverseStd,
    /// where dy is `dOutput` masked by the fused ReLU6 when `clamp` is given.
    @inlinable @inline(__always)
    public func parameterGradients<M: MultiplyAdd>(
        dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, clamp: ClampedNormalization?,
        mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>, dGamma: UnsafeMutablePointer<Float>,
        dBeta: UnsafeMutablePointer<Float>, _ multiplyAdd: M.Type
    ) {
        // Two copies of the loop, so that neither tests for the mask per value.
        @inline(__always) func sums(_ clamp: ClampedNormalization?) {
            sumOverRows(into: dBeta, dGamma) { offset, group, lanes in
                let dy = Self.incoming(dOutput, input, clamp, offset, group, lanes, M.self)
                let xhat =
                    (Self.load(input + offset, lanes: lanes) - Self.load(mean + group, lanes: lanes))
                    * Self.load(inverseStd + group, lanes: lanes)
                return (dy, dy * xhat)
            }
        }
        if let clamp { sums(clamp) } else { sums(nil) }
    }

    /// `dInput = a · dy − b − x̂ · d` per channel, with dy and x̂ as in `parameterGradients`.
    @inlinable @inline(__always)
    public func inputGradient<M: MultiplyAdd>(
        dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, clamp: ClampedNormalization?,
        mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>, a: UnsafePointer<Float>,
        b: UnsafePointer<Float>, d: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>, _ multiplyAdd: M.Type
    ) {
        // Two copies of the loop, so that neither tests for the mask per value.
        @inline(__always) func gradient(_ clamp: ClampedNormalization?) {
            forEachGroup { offset, group, lanes in
                let dy = Self.incoming(dOutput, input, clamp, offset, group, lanes, M.self)
                let xhat =
                    (Self.load(input + offset, lanes: lanes) - Self.load(mean + group, lanes: lanes))
                    * Self.load(inverseStd + group, lanes: lanes)
                let scaled = M.add(-Self.load(b + group, lanes: lanes), Self.load(a + group, lanes: lanes), dy)
                Self.store(M.add(scaled, -xhat, Self.load(d + group, lanes: lanes)), dInput + offset, lanes: lanes)
            }
        }
        if let clamp { gradient(clamp) } else { gradient(nil) }
    }
}

/// The per-channel `scale` and `shift` `(C)` of a forward pass whose output a fused ReLU6
/// clamped to [0, 6]: backward recomputes the unclamped output from them for the mask.
public struct ClampedNormalization {
    public let scale: UnsafePointer<Float>
    public let shift: UnsafePointer<Float>

    @inlinable
    public init(scale: UnsafePointer<Float>, shift: UnsafePointer<Float>) {
        self.scale = scale
        self.shift = shift
    }
}
