// MEAN over some axes, int8 (TFLite Micro's `QuantizedMeanOrSum`, mean branch).
//
// Sums in int32, removes the input zero point, and folds the division by the element count
// into the requantisation multiplier the way TFLM does (so results match bit for bit).

/// Parameters of MEAN, computed at prepare time.
public struct MeanParameters: Sendable, Equatable {
    public var inputShape: [Int]
    /// Axes reduced, sorted, without duplicates.
    public var axes: [Int]
    public var outputCount: Int
    public var inputZeroPoint: Int32
    public var outputZeroPoint: Int32
    /// Multiplier already divided by the number of reduced elements.
    public var multiplier: Int32
    public var shift: Int
    public var reducedCount: Int

    /// Derives TFLM's adjusted multiplier from `inputScale / outputScale` and the reduced count.
    public init(
        inputShape: [Int], axes: [Int], inputScale: Float, inputZeroPoint: Int32, outputScale: Float,
        outputZeroPoint: Int32
    ) {
        self.inputShape = inputShape
        self.axes = Array(Set(axes.map { $0 < 0 ? $0 + inputShape.count : $0 })).sorted()
        self.reducedCount = self.axes.reduce(1) { $0 * inputShape[$1] }
        self.outputCount = inputShape.reduce(1, *) / max(reducedCount, 1)
        self.inputZeroPoint = inputZeroPoint
        self.outputZeroPoint = outputZeroPoint
        let base = QuantizedMultiplier(Double(inputScale) / Double(outputScale))
        let count = Int64(reducedCount)
        var shift = 63 - count.leadingZeroBitCount
        shift = min(shift, 32)
        shift = min(shift, 31 + base.shift)
        multiplier = Int32(truncatingIfNeeded: (Int64(base.multiplier) << Int64(shift)) / count)
        self.shift = base.shift - shift
    }
}

/// Reference int8 mean; `sums` is scratch space for `outputCount` int32 values.
public func meanReference(
    _ p: MeanParameters, input: UnsafePointer<Int8>, sums: UnsafeMutablePointer<Int32>,
    output: UnsafeMutablePointer<Int8>
) {
    sums.update(repeating: 0, count: p.outputCount)
    let rank = p.inputShape.count
    var reduced = [Bool](repeating: false, count: rank)
    for axis in p.axes { reduced[axis] = true }
    var index = [Int](repeating: 0, count: rank)
    let total = p.inputShape.reduce(1, *)
    for flat in 0..<total {
        var out = 0
        for d in 0..<rank where !reduced[d] { out = out * p.inputShape[d] + index[d] }
        sums[out] &+= Int32(input[flat])
        // Advance the multi-index (row-major).
        var d = rank - 1
        while d >= 0 {
            index[d] += 1
            if index[d] < p.inputShape[d] { break }
            index[d] = 0
            d -= 1
        }
    }
    let count = Int32(truncatingIfNeeded: p.reducedCount)
    for i in 0..<p.outputCount {
        let shifted = sums[i] &- p.inputZeroPoint &* count
        let value = multiplyByQuantizedMultiplier(shifted, p.multiplier, p.shift) &+ p.outputZeroPoint
        output[i] = Int8(truncatingIfNeeded: min(max(value, -128), 127))
    }
}
