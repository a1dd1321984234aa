// See codecs.h. JPEG through libjpeg with a setjmp error manager; PNG through libpng's
// simplified API, which converts every PNG colour type and bit depth for us.
#include "codecs.h"

#include <stdio.h>  // before jpeglib.h, which needs FILE

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

static void set_error(char *error, size_t size, const char *message) {
    if (error && size) {
        snprintf(error, size, "%s", message);
    }
}

static int detect(const uint8_t *data, size_t size) {
    if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return MN_FORMAT_JPEG;
    if (size >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0) return MN_FORMAT_PNG;
    return MN_FORMAT_UNKNOWN;
}

// MARK: - JPEG

struct jpeg_failure {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    int truncated;
};

static void jpeg_fail(j_common_ptr info) {
    struct jpeg_failure *failure = (struct jpeg_failure *)info->err;
    (*info->err->format_message)(info, failure->message);
    longjmp(failure->jump, 1);
}

// Warnings about odd but decodable data are tolerated, as browsers do; a file that ends
// early is not: libjpeg would fill the missing rows with gray.
static void jpeg_warning(j_common_ptr info, int level) {
    struct jpeg_failure *failure = (struct jpeg_failure *)info->err;
    if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) failure->truncated = 1;
}

static int jpeg_read(const uint8_t *data, size_t size, uint8_t *pixels, int *width, int *height, int *channels,
                     char *error, size_t error_size) {
    struct jpeg_decompress_struct info;
    struct jpeg_failure failure;
    info.err = jpeg_std_error(&failure.manager);
    failure.manager.error_exit = jpeg_fail;
    failure.manager.emit_message = jpeg_warning;
    failure.truncated = 0;
    if (setjmp(failure.jump)) {
        set_error(error, error_size, failure.message);
        jpeg_destroy_decompress(&info);
        return -2;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)size);
    jpeg_read_header(&info, TRUE);
    if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
        set_error(error, error_size, "CMYK JPEG images are not supported; save the image as RGB");
        jpeg_destroy_decompress(&info);
        return -3;
    }
    int out_channels = info.num_components == 1 ? 1 : 3;
    if (!pixels) {
        *width = (int)info.image_width;
        *height = (int)info.image_height;
        *channels = out_channels;
        jpeg_destroy_decompress(&info);
        return 0;
    }
    if ((int)info.image_width != *width || (int)info.image_height != *height || out_channels != *channels) {
        set_error(error, error_size, "image header changed between reads");
        jpeg_destroy_decompress(&info);
        return -4;
    }
    info.out_color_space = out_channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * (size_t)out_channels;
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + (size_t)info.output_scanline * stride;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    if (failure.truncated) {
        set_error(error, error_size, "the JPEG data ends early (truncated file)");
        return -2;
    }
    return 0;
}

int mn_encode_jpeg(const uint8_t *pixels, int width, int height, int channels, int quality, uint8_t **out,
                   size_t *out_size, char *error, size_t error_size) {
    struct jpeg_compress_struct info;
    struct jpeg_failure failure;
    unsigned char *buffer = NULL;
    unsigned long length = 0;
    info.err = jpeg_std_error(&failure.manager);
    failure.manager.error_exit = jpeg_fail;
    if (setjmp(failure.jump)) {
        set_error(error, error_size, failure.message);
        jpeg_destroy_compress(&info);
        free(buffer);
        return -2;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &buffer, &length);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = channels;
    info.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    size_t stride = (size_t)width * (size_t)channels;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)info.next_scanline * stride);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    *out = buffer;
    *out_size = (size_t)length;
    return 0;
}

// MARK: - PNG

static int png_read(const uint8_t *data, size_t size, uint8_t *pixels, int *width, int *height, int *channels,
                    char *error, size_t error_size) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, data, size)) {
        set_error(error, error_size, image.message);
        png_image_free(&image);
        return -2;
    }
    int out_channels = (image.format & PNG_FORMAT_FLAG_COLOR) ? 3 : 1;
    if (!pixels) {
        *width = (int)image.width;
        *height = (int)image.height;
        *channels = out_channels;
        png_image_free(&image);
        return 0;
    }
    if ((int)image.width != *width || (int)image.height != *height || out_channels != *channels) {
        set_error(error, error_size, "image header changed between reads");
        png_image_free(&image);
        return -4;
    }
    image.format = out_channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    png_color white = {255, 255, 255};
    if (!png_image_finish_read(&image, &white, pixels, 0, NULL)) {
        set_error(error, error_size, image.message);
        png_image_free(&image);
        return -2;
    }
    return 0;
}

int mn_encode_png(const uint8_t *pixels, int width, int height, int channels, uint8_t **out, size_t *out_size,
                  char *error, size_t error_size) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)width;
    image.height = (png_uint_32)height;
    image.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    png_alloc_size_t length = 0;
    if (!png_image_write_get_memory_size(image, length, 0, pixels, 0, NULL)) {
        set_error(error, error_size, image.message);
        return -2;
    }
    uint8_t *buffer = malloc(length);
    if (!buffer) {
        set_error(error, error_size, "out of memory");
        return -5;
    }
    if (!png_image_write_to_memory(&image, buffer, &length, 0, pixels, 0, NULL)) {
        set_error(error, error_size, image.message);
        free(buffer);
        return -2;
    }
    *out = buffer;
    *out_size = (size_t)length;
    return 0;
}

// MARK: - Dispatch

int mn_image_info(const uint8_t *data, size_t size, int *format, int *width, int *height, int *channels,
                  char *error, size_t error_size) {
    *format = detect(data, size);
    switch (*format) {
    case MN_FORMAT_JPEG: return jpeg_read(data, size, NULL, width, height, channels, error, error_size);
    case MN_FORMAT_PNG: return png_read(data, size, NULL, width, height, channels, error, error_size);
    default:
        set_error(error, error_size, "not a JPEG or PNG image");
        return -1;
    }
}

int mn_image_decode(const uint8_t *data, size_t size, uint8_t *pixels, int width, int height, int channels,
                    char *error, size_t error_size) {
    switch (detect(data, size)) {
    case MN_FORMAT_JPEG: return jpeg_read(data, size, pixels, &width, &height, &channels, error, error_size);
    case MN_FORMAT_PNG: return png_read(data, size, pixels, &width, &height, &channels, error, error_size);
    default:
        set_error(error, error_size, "not a JPEG or PNG image");
        return -1;
    }
}

void mn_free(void *pointer) { free(pointer); }
