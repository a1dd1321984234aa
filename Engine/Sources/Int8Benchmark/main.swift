// Int8 latency benchmark (benchmarks/int8/run calls it): runs a .tflite through the Swift int8
// runtime on Fashion-MNIST test images with one reused arena and prints one JSON line:
// µs per image for the fast kernels and for the reference kernels, and the arena size.
// With a fourth argument `boards`, also generates C for the model, compiles it for every
// board profile and prints one JSON line per board (flash, RAM, arena, MACs, estimated ms).
// The fast kernels are timed in every build this CPU runs (portable, and AVX2 where present);
// `us_per_image` is the fastest. `Int8Benchmark --write mobilenet-v1|fomo OUT.tflite` writes
// workload B's or the cameras' model (see WorkloadModels.swift).
// Not part of the test suite. Usage: Int8Benchmark MODEL.tflite [IMAGES] [REPEATS] [boards]

import Firmware
import Foundation
import Int8Inference
import TFLite
import TrainingData

let arguments = CommandLine.arguments
if arguments.count == 4, arguments[1] == "--write" {
    try writeWorkloadModel(named: arguments[2], to: arguments[3])
    exit(0)
}
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: Int8Benchmark MODEL.tflite [IMAGES] [REPEATS]\n".utf8))
    exit(2)
}
let count = arguments.count > 2 ? Int(arguments[2]) ?? 1000 : 1000
let repeats = arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3
let model = try TFLiteReader.read(contentsOf: arguments[1])
let test = try FashionMNIST.load(trainLimit: 1, testLimit: count).test
let size = test.images.itemCount
let inputCount = model.inputTensor.shape.reduce(1, *)
/// Fashion-MNIST test images for a 28x28x1 model; seeded random inputs for any other (latency only).
let inputs: [[Int8]] =
    inputCount == size
    ? (0..<test.count).map { model.quantizeInput(Array(test.images.data[($0 * size)..<(($0 + 1) * size)])) }
    : (0..<count).map { index in
        var state = UInt32(truncatingIfNeeded: index &* 2_654_435_761 &+ 1)
        return (0..<inputCount).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return Int8(truncatingIfNeeded: state >> 24)
        }
    }

func microsecondsPerImage(_ runtime: Int8Runtime, repeats: Int) -> (Double, Int) {
    let arena = UnsafeMutableRawPointer.allocate(byteCount: runtime.arenaSize, alignment: 16)
    defer { arena.deallocate() }
    var output = [Int8](repeating: 0, count: runtime.outputCount)
    var checksum = 0
    var best = Double.infinity
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        for input in inputs {
            input.withUnsafeBufferPointer { runtime.run($0.baseAddress!, output: &output, arena: arena) }
            checksum &+= Int(output[0])
        }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1000 / Double(inputs.count))
    }
    return (best, checksum)
}

let fast = try Int8Runtime(model)
let portable = try Int8Runtime(model, kernels: .portable)
let correct =
    inputCount != size
    ? 0
    : inputs.indices.filter { i in
        let output = fast.run(inputs[i])
        return output.indices.max { output[$0] < output[$1] } == test.labels[i]
    }.count
let reference = try Int8Runtime(model, kernels: .reference)
let (fastMicros, fastSum) = microsecondsPerImage(fast, repeats: repeats)
let (portableMicros, portableSum) = microsecondsPerImage(portable, repeats: repeats)
let (referenceMicros, referenceSum) = microsecondsPerImage(reference, repeats: 1)
precondition(fastSum == referenceSum && portableSum == referenceSum, "fast and reference kernels disagree")
print(
    "{\"engine\": \"minnow-swift\", \"images\": \(inputs.count), \"kernels\": \"\(fast.kernelChoice.rawValue)\", "
        + "\"us_per_image\": \(String(format: "%.2f", fastMicros)), \"portable_us_per_image\": \(String(format: "%.2f", portableMicros)), "
        + "\"reference_kernels_us_per_image\": \(String(format: "%.2f", referenceMicros)), \"arena_bytes\": \(fast.arenaSize), \"top1\": \(Double(correct) / Double(inputs.count))}"
)

if arguments.count > 4, arguments[4] == "boards" {
    let library = try CGenerator.generate(model, name: "model")
    for board in BoardProfile.all {
        let report = try BoardBuild.build(library, for: board)
        print(
            "{\"engine\": \"minnow-c\", \"board\": \"\(board.name)\", \"flash_bytes\": \(report.flashBytes), \"ram_bytes\": \(report.ramBytes), "
                + "\"arena_bytes\": \(report.arenaBytes), \"macs\": \(report.macs), \"instructions\": \(report.instructions), \"latency_method\": \"\(report.latencyMethod.rawValue)\", \"min_ms\": \(String(format: "%.2f", report.milliseconds)), "
                + "\"estimate_only\": \(report.estimated), \"fits\": \(report.fits)}")
    }
}
