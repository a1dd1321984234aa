// The int8 kernels in dependency-free C99, emitted into generated model sources.
//
// Line-for-line ports of the Swift reference kernels (module Int8), which reproduce TFLite
// Micro's reference kernels: same loop order, same fixed-point requantisation (double
// rounding), same softmax. The generated C is tested byte-identical to the Swift runtime.
// Only the kernels a model uses are emitted (each is a `static` function).

enum CKernels {
    static let fixedPoint = #"""
        static int32_t mn_srdhm(int32_t a, int32_t b) {
            int64_t ab, nudge;
            if (a == b && a == INT32_MIN) return INT32_MAX;
            ab = (int64_t)a * (int64_t)b;
            nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
            return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
        }

        static int32_t mn_rdbpot(int32_t x, int exponent) {
            const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
            const int32_t remainder = x & mask;
            const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
            return (x >> exponent) + (remainder > threshold ? 1 : 0);
        }

        static int32_t mn_requantize(int32_t x, int32_t multiplier, int shift) {
            const int left = shift > 0 ? shift : 0;
            const int right = shift > 0 ? 0 : -shift;
            return mn_rdbpot(mn_srdhm((int32_t)((uint32_t)x << left), multiplier), right);
        }

        static int8_t mn_clamp(int32_t x, int32_t lo, int32_t hi) {
            return (int8_t)(x < lo ? lo : (x > hi ? hi : x));
        }

        """#

    static let convParameters = #"""
        typedef struct {
            int batches, in_h, in_w, in_c, out_h, out_w, out_c, k_h, k_w, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left;
            int32_t input_offset, output_offset, act_min, act_max;
            const int32_t *multiplier; const int32_t *shift;
        } mn_conv_params;

        """#

    /// One convolution output value: `mn_conv2d` stores each, `mn_conv2d_maxpool` keeps the
    /// maximum of its window's, so both compute it the same way.
    static let convAt = #"""
        static int8_t mn_conv_at(const mn_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                                 int b, int oy, int ox, int oc) {
            const int y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
            int32_t acc = 0;
            int fy, fx, ic;
            for (fy = 0; fy < p->k_h; ++fy) {
                const int iy = y0 + p->dil_h * fy;
                for (fx = 0; fx < p->k_w; ++fx) {
                    const int ix = x0 + p->dil_w * fx;
                    const int8_t *in_px, *f_px;
                    if (ix < 0 || ix >= p->in_w || iy < 0 || iy >= p->in_h) continue;
                    in_px = input + ((b * p->in_h + iy) * p->in_w + ix) * p->in_c;
                    f_px = filter + ((oc * p->k_h + fy) * p->k_w + fx) * p->in_c;
                    for (ic = 0; ic < p->in_c; ++ic) acc += (int32_t)f_px[ic] * ((int32_t)in_px[ic] + p->input_offset);
                }
            }
            if (bias) acc += bias[oc];
            acc = mn_requantize(acc, p->multiplier[oc], (int)p->shift[oc]) + p->output_offset;
            return mn_clamp(acc, p->act_min, p->act_max);
        }

        """#

    static let conv2d = #"""
        static void mn_conv2d(const mn_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output) {
            int b, oy, ox, oc;
            for (b = 0; b < p->batches; ++b)
            for (oy = 0; oy < p->out_h; ++oy)
            for (ox = 0; ox < p->out_w; ++ox)
            for (oc = 0; oc < p->out_c; ++oc)
                output[((b * p->out_h + oy) * p->out_w + ox) * p->out_c + oc] = mn_conv_at(p, input, filter, bias, b, oy, ox, oc);
        }

        """#

    static let depthwiseConv2d = #"""
        static void mn_depthwise_conv2d(const mn_conv_params *p, int depth_multiplier, const int8_t *input, const int8_t *filter,
                                        const int32_t *bias, int8_t *output) {
            int b, oy, ox, ic, m, fy, fx;
            for (b = 0; b < p->batches; ++b)
            for (oy = 0; oy < p->out_h; ++oy)
            for (ox = 0; ox < p->out_w; ++ox)
            for (ic = 0; ic < p->in_c; ++ic)
            for (m = 0; m < depth_multiplier; ++m) {
                const int oc = m + ic * depth_multiplier;
                const int y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
                int32_t acc = 0;
                for (fy = 0; fy < p->k_h; ++fy) {
                    const int iy = y0 + p->dil_h * fy;
                    for (fx = 0; fx < p->k_w; ++fx) {
                        const int ix = x0 + p->dil_w * fx;
                        if (ix < 0 || ix >= p->in_w || iy < 0 || iy >= p->in_h) continue;
                        acc += (int32_t)filter[(fy * p->k_w + fx) * p->out_c + oc]
                             * ((int32_t)input[((b * p->in_h + iy) * p->in_w + ix) * p->in_c + ic] + p->input_offset);
                    }
                }
                if (bias) acc += bias[oc];
                acc = mn_requantize(acc, p->multiplier[oc], (int)p->shift[oc]) + p->output_offset;
                output[((b * p->out_h + oy) * p->out_w + ox) * p->out_c + oc] = mn_clamp(acc, p->act_min, p->act_max);
            }
        }

        """#

    static let fullyConnected = #"""
        typedef struct {
            int batches, depth, units, per_channel;
            int32_t input_offset, weight_offset, output_offset, act_min, act_max;
            const int32_t *multiplier; const int32_t *shift;
        } mn_fc_params;

        static void mn_fully_connected(const mn_fc_params *p, const int8_t *input, const int8_t *weights, const int32_t *bias, int8_t *output) {
            int b, o, d;
            for (b = 0; b < p->batches; ++b)
            for (o = 0; o < p->units; ++o) {
                const int c = p->per_channel ? o : 0;
                int32_t acc = 0;
                for (d = 0; d < p->depth; ++d)
                    acc += ((int32_t)weights[o * p->depth + d] + p->weight_offset) * ((int32_t)input[b * p->depth + d] + p->input_offset);
                if (bias) acc += bias[o];
                acc = mn_requantize(acc, p->multiplier[c], (int)p->shift[c]) + p->output_offset;
                output[b * p->units + o] = mn_clamp(acc, p->act_min, p->act_max);
            }
        }

        """#

    static let poolParameters = #"""
        typedef struct {
            int batches, channels, in_h, in_w, out_h, out_w, k_h, k_w, stride_h, stride_w, pad_top, pad_left;
            int32_t act_min, act_max;
        } mn_pool_params;

        """#

    static let pooling = #"""
        static void mn_pool(const mn_pool_params *p, int average, const int8_t *input, int8_t *output) {
            int b, oy, ox, c, fy, fx;
            for (b = 0; b < p->batches; ++b)
            for (oy = 0; oy < p->out_h; ++oy)
            for (ox = 0; ox < p->out_w; ++ox) {
                const int y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
                const int fy0 = y0 < 0 ? -y0 : 0, fx0 = x0 < 0 ? -x0 : 0;
                const int fy1 = p->k_h < p->in_h - y0 ? p->k_h : p->in_h - y0;
                const int fx1 = p->k_w < p->in_w - x0 ? p->k_w : p->in_w - x0;
                for (c = 0; c < p->channels; ++c) {
                    int32_t result = average ? 0 : -128, count = 0;
                    for (fy = fy0; fy < fy1; ++fy)
                    for (fx = fx0; fx < fx1; ++fx) {
                        const int32_t v = input[((b * p->in_h + y0 + fy) * p->in_w + x0 + fx) * p->channels + c];
                        if (average) { result += v; ++count; } else if (v > result) { result = v; }
                    }
                    if (average) result = count == 0 ? 0 : (result > 0 ? (result + count / 2) / count : (result - count / 2) / count);
                    output[((b * p->out_h + oy) * p->out_w + ox) * p->channels + c] = mn_clamp(result, p->act_min, p->act_max);
                }
            }
        }

        """#

    static let mean = #"""
        /* MEAN over the inner spatial axes of (outer, reduced, inner): sums, zero point, folded divide. */
        static void mn_mean(const int8_t *input, int outer, int reduced, int inner, int32_t input_zero_point, int32_t multiplier,
                            int shift, int32_t output_zero_point, int32_t *sums, int8_t *output) {
            int o, r, i;
            for (o = 0; o < outer * inner; ++o) sums[o] = 0;
            for (o = 0; o < outer; ++o)
                for (r = 0; r < reduced; ++r)
                    for (i = 0; i < inner; ++i) sums[o * inner + i] += input[(o * reduced + r) * inner + i];
            for (o = 0; o < outer * inner; ++o) {
                const int32_t shifted = sums[o] - input_zero_point * (int32_t)reduced;
                output[o] = mn_clamp(mn_requantize(shifted, multiplier, shift) + output_zero_point, -128, 127);
            }
        }

        """#
}

extension CKernels {
    /// CONV_2D followed by MAX_POOL_2D without storing the convolution's output: each pooled
    /// value is the max of the convolution values in its window, computed on demand by the
    /// `mn_conv_at` that `mn_conv2d` uses, so results are identical while the arena skips a tensor.
    static let convMaxPool = #"""
        static void mn_conv2d_maxpool(const mn_conv_params *p, const mn_pool_params *q, const int8_t *input, const int8_t *filter,
                                      const int32_t *bias, int8_t *output) {
            int b, py, px, c, wy, wx;
            for (b = 0; b < q->batches; ++b)
            for (py = 0; py < q->out_h; ++py)
            for (px = 0; px < q->out_w; ++px) {
                const int y0 = py * q->stride_h - q->pad_top, x0 = px * q->stride_w - q->pad_left;
                const int wy0 = y0 < 0 ? -y0 : 0, wx0 = x0 < 0 ? -x0 : 0;
                const int wy1 = q->k_h < q->in_h - y0 ? q->k_h : q->in_h - y0;
                const int wx1 = q->k_w < q->in_w - x0 ? q->k_w : q->in_w - x0;
                for (c = 0; c < q->channels; ++c) {
                    int32_t result = -128;
                    for (wy = wy0; wy < wy1; ++wy)
                    for (wx = wx0; wx < wx1; ++wx) {
                        const int32_t v = mn_conv_at(p, input, filter, bias, b, y0 + wy, x0 + wx, c);
                        if (v > result) result = v;
                    }
                    output[((b * q->out_h + py) * q->out_w + px) * q->channels + c] = mn_clamp(result, q->act_min, q->act_max);
                }
            }
        }

        """#
}
