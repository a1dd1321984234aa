// Int8Runtime: runs an `Int8Model` with the int8 kernels over one planned arena.
//
// `init` validates every operator and plans the arena once (liveness-based, see MemoryPlan);
// `run` then executes the prepared steps with no checks. By default convolutions, fully
// connected layers and max pooling use the fastest fast kernels this CPU runs (`KernelChoice`),
// which are tested to equal the reference kernels bit for bit; `kernels: .reference` runs the
// plain reference loops everywhere.
// What it is not: thread-safe across one shared arena; `run` allocates its own arena per call,
// `run(_:output:arena:)` lets a caller reuse one.

/// A prepared int8 model ready to run.
public struct Int8Runtime: Sendable {
    public let model: Int8Model
    let steps: [PreparedStep]
    /// The arena plan (activations and scratch).
    public let plan: MemoryPlan
    let inputOffset: Int
    let outputOffset: Int

    /// The kernels `run` uses.
    public let kernelChoice: KernelChoice

    /// The prepared operators, in execution order (one per node).
    public var kernels: [PreparedKernel] { steps.map(\.kernel) }

    /// Bytes of arena one inference needs.
    public var arenaSize: Int { plan.arenaSize }
    /// Elements of the input and output tensors.
    public var inputCount: Int { model.inputTensor.elementCount }
    public var outputCount: Int { model.outputTensor.elementCount }

    /// Validates `model` and plans its arena; throws `Int8ModelError` naming the first problem.
    /// `kernels` must be supported by this CPU (`KernelChoice.isSupported`).
    public init(_ model: Int8Model, kernels: KernelChoice = .fastest) throws {
        precondition(kernels.isSupported, "Int8Runtime: this CPU cannot run the \(kernels.rawValue) kernels")
        guard model.inputs.count == 1, model.outputs.count == 1 else {
            throw Int8ModelError.unsupported(
                "models need exactly one input and one output (has \(model.inputs.count) and \(model.outputs.count))")
        }
        for index in [model.inputs[0], model.outputs[0]] {
            guard index >= 0, index < model.tensors.count, model.tensors[index].type == .int8 else {
                throw Int8ModelError.unsupported("the model's input and output must be int8 tensors")
            }
        }
        self.model = model
        kernelChoice = kernels
        let choice = kernels
        // Which step produces each tensor; graph input is "produced" at step 0.
        var producer = [Int?](repeating: nil, count: model.tensors.count)
        producer[model.inputs[0]] = 0
        var lastUse = [Int](repeating: -1, count: model.tensors.count)
        var kernels: [PreparedKernel] = []
        for (step, node) in model.nodes.enumerated() {
            let activation = node.inputs[0]
            guard activation >= 0, activation < model.tensors.count, model.tensors[activation].constant == nil,
                producer[activation] != nil
            else {
                throw Int8ModelError.invalid(
                    "\(node.op.name) (operator \(step)) reads tensor \(activation) before anything writes it")
            }
            kernels.append(try model.prepare(node))
            lastUse[activation] = step
            let out = node.outputs[0]
            guard producer[out] == nil, model.tensors[out].constant == nil else {
                throw Int8ModelError.invalid(
                    "\(node.op.name) (operator \(step)) writes tensor \(out) twice or over a constant")
            }
            producer[out] = step
        }
        guard producer[model.outputs[0]] != nil else {
            throw Int8ModelError.invalid("no operator writes the output tensor")
        }
        lastUse[model.outputs[0]] = model.nodes.count
        // Buffers: every activation tensor, then one scratch buffer per step that needs it.
        var requests: [BufferRequest] = []
        var tensorBuffer = [Int](repeating: -1, count: model.tensors.count)
        for (index, first) in producer.enumerated() {
            guard let first else { continue }
            tensorBuffer[index] = requests.count
            requests.append(
                BufferRequest(
                    size: model.tensors[index].byteCount, firstStep: first, lastStep: max(first, lastUse[index])))
        }
        var scratchBuffer = [Int](repeating: -1, count: kernels.count)
        for (step, kernel) in kernels.enumerated() where kernel.scratchBytes > 0 {
            scratchBuffer[step] = requests.count
            requests.append(BufferRequest(size: kernel.scratchBytes, firstStep: step, lastStep: step))
        }
        let plan = MemoryPlan(requests)
        self.plan = plan
        steps = kernels.enumerated().map { step, kernel in
            let node = model.nodes[step]
            return PreparedStep(
                kernel: kernel, input: plan.offsets[tensorBuffer[node.inputs[0]]],
                output: plan.offsets[tensorBuffer[node.outputs[0]]],
                scratch: scratchBuffer[step] >= 0 ? plan.offsets[scratchBuffer[step]] : 0,
                kernels: choice)
        }
        inputOffset = plan.offsets[tensorBuffer[model.inputs[0]]]
        outputOffset = plan.offsets[tensorBuffer[model.outputs[0]]]
    }

    /// Runs one input (`inputCount` values, quantised) and returns the int8 output.
    public func run(_ input: [Int8]) -> [Int8] {
        precondition(
            input.count == inputCount, "Int8Runtime.run: expected \(inputCount) input values, got \(input.count)")
        let arena = UnsafeMutableRawPointer.allocate(byteCount: max(arenaSize, 1), alignment: MemoryPlan.alignment)
        defer { arena.deallocate() }
        var output = [Int8](repeating: 0, count: outputCount)
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                run(source.baseAddress!, output: target.baseAddress!, arena: arena)
            }
        }
        return output
    }

    /// Runs one input with a caller-owned arena of at least `arenaSize` bytes (16-byte aligned).
    public func run(_ input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>, arena: UnsafeMutableRawPointer) {
        (arena + inputOffset).copyMemory(from: input, byteCount: inputCount)
        for step in steps { execute(step, arena: arena) }
        output.update(from: (arena + outputOffset).assumingMemoryBound(to: Int8.self), count: outputCount)
    }
}
