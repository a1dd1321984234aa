// Int8 softmax in C99: the same gemmlowp fixed-point exp and reciprocal as the Swift kernel
// (module Int8, Softmax.swift and FixedPointExp.swift), so outputs match bit for bit.

extension CKernels {
    static let softmax = #"""
        static int32_t mn_sat_shl(int32_t x, int exponent) {
            const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
            if (x > threshold) return INT32_MAX;
            if (x < -threshold) return INT32_MIN;
            return (int32_t)((uint32_t)x << exponent);
        }

        static int32_t mn_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
        static int32_t mn_sub(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }

        static int32_t mn_exp_quarter(int32_t a) {
            const int32_t constant_term = 1895147668, one_third = 715827883;
            const int32_t x = mn_add(a, 1 << 28);
            const int32_t x2 = mn_srdhm(x, x), x3 = mn_srdhm(x2, x), x4 = mn_srdhm(x2, x2);
            const int32_t x4_over_4 = mn_rdbpot(x4, 2);
            const int32_t poly = mn_rdbpot(mn_add(mn_srdhm(mn_add(x4_over_4, x3), one_third), x2), 1);
            return mn_add(constant_term, mn_srdhm(constant_term, mn_add(x, poly)));
        }

        static int32_t mn_exp_negative_q5(int32_t a) {
            static const int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
            const int32_t quarter = 1 << 24;
            const int32_t a_mod = mn_sub(a & (quarter - 1), quarter);
            int32_t result = mn_exp_quarter(mn_sat_shl(a_mod, 5));
            const int32_t remainder = mn_sub(a_mod, a);
            int k;
            for (k = 0; k < 7; ++k)
                if (remainder & (int32_t)(1u << (24 + k))) result = mn_srdhm(result, multipliers[k]);
            return a == 0 ? INT32_MAX : result;
        }

        static int32_t mn_one_over_one_plus_x(int32_t a) {
            const int64_t sum = (int64_t)a + INT32_MAX;
            const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
            int32_t x = mn_add(1515870810, mn_srdhm(half_denominator, -1010580540));
            int i;
            for (i = 0; i < 3; ++i) {
                const int32_t one_minus = mn_sub(1 << 29, mn_srdhm(half_denominator, x));
                x = mn_add(x, mn_sat_shl(mn_srdhm(x, one_minus), 2));
            }
            return mn_sat_shl(x, 1);
        }

        static int mn_clz32(uint32_t x) {
            int n = 0;
            if (x == 0) return 32;
            while (!(x & 0x80000000u)) { x <<= 1; ++n; }
            return n;
        }

        static void mn_softmax(const int8_t *input, int rows, int depth, int32_t multiplier, int left_shift, int32_t diff_min,
                               int8_t *output) {
            int r, c;
            for (r = 0; r < rows; ++r) {
                const int8_t *x = input + r * depth;
                int8_t *y = output + r * depth;
                int32_t max_in_row = -128, sum = 0, scale;
                int headroom, bits_over_unit, exponent;
                for (c = 0; c < depth; ++c) if (x[c] > max_in_row) max_in_row = x[c];
                for (c = 0; c < depth; ++c) {
                    const int32_t diff = (int32_t)x[c] - max_in_row;
                    if (diff >= diff_min)
                        sum = mn_add(sum, mn_rdbpot(mn_exp_negative_q5(mn_srdhm((int32_t)((uint32_t)diff << left_shift), multiplier)), 12));
                }
                headroom = mn_clz32((uint32_t)sum);
                bits_over_unit = 12 - headroom;
                scale = mn_one_over_one_plus_x((int32_t)(((uint32_t)sum << headroom) - 0x80000000u));
                exponent = bits_over_unit + 31 - 8;
                for (c = 0; c < depth; ++c) {
                    const int32_t diff = (int32_t)x[c] - max_in_row;
                    if (diff >= diff_min) {
                        const int32_t e = mn_exp_negative_q5(mn_srdhm((int32_t)((uint32_t)diff << left_shift), multiplier));
                        y[c] = mn_clamp(mn_rdbpot(mn_srdhm(scale, e), exponent) - 128, -128, 127);
                    } else {
                        y[c] = -128;
                    }
                }
            }
        }

        """#
}
