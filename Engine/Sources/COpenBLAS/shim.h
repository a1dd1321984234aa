// OpenBLAS's CBLAS interface (Debian libopenblas-dev), plus its thread-count controls,
// and glibc's mallopt (the engine tunes malloc for its per-step activation buffers).
#include <cblas.h>
#include <malloc.h>
