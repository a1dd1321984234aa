// Tensor: a shape plus contiguous float32 storage, row-major, images in NHWC order.
// Deliberately not an autograd tensor and not a view type: layers own their forward and
// backward, and everything is a plain value with copy-on-write storage.

/// Contiguous float32 array with a shape; images are `(N, H, W, C)`.
public struct Tensor: Sendable, Equatable {
    /// Dimension sizes, outermost first.
    public var shape: [Int]
    /// Row-major storage; `data.count == shape.reduce(1, *)`.
    public var data: [Float]

    /// Wraps `data` with `shape`; the element counts must agree.
    public init(shape: [Int], data: [Float]) {
        precondition(
            shape.reduce(1, *) == data.count,
            "Tensor: shape \(shape) needs \(shape.reduce(1, *)) values, got \(data.count)")
        self.shape = shape
        self.data = data
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.shape = shape
        self.data = [Float](repeating: 0, count: shape.reduce(1, *))
    }

    /// A tensor whose storage is allocated but not initialised; every element must be written.
    init(uninitialized shape: [Int]) {
        let count = shape.reduce(1, *)
        self.shape = shape
        self.data = [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// Number of elements.
    public var count: Int { data.count }

    /// The first dimension (batch size for images).
    public var batchSize: Int { shape.first ?? 0 }

    /// Elements per item of the first dimension.
    public var itemCount: Int { shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *) }

    /// The same values under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    /// Items `range` of the first dimension, copied.
    public func slice(_ range: Range<Int>) -> Tensor {
        let item = itemCount
        var newShape = shape
        newShape[0] = range.count
        return Tensor(shape: newShape, data: Array(data[(range.lowerBound * item)..<(range.upperBound * item)]))
    }

    /// Items at `indices` of the first dimension, gathered in that order.
    public func gather(_ indices: [Int]) -> Tensor {
        let item = itemCount
        var result = Tensor(uninitialized: [indices.count] + shape.dropFirst())
        data.withUnsafeBufferPointer { source in
            result.data.withUnsafeMutableBufferPointer { target in
                for (row, index) in indices.enumerated() {
                    (target.baseAddress! + row * item).update(from: source.baseAddress! + index * item, count: item)
                }
            }
        }
        return result
    }

    /// Index of the largest value in each row of a `(rows, columns)` view of the tensor.
    public func argmaxRows(columns: Int) -> [Int] {
        let rows = count / columns
        var result = [Int](repeating: 0, count: rows)
        data.withUnsafeBufferPointer { values in
            for row in 0..<rows {
                let base = row * columns
                var best = 0
                for column in 1..<max(columns, 1) where values[base + column] > values[base + best] { best = column }
                result[row] = best
            }
        }
        return result
    }
}

extension Tensor {
    /// The `(N, H, W, C)` sizes of a rank-4 tensor.
    var nhwc: (n: Int, h: Int, w: Int, c: Int) {
        precondition(shape.count == 4, "expected an (N, H, W, C) tensor, got shape \(shape)")
        return (shape[0], shape[1], shape[2], shape[3])
    }
}
