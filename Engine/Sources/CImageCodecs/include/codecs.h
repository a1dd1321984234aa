// Minimal C wrappers over libjpeg(-turbo) and libpng for Minnow's Imaging module.
// They exist because libjpeg reports errors with longjmp, which Swift cannot catch.
// All functions return 0 on success and a negative code on failure, with a message in `error`.
#ifndef MINNOW_CODECS_H
#define MINNOW_CODECS_H

#include <stddef.h>
#include <stdint.h>

enum { MN_FORMAT_UNKNOWN = 0, MN_FORMAT_JPEG = 1, MN_FORMAT_PNG = 2 };

/// Reads only the header: format, dimensions and the channel count decoding will produce
/// (1 for grayscale sources, 3 otherwise). Cheap: nothing is decompressed.
int mn_image_info(const uint8_t *data, size_t size, int *format, int *width, int *height, int *channels,
                  char *error, size_t error_size);

/// Decodes into `pixels` (width * height * channels bytes, as reported by mn_image_info),
/// 8 bits per channel, row-major, channels 1 (gray) or 3 (RGB). Alpha is composited on white.
int mn_image_decode(const uint8_t *data, size_t size, uint8_t *pixels, int width, int height, int channels,
                    char *error, size_t error_size);

/// Encodes 8-bit gray (channels 1) or RGB (channels 3) pixels. The result is malloc'd:
/// release it with mn_free.
int mn_encode_png(const uint8_t *pixels, int width, int height, int channels, uint8_t **out, size_t *out_size,
                  char *error, size_t error_size);
int mn_encode_jpeg(const uint8_t *pixels, int width, int height, int channels, int quality, uint8_t **out,
                   size_t *out_size, char *error, size_t error_size);

void mn_free(void *pointer);

#endif
