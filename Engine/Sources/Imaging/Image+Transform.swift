// Colour conversion, cropping and resizing. Shrinking averages every source pixel that
// falls into a destination pixel (area filter, no aliasing); enlarging interpolates
// bilinearly. Both sample at pixel centres, so resizing to the same size is the identity.
import Foundation

extension Image {
    /// Gray uses the ITU-R BT.601 luma weights, like libjpeg and most training pipelines.
    public func converted(to mode: ColorMode) -> Image {
        guard mode != colorMode else { return self }
        let count = width * height
        var out = [UInt8](repeating: 0, count: count * mode.channels)
        if mode == .grayscale {
            for i in 0..<count {
                let r = Int(pixels[3 * i]), g = Int(pixels[3 * i + 1]), b = Int(pixels[3 * i + 2])
                out[i] = UInt8((299 * r + 587 * g + 114 * b + 500) / 1000)
            }
        } else {
            for i in 0..<count {
                out[3 * i] = pixels[i]; out[3 * i + 1] = pixels[i]; out[3 * i + 2] = pixels[i]
            }
        }
        return Image(width: width, height: height, channels: mode.channels, pixels: out)
    }

    /// The rectangle `x, y, width, height` (clamped to the image).
    public func cropped(x: Int, y: Int, width cropWidth: Int, height cropHeight: Int) -> Image {
        let x0 = max(0, min(x, width - 1)), y0 = max(0, min(y, height - 1))
        let w = max(1, min(cropWidth, width - x0)), h = max(1, min(cropHeight, height - y0))
        var out = [UInt8](repeating: 0, count: w * h * channels)
        for row in 0..<h {
            let source = ((y0 + row) * width + x0) * channels
            out.replaceSubrange(
                row * w * channels..<(row + 1) * w * channels, with: pixels[source..<source + w * channels])
        }
        return Image(width: w, height: h, channels: channels, pixels: out)
    }

    /// Resized to exactly `newWidth × newHeight`, each axis independently (aspect may change).
    public func resized(width newWidth: Int, height newHeight: Int) -> Image {
        precondition(newWidth > 0 && newHeight > 0)
        if newWidth == width && newHeight == height { return self }
        let xs = Self.axisWeights(from: width, to: newWidth)
        let ys = Self.axisWeights(from: height, to: newHeight)
        // Horizontal pass into floats, then vertical pass into bytes.
        var rows = [Float](repeating: 0, count: height * newWidth * channels)  // (H, newW, C)
        for y in 0..<height {
            for (x, taps) in xs.enumerated() {
                for c in 0..<channels {
                    var sum: Float = 0
                    for tap in taps { sum += tap.weight * Float(pixels[(y * width + tap.index) * channels + c]) }
                    rows[(y * newWidth + x) * channels + c] = sum
                }
            }
        }
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * channels)  // (newH, newW, C)
        for (y, taps) in ys.enumerated() {
            for x in 0..<newWidth {
                for c in 0..<channels {
                    var sum: Float = 0
                    for tap in taps { sum += tap.weight * rows[(tap.index * newWidth + x) * channels + c] }
                    out[(y * newWidth + x) * channels + c] = UInt8(max(0, min(255, sum.rounded())))
                }
            }
        }
        return Image(width: newWidth, height: newHeight, channels: channels, pixels: out)
    }

    /// For each destination index along one axis, the source indices and their weights.
    static func axisWeights(from source: Int, to destination: Int) -> [[(index: Int, weight: Float)]] {
        let scale = Float(source) / Float(destination)
        return (0..<destination).map { d in
            if scale > 1 {  // area: average the source span [d*scale, (d+1)*scale)
                let start = Float(d) * scale, end = start + scale
                var taps: [(Int, Float)] = []
                var s = Int(start)
                while Float(s) < end && s < source {
                    let overlap = min(end, Float(s + 1)) - max(start, Float(s))
                    if overlap > 0 { taps.append((s, overlap / scale)) }
                    s += 1
                }
                return taps
            }
            // bilinear at the pixel centre
            let centre = (Float(d) + 0.5) * scale - 0.5
            let left = Int(centre.rounded(.down))
            let fraction = centre - Float(left)
            let a = max(0, min(source - 1, left)), b = max(0, min(source - 1, left + 1))
            return a == b ? [(a, Float(1))] : [(a, 1 - fraction), (b, fraction)]
        }
    }
}

/// How an image of another aspect ratio becomes a model input (`NeuralNet.Preprocessing`);
/// stored and sent as its raw value.
public enum ResizeMode: String, Sendable, Codable, CaseIterable {
    /// Stretch to the target size, ignoring the aspect ratio.
    case squash
    /// Scale so the shorter side fits, then crop the centre.
    case fitShorterSideCrop = "crop"
    /// Scale so the longer side fits, then pad with black bars.
    case letterbox
}

extension Image {
    /// The image as a `width × height` model input in `mode` and colour `color`.
    public func prepared(width targetWidth: Int, height targetHeight: Int, mode: ResizeMode, color: ColorMode) -> Image
    {
        let source = converted(to: color)
        switch mode {
        case .squash:
            return source.resized(width: targetWidth, height: targetHeight)
        case .fitShorterSideCrop:
            let scale = max(Double(targetWidth) / Double(width), Double(targetHeight) / Double(height))
            let w = max(targetWidth, Int((Double(width) * scale).rounded())),
                h = max(targetHeight, Int((Double(height) * scale).rounded()))
            return source.resized(width: w, height: h).cropped(
                x: (w - targetWidth) / 2, y: (h - targetHeight) / 2, width: targetWidth, height: targetHeight)
        case .letterbox:
            let scale = min(Double(targetWidth) / Double(width), Double(targetHeight) / Double(height))
            let w = max(1, min(targetWidth, Int((Double(width) * scale).rounded()))),
                h = max(1, min(targetHeight, Int((Double(height) * scale).rounded())))
            let inner = source.resized(width: w, height: h)
            var out = [UInt8](repeating: 0, count: targetWidth * targetHeight * color.channels)
            let x0 = (targetWidth - w) / 2, y0 = (targetHeight - h) / 2
            for row in 0..<h {
                let destination = ((y0 + row) * targetWidth + x0) * color.channels
                out.replaceSubrange(
                    destination..<destination + w * color.channels,
                    with: inner.pixels[row * w * color.channels..<(row + 1) * w * color.channels])
            }
            return Image(width: targetWidth, height: targetHeight, channels: color.channels, pixels: out)
        }
    }

    /// Shrunk (never enlarged) so that the longer side is at most `maximumSide`.
    public func thumbnail(maximumSide: Int) -> Image {
        let longest = max(width, height)
        guard longest > maximumSide else { return self }
        let scale = Double(maximumSide) / Double(longest)
        return resized(
            width: max(1, Int((Double(width) * scale).rounded())),
            height: max(1, Int((Double(height) * scale).rounded())))
    }

    /// A 64-bit difference hash: similar pictures (re-encoded, resized, slightly edited)
    /// have hashes a few bits apart. Compare with `(a ^ b).nonzeroBitCount`.
    public func differenceHash() -> UInt64 {
        let small = converted(to: .grayscale).resized(width: 9, height: 8)
        var hash: UInt64 = 0
        for y in 0..<8 {
            for x in 0..<8 where small.pixels[y * 9 + x] < small.pixels[y * 9 + x + 1] {
                hash |= 1 << UInt64(y * 8 + x)
            }
        }
        return hash
    }
}
