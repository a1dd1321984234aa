// The kernels live in their own module so that `Int8KernelsAVX2` can compile the same source
// for AVX2 and FMA; clients of Int8 see them as before.

@_exported import Int8Kernels
