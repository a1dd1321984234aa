// Images as model input: decoded and fitted to the input size in the preprocessing's colour
// and resize mode. Folder datasets, the server's training snapshots, evaluation, the
// prediction API, camera frames and `minnow run` all prepare images here, so a model sees
// the same pixels everywhere. What it is not: normalisation or quantisation, which follow as
// `normalize(_:)` (float inputs) or the int8 `InputQuantizer` (the model card's formula).
import Foundation
import Imaging

extension Preprocessing {
    /// `image` fitted to a `width × height` input in this colour and resize mode:
    /// interleaved 8-bit pixels `(H, W, C)`.
    public func pixels(of image: Image, width: Int, height: Int) -> [UInt8] {
        image.prepared(width: width, height: height, mode: resizeMode, color: color).pixels
    }

    /// An image file's bytes (JPEG or PNG) decoded and fitted as `pixels(of:width:height:)` fits them.
    /// Throws `ImageError` for a file it cannot read or one larger than `maximumPixels`.
    public func pixels(
        decoding data: Data, width: Int, height: Int,
        maximumPixels: Int = Image.defaultMaximumPixels
    ) throws -> [UInt8] {
        pixels(of: try Image(decoding: data, maximumPixels: maximumPixels), width: width, height: height)
    }
}
