// Decodes labelled images into the engine's `LabeledImages`: class indices for
// classification, per-cell labels of the 1/8 grid (0 = background) for detection, where an
// object's cell is the one holding its box's centre. Images that cannot be decoded or carry
// a label the model does not know are returned as skipped, with the reason.
import APITypes
import Foundation
import NeuralNet

struct LabeledItem: Sendable {
    var imageID: UUID?
    var fileName: String
    var blobID: String?
    var label: String?
    var boxes: [Components.Schemas.Box]
    var split: String

    init(imageID: UUID? = nil, fileName: String, blobID: String? = nil, label: String?, boxes: [Components.Schemas.Box], split: String) {
        self.imageID = imageID
        self.fileName = fileName
        self.blobID = blobID
        self.label = label
        self.boxes = boxes
        self.split = split
    }
}

struct DecodedSet: Sendable {
    var data: LabeledImages
    var items: [LabeledItem]
    var skipped: [(fileName: String, reason: String)]
}

struct LabeledSetLoader: Sendable {
    let input: ModelInput
    /// The model's classes (detection: without background).
    let labels: [String]
    let detection: Bool

    var gridWidth: Int { input.width / 8 }
    var gridHeight: Int { input.height / 8 }

    /// Decodes `items`; `content(i)` gives the bytes of `items[i]` (nil: missing).
    func decode(_ items: [LabeledItem], content: (Int) -> Data?) -> DecodedSet {
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let itemSize = input.width * input.height * input.channels
        var pixels: [Float] = []
        pixels.reserveCapacity(items.count * itemSize)
        var targets: [Int] = [], kept: [LabeledItem] = [], skipped: [(String, String)] = []
        for (position, item) in items.enumerated() {
            let target: [Int]
            if detection {
                var objects: [(x: Float, y: Float, label: Int)] = []
                for box in item.boxes {
                    guard let k = index[box.label] else { continue }
                    objects.append((Float((box.x + box.width / 2) * Double(input.width)), Float((box.y + box.height / 2) * Double(input.height)), k + 1))
                }
                target = FOMO.cellLabels(objects: objects, imageWidth: input.width, imageHeight: input.height,
                                         gridWidth: gridWidth, gridHeight: gridHeight)
            } else {
                guard let label = item.label, let k = index[label] else {
                    skipped.append((item.fileName, "its label \"\(item.label ?? "")\" is not one the model knows"))
                    continue
                }
                target = [k]
            }
            guard let data = content(position) else {
                skipped.append((item.fileName, "its content is missing"))
                continue
            }
            do {
                pixels += try input.values(from: data)
                targets += target
                kept.append(item)
            } catch {
                skipped.append((item.fileName, "it cannot be decoded (\(error))"))
            }
        }
        let images = Tensor(shape: [kept.count, input.height, input.width, input.channels], data: pixels)
        return DecodedSet(data: LabeledImages(images: images, labels: targets, labelsPerImage: detection ? gridWidth * gridHeight : 1),
                          items: kept, skipped: skipped)
    }
}
