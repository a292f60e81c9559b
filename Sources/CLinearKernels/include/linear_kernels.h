#ifndef MODELBUNDLE_LINEAR_KERNELS_H
#define MODELBUNDLE_LINEAR_KERNELS_H

/// Whether this processor runs the AVX2/FMA kernels (checked once at run time).
int mb_linear_kernels_have_avx2_fma(void);

#endif
