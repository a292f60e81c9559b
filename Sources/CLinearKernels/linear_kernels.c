// Why C: Swift cannot compile one function for AVX2/FMA and choose it at run time without
// unsafe target flags; C's target attribute and __builtin_cpu_supports can.
#include "linear_kernels.h"

int mb_linear_kernels_have_avx2_fma(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}
