// im2col / col2im for NHWC images: turn each output position's receptive field into one
// row of a matrix so convolution becomes a single sgemm. Rows are ordered (n, oy, ox),
// columns (ky, kx, c), which matches HWIO weights. Plain loops; a row segment that lies
// fully inside the image is one contiguous copy because NHWC keeps (x, c) adjacent.
import TrainingKernels

/// Writes the patch rows of images `images` of `input` (N, H, W, C) into `columns`
/// (images.count * OH * OW, KH * KW * C).
func im2col(
    input: UnsafePointer<Float>, channels: Int, geometry g: ConvGeometry,
    images: Range<Int>, columns: UnsafeMutablePointer<Float>
) {
    let c = channels
    let rowWidth = g.kernelWidth * c
    var destination = columns
    for image in images {
        let imageBase = input + image * g.inputHeight * g.inputWidth * c
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                let x0 = ox * g.stride - g.padLeft
                let fullRow = x0 >= 0 && x0 + g.kernelWidth <= g.inputWidth
                for ky in 0..<g.kernelHeight {
                    let iy = oy * g.stride - g.padTop + ky
                    if iy < 0 || iy >= g.inputHeight {
                        destination.update(repeating: 0, count: rowWidth)
                    } else if fullRow {
                        let source = imageBase + (iy * g.inputWidth + x0) * c
                        if rowWidth <= 16 {
                            // A memmove call per few bytes (e.g. 3 gray pixels) costs more than the copy.
                            for i in 0..<rowWidth { destination[i] = source[i] }
                        } else {
                            destination.update(from: source, count: rowWidth)
                        }
                    } else {
                        for kx in 0..<g.kernelWidth {
                            let ix = x0 + kx
                            if ix < 0 || ix >= g.inputWidth {
                                (destination + kx * c).update(repeating: 0, count: c)
                            } else {
                                (destination + kx * c).update(from: imageBase + (iy * g.inputWidth + ix) * c, count: c)
                            }
                        }
                    }
                    destination += rowWidth
                }
            }
        }
    }
}

/// Adds patch-row gradients `columns` back onto `dInput` (N, H, W, C) for images `images`;
/// the images' part of `dInput` is overwritten (zeroed first).
func col2im(
    columns: UnsafePointer<Float>, channels: Int, geometry g: ConvGeometry,
    images: Range<Int>, dInput: UnsafeMutablePointer<Float>
) {
    let c = channels
    let imageSize = g.inputHeight * g.inputWidth * c
    (dInput + images.lowerBound * imageSize).update(repeating: 0, count: images.count * imageSize)
    let rowWidth = g.kernelWidth * c
    var source = columns
    for image in images {
        let imageBase = dInput + image * imageSize
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                let x0 = ox * g.stride - g.padLeft
                let fullRow = x0 >= 0 && x0 + g.kernelWidth <= g.inputWidth
                for ky in 0..<g.kernelHeight {
                    let iy = oy * g.stride - g.padTop + ky
                    if iy >= 0 && iy < g.inputHeight && fullRow {
                        // The whole kernel row lands on contiguous (x, c) values: one long add.
                        let target = imageBase + (iy * g.inputWidth + x0) * c
                        for i in 0..<rowWidth { target[i] += source[i] }
                    } else if iy >= 0 && iy < g.inputHeight {
                        for kx in 0..<g.kernelWidth {
                            let ix = x0 + kx
                            if ix >= 0 && ix < g.inputWidth {
                                let target = imageBase + (iy * g.inputWidth + ix) * c
                                let from = source + kx * c
                                for channel in 0..<c { target[channel] += from[channel] }
                            }
                        }
                    }
                    source += rowWidth
                }
            }
        }
    }
}
