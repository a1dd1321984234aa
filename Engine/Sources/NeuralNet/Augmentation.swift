// Augmentation: seeded random transforms applied to training batches only — horizontal
// flip, translation, small rotation (bilinear, zero fill), brightness/contrast and
// Gaussian noise. Works on preprocessed float images. For detection (per-cell labels)
// only flip (which also flips the label grid) and the photometric transforms apply.

import Foundation

/// Which augmentations to apply and how strongly.
public struct Augmentation: Codable, Sendable, Equatable {
    public var horizontalFlip: Bool
    /// Maximum shift in pixels, each axis.
    public var maxTranslation: Int
    /// Maximum rotation in degrees, either way.
    public var maxRotationDegrees: Float
    /// Maximum brightness offset (in normalised units) and contrast factor deviation.
    public var brightness: Float
    public var contrast: Float
    /// Standard deviation of additive Gaussian noise.
    public var noise: Float

    public init(
        horizontalFlip: Bool = true, maxTranslation: Int = 2, maxRotationDegrees: Float = 0,
        brightness: Float = 0, contrast: Float = 0, noise: Float = 0
    ) {
        self.horizontalFlip = horizontalFlip
        self.maxTranslation = maxTranslation
        self.maxRotationDegrees = maxRotationDegrees
        self.brightness = brightness
        self.contrast = contrast
        self.noise = noise
    }

    public static let none = Augmentation(horizontalFlip: false, maxTranslation: 0)

    /// Augments every image of `batch` in place, drawing from `rng`. `labelGrid` is
    /// `(GH, GW)` for detection batches (labels flipped with the image), nil otherwise.
    public func apply(to batch: inout Batch, labelGrid: (height: Int, width: Int)?, rng: inout SeededRandom) {
        let (n, h, w, c) = batch.images.nhwc
        let size = h * w * c
        var scratch = [Float](repeating: 0, count: size)
        for image in 0..<n {
            let flip = horizontalFlip && rng.uniform() < 0.5
            let detection = labelGrid != nil
            let dx = detection || maxTranslation == 0 ? 0 : rng.int(2 * maxTranslation + 1) - maxTranslation
            let dy = detection || maxTranslation == 0 ? 0 : rng.int(2 * maxTranslation + 1) - maxTranslation
            let angle =
                detection || maxRotationDegrees == 0
                ? 0 : rng.uniform(-maxRotationDegrees, maxRotationDegrees) * .pi / 180
            let offset = brightness == 0 ? 0 : rng.uniform(-brightness, brightness)
            let gain = contrast == 0 ? 1 : rng.uniform(1 - contrast, 1 + contrast)
            batch.images.data.withUnsafeMutableBufferPointer { all in
                scratch.withUnsafeMutableBufferPointer { out in
                    let x = all.baseAddress! + image * size
                    if flip || dx != 0 || dy != 0 || angle != 0 {
                        warp(x, into: out.baseAddress!, h: h, w: w, c: c, flip: flip, dx: dx, dy: dy, angle: angle)
                        x.update(from: out.baseAddress!, count: size)
                    }
                    if offset != 0 || gain != 1 || noise > 0 {
                        for i in 0..<size {
                            x[i] = x[i] * gain + offset + (noise > 0 ? noise * rng.normal() : 0)
                        }
                    }
                }
            }
            if flip, let grid = labelGrid {
                let base = image * grid.height * grid.width
                for row in 0..<grid.height {
                    let start = base + row * grid.width
                    batch.labels[start..<(start + grid.width)].reverse()
                }
            }
        }
    }

    /// Inverse-maps every output pixel through flip, rotation about the centre and shift.
    private func warp(
        _ x: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>,
        h: Int, w: Int, c: Int, flip: Bool, dx: Int, dy: Int, angle: Float
    ) {
        let cy = Float(h - 1) / 2, cx = Float(w - 1) / 2
        let cosA = cosf(angle), sinA = sinf(angle)
        for oy in 0..<h {
            for ox in 0..<w {
                let target = y + (oy * w + ox) * c
                // Undo shift, then rotation, then flip.
                let px = Float(ox - dx) - cx, py = Float(oy - dy) - cy
                var sx = cosA * px + sinA * py + cx
                let sy = -sinA * px + cosA * py + cy
                if flip { sx = Float(w - 1) - sx }
                if angle == 0 {
                    let ix = Int(sx.rounded()), iy = Int(sy.rounded())
                    if ix >= 0 && ix < w && iy >= 0 && iy < h {
                        target.update(from: x + (iy * w + ix) * c, count: c)
                    } else {
                        target.update(repeating: 0, count: c)
                    }
                    continue
                }
                let x0 = Int(floorf(sx)), y0 = Int(floorf(sy))
                let fx = sx - Float(x0), fy = sy - Float(y0)
                for ch in 0..<c {
                    func at(_ yy: Int, _ xx: Int) -> Float {
                        (yy >= 0 && yy < h && xx >= 0 && xx < w) ? x[(yy * w + xx) * c + ch] : 0
                    }
                    let top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx
                    let bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx
                    target[ch] = top * (1 - fy) + bottom * fy
                }
            }
        }
    }
}
