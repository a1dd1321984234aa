// Compute: how work is split across cores, and the thin sgemm wrapper over OpenBLAS.
// The engine parallelises over the batch itself (one chunk of images per core) and keeps
// OpenBLAS single-threaded, so the two never oversubscribe the cores. Not a thread pool:
// it uses Dispatch's concurrentPerform.

import COpenBLAS
import Dispatch
import Foundation
import Synchronization

/// Process-wide compute settings of the engine.
public enum Compute {
    private static let workerCount = Atomic<Int>(0)

    /// Number of batch chunks processed in parallel (defaults to the core count, at most 8).
    /// The same seed and the same thread count give bit-identical weights.
    public static var threads: Int {
        get {
            let value = workerCount.load(ordering: .relaxed)
            if value > 0 { return value }
            let initial = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
            configure(threads: initial)
            return initial
        }
    }

    /// Sets the number of parallel workers; OpenBLAS itself is kept at one thread.
    public static func configure(threads: Int) {
        workerCount.store(max(1, threads), ordering: .relaxed)
        openblas_set_num_threads(1)
        #if os(Linux)
        // Activation buffers are a few MB each and are freed and re-allocated every step.
        // Keep them on the heap (no mmap/munmap, no fresh zero pages) and never trim it:
        // page faults otherwise cost more than the arithmetic of a small model.
        mallopt(M_MMAP_THRESHOLD, 32 << 20)
        mallopt(M_TRIM_THRESHOLD, Int32.max)
        #endif
    }

    /// Splits `0..<count` into at most `threads` contiguous chunks and runs `body` on each,
    /// in parallel. `body` receives the chunk's range and its worker index.
    /// Workers available to the calling thread: 1 inside `serially`, else `threads`.
    static var activeThreads: Int { pthread_getspecific(serialKey) != nil ? 1 : threads }

    private static let serialKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Runs `body` with every `chunks` call on this thread done inline (for data-parallel
    /// training, where each core already runs a whole replica of the model).
    static func serially<T>(_ body: () -> T) -> T {
        let previous = pthread_getspecific(serialKey)
        pthread_setspecific(serialKey, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(serialKey, previous) }
        return body()
    }

    static func chunks(_ count: Int, minimumPerChunk: Int = 1, _ body: (Range<Int>, Int) -> Void) {
        let workers = max(1, min(activeThreads, count / max(minimumPerChunk, 1)))
        if workers == 1 {
            body(0..<count, 0)
            return
        }
        // concurrentPerform wants a @Sendable closure, but `body` writes through raw
        // pointers into disjoint chunks and concurrentPerform returns only after every
        // iteration finished, so sharing it is safe. This is the engine's one opt-out of
        // Sendable checking; every layer's parallel work goes through here.
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let lower = count * worker / workers
            let upper = count * (worker + 1) / workers
            body(lower..<upper, worker)
        }
    }
}

/// Row-major single-precision matrix product `C = alpha * op(A) * op(B) + beta * C`,
/// where `op(A)` is `(m, k)`, `op(B)` is `(k, n)` and `C` is `(m, n)`.
@inline(__always)
func gemm(
    transposeA: Bool = false, transposeB: Bool = false,
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        if beta == 0 { c.update(repeating: 0, count: (m - 1) * ldc + n) }
        return
    }
    cblas_sgemm(
        CblasRowMajor,
        transposeA ? CblasTrans : CblasNoTrans,
        transposeB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Times `repetitions` square `size`-sized sgemm calls and returns GFLOP/s (single thread
/// if `threads` is 1). Used by the benchmarks to report the fraction of peak reached.
public func measureSgemmGflops(size: Int = 512, repetitions: Int = 20, threads: Int = 1) -> Double {
    let a = [Float](repeating: 0.5, count: size * size)
    let b = [Float](repeating: 0.25, count: size * size)
    var c = [Float](repeating: 0, count: size * size)
    openblas_set_num_threads(Int32(threads))
    defer { openblas_set_num_threads(1) }
    var best = Double.infinity
    for _ in 0..<repetitions {
        let start = DispatchTime.now().uptimeNanoseconds
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    gemm(
                        m: size, n: size, k: size, a: a.baseAddress!, lda: size, b: b.baseAddress!, ldb: size,
                        c: c.baseAddress!, ldc: size)
                }
            }
        }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start))
    }
    return 2 * Double(size * size * size) / best
}
