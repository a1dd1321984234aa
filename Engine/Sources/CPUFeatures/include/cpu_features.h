// What the CPU this process runs on can do, for kernels chosen at run time.
#ifndef MINNOW_CPU_FEATURES_H
#define MINNOW_CPU_FEATURES_H

/// 1 when the CPU and the operating system support the x86-64-v3 level (AVX2, FMA, BMI1/2,
/// F16C, LZCNT, MOVBE), which the AVX2 kernels are compiled for; 0 otherwise and off x86-64.
int minnow_cpu_has_x86_64_v3(void);

#endif
