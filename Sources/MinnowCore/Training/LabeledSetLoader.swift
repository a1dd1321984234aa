// Decodes labelled images into the engine's `LabeledImages`: class indices for
// classification, per-cell labels of the 1/8 grid (0 = background) for detection, where an
// object's cell is the one holding its box's centre. Images that cannot be decoded or carry
// a label the model does not know are returned as skipped, with the reason.
import Dispatch
import Foundation
import NeuralNet

package struct LabeledItem: Sendable {
    package var imageID: UUID?
    package var fileName: String
    package var blobID: String?
    package var label: String?
    package var boxes: [BoxSpec]
    package var split: ImageSplit

    package init(
        imageID: UUID? = nil, fileName: String, blobID: String? = nil, label: String?, boxes: [BoxSpec],
        split: ImageSplit
    ) {
        self.imageID = imageID
        self.fileName = fileName
        self.blobID = blobID
        self.label = label
        self.boxes = boxes
        self.split = split
    }
}

package struct DecodedSet: Sendable {
    package var data: LabeledImages
    package var items: [LabeledItem]
    package var skipped: [(fileName: String, reason: String)]

    package init(data: LabeledImages, items: [LabeledItem], skipped: [(fileName: String, reason: String)]) {
        self.data = data
        self.items = items
        self.skipped = skipped
    }
}

package struct LabeledSetLoader: Sendable {
    package let input: ModelInput
    /// The model's classes (detection: without background).
    package let labels: [String]
    package let detection: Bool

    package var gridWidth: Int { input.width / 8 }
    package var gridHeight: Int { input.height / 8 }

    /// Decodes `items` on every core; `content(i)` gives the bytes of `items[i]` (nil: missing).
    package func decode(_ items: [LabeledItem], content: @Sendable (Int) -> Data?) -> DecodedSet {
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        // Each item decodes into its own slot: pixels and target, or why it was skipped.
        var slots = [Result<(pixels: [Float], target: [Int]), SkipReason>?](repeating: nil, count: items.count)
        slots.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let buffer = buffer
            let chunk = max(1, items.count / 64)
            DispatchQueue.concurrentPerform(iterations: (items.count + chunk - 1) / chunk) { part in
                for position in (part * chunk)..<min(items.count, (part + 1) * chunk) {
                    buffer[position] = decode(items[position], data: content(position), index: index)
                }
            }
        }
        let itemSize = input.width * input.height * input.channels
        var pixels: [Float] = []
        pixels.reserveCapacity(items.count * itemSize)
        var targets: [Int] = [], kept: [LabeledItem] = [], skipped: [(String, String)] = []
        for (item, slot) in zip(items, slots) {
            switch slot! {
            case .success(let decoded):
                pixels += decoded.pixels
                targets += decoded.target
                kept.append(item)
            case .failure(let skip):
                skipped.append((item.fileName, skip.reason))
            }
        }
        let images = Tensor(shape: [kept.count, input.height, input.width, input.channels], data: pixels)
        return DecodedSet(
            data: LabeledImages(
                images: images, labels: targets, labelsPerImage: detection ? gridWidth * gridHeight : 1),
            items: kept, skipped: skipped)
    }

    package struct SkipReason: Error { let reason: String }

    private func decode(
        _ item: LabeledItem, data: Data?, index: [String: Int]
    ) -> Result<(pixels: [Float], target: [Int]), SkipReason> {
        let target: [Int]
        if detection {
            var objects: [(x: Float, y: Float, label: Int)] = []
            for box in item.boxes {
                guard let k = index[box.label] else { continue }
                objects.append(
                    (
                        Float((box.x + box.width / 2) * Double(input.width)),
                        Float((box.y + box.height / 2) * Double(input.height)), k + 1
                    ))
            }
            target = FOMO.cellLabels(
                objects: objects, imageWidth: input.width, imageHeight: input.height,
                gridWidth: gridWidth, gridHeight: gridHeight)
        } else {
            guard let label = item.label, let k = index[label] else {
                return .failure(SkipReason(reason: "its label \"\(item.label ?? "")\" is not one the model knows"))
            }
            target = [k]
        }
        guard let data else { return .failure(SkipReason(reason: "its content is missing")) }
        do {
            return .success((try input.values(from: data), target))
        } catch {
            return .failure(SkipReason(reason: "it cannot be decoded (\(error))"))
        }
    }

    package init(input: ModelInput, labels: [String], detection: Bool) {
        self.input = input
        self.labels = labels
        self.detection = detection
    }
}
