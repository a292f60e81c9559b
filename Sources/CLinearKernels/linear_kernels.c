// Why C: the linear-model predict loop is compute-bound on the x86-64 baseline the Swift code is compiled
// for (SSE2, no FMA): two-lane multiplies and adds for the dot products, and a softmax whose exponential
// and divisions cost as much again. Swift cannot compile one function for AVX2/FMA and choose it at run
// time without unsafe target flags for the whole module; C's `target` attribute and a CPUID check
// can. Everything here is the hot loop only: shapes, checks, threading and the portable path stay in Swift.
//
// Layout of the work: rows go in groups of one vector width (4 doubles, 8 floats). Each row's dot product
// with a class is accumulated lane-wise over the row's vector chunks with FMA (the last, partial chunk
// through a masked load, against weights padded with zeros), and the group's accumulators are reduced with
// a fixed transpose-and-add tree so that lane r of the result is row r's score. The probability transforms
// then run with one row per lane, with no horizontal work. The arithmetic applied to a row never depends
// on the other lanes: a partial last group repeats its last row in the spare lanes (read from valid memory,
// never written out), so a row's result is bit-for-bit the same alone or anywhere in a batch.
#include "linear_kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MB_LK_X86 1
#include <cpuid.h>
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
// glibc >= 2.33 publishes the CPU features its loader detected (<sys/platform/x86.h>).
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <sys/platform/x86.h>
#define MB_LK_GLIBC_CPU_FEATURES 1
#endif
#endif

int mb_linear_kernels_have_avx2_fma(void) {
#if defined(MB_LK_GLIBC_CPU_FEATURES)
    // glibc's dynamic loader has already read CPUID and XCR0 at start-up; asking it costs no CPUID. A
    // CPUID exits to the hypervisor in a virtual machine: about 6 µs each here, three of them plus XGETBV
    // were 0.7 % of a cold `mbundle predict`. "Active" also means the operating system saves the AVX
    // registers, and GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2 turns the kernels off.
    return CPU_FEATURE_ACTIVE(AVX2) && CPU_FEATURE_ACTIVE(FMA);
#elif MB_LK_X86
    // Read here, when the first model asks, rather than through __builtin_cpu_supports: that builtin
    // links libgcc's cpu-model constructor, which runs CPUID at every process start.
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const unsigned fma = 1u << 12, osxsave = 1u << 27, avx = 1u << 28;
    if ((ecx & (fma | osxsave | avx)) != (fma | osxsave | avx)) return 0;
    // The operating system saves the SSE and AVX registers (XCR0 bits 1 and 2).
    unsigned xcr0_low, xcr0_high;
    __asm__("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 0x6u) != 0x6u) return 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    return (ebx & (1u << 5)) != 0;  // AVX2
#else
    return 0;
#endif
}

#if MB_LK_X86

#define MB_TARGET __attribute__((target("avx2,fma")))
#define MB_INLINE static inline __attribute__((always_inline, target("avx2,fma")))

// MARK: - Exponentials

/// e^x for x in [-708, 709] (results normal): Cody–Waite reduction x = k·ln2 + r with |r| ≤ ln2/2 (the
/// "shifter" 1.5·2^52 rounds x/ln2 to an integer and leaves it in the low mantissa bits), the degree-13
/// Taylor polynomial of e^r (truncation below 5e-18 relative), and 2^k through the exponent bits.
MB_INLINE __m256d exp_poly_f64(__m256d x) {
    const __m256d shifter = _mm256_set1_pd(0x1.8p52);
    __m256d t = _mm256_fmadd_pd(x, _mm256_set1_pd(1.4426950408889634), shifter);
    __m256d k = _mm256_sub_pd(t, shifter);
    // ln2 split into a high part with trailing zero bits and a low part.
    __m256d r = _mm256_fnmadd_pd(k, _mm256_set1_pd(6.93147180369123816490e-01), x);
    r = _mm256_fnmadd_pd(k, _mm256_set1_pd(1.90821492927058770002e-10), r);
    // Estrin's scheme: the same polynomial as Horner's rule in four dependent steps instead of thirteen,
    // so the exponentials of a group overlap instead of waiting on each other's FMA latency.
    __m256d r2 = _mm256_mul_pd(r, r);
    __m256d r4 = _mm256_mul_pd(r2, r2);
    __m256d r8 = _mm256_mul_pd(r4, r4);
    __m256d p01 = _mm256_fmadd_pd(r, _mm256_set1_pd(1.0), _mm256_set1_pd(1.0));
    __m256d p23 = _mm256_fmadd_pd(r, _mm256_set1_pd(1.0 / 6.0), _mm256_set1_pd(0.5));
    __m256d p45 = _mm256_fmadd_pd(r, _mm256_set1_pd(1.0 / 120.0), _mm256_set1_pd(1.0 / 24.0));
    __m256d p67 = _mm256_fmadd_pd(r, _mm256_set1_pd(1.0 / 5040.0), _mm256_set1_pd(1.0 / 720.0));
    __m256d p89 = _mm256_fmadd_pd(r, _mm256_set1_pd(1.0 / 362880.0), _mm256_set1_pd(1.0 / 40320.0));
    __m256d p1011 = _mm256_fmadd_pd(r, _mm256_set1_pd(1.0 / 39916800.0), _mm256_set1_pd(1.0 / 3628800.0));
    __m256d p1213 = _mm256_fmadd_pd(r, _mm256_set1_pd(1.0 / 6227020800.0), _mm256_set1_pd(1.0 / 479001600.0));
    __m256d q0 = _mm256_fmadd_pd(p23, r2, p01);
    __m256d q1 = _mm256_fmadd_pd(p67, r2, p45);
    __m256d q2 = _mm256_fmadd_pd(p1011, r2, p89);
    __m256d s0 = _mm256_fmadd_pd(q1, r4, q0);
    __m256d s1 = _mm256_fmadd_pd(p1213, r4, q2);
    __m256d p = _mm256_fmadd_pd(s1, r8, s0);
    __m256i kbits = _mm256_sub_epi64(_mm256_castpd_si256(t), _mm256_castpd_si256(shifter));
    __m256i scale = _mm256_slli_epi64(_mm256_add_epi64(kbits, _mm256_set1_epi64x(1023)), 52);
    return _mm256_mul_pd(p, _mm256_castsi256_pd(scale));
}

/// e^x per lane. Lanes whose result would overflow or be subnormal, and NaN lanes, take the C library's
/// `exp` (so edge cases match numpy's); the other lanes keep the polynomial whatever their neighbours are.
MB_INLINE __m256d exp_f64(__m256d x) {
    __m256d inside = _mm256_and_pd(_mm256_cmp_pd(x, _mm256_set1_pd(-708.0), _CMP_GE_OQ),
                                   _mm256_cmp_pd(x, _mm256_set1_pd(709.0), _CMP_LE_OQ));
    int bits = _mm256_movemask_pd(inside);
    if (bits == 0xF) {
        return exp_poly_f64(x);
    }
    // Out-of-range lanes are replaced by 0 for the polynomial, then overwritten.
    __m256d result = exp_poly_f64(_mm256_and_pd(x, inside));
    double lanes[4];
    double values[4];
    _mm256_storeu_pd(lanes, result);
    _mm256_storeu_pd(values, x);
    for (int lane = 0; lane < 4; lane++) {
        if (!((bits >> lane) & 1)) {
            lanes[lane] = exp(values[lane]);
        }
    }
    return _mm256_loadu_pd(lanes);
}

/// e^x for x in [-87, 88] (results normal), as exp_poly_f64 with the float shifter 1.5·2^23, Cephes' split
/// of ln2 and the degree-7 Taylor polynomial (truncation below 6e-9 relative, a tenth of an ulp).
MB_INLINE __m256 exp_poly_f32(__m256 x) {
    const __m256 shifter = _mm256_set1_ps(0x1.8p23f);
    __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), shifter);
    __m256 k = _mm256_sub_ps(t, shifter);
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.0f / 5040.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i kbits = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_castps_si256(shifter));
    __m256i scale = _mm256_slli_epi32(_mm256_add_epi32(kbits, _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(scale));
}

MB_INLINE __m256 exp_f32(__m256 x) {
    __m256 inside = _mm256_and_ps(_mm256_cmp_ps(x, _mm256_set1_ps(-87.0f), _CMP_GE_OQ),
                                  _mm256_cmp_ps(x, _mm256_set1_ps(88.0f), _CMP_LE_OQ));
    int bits = _mm256_movemask_ps(inside);
    if (bits == 0xFF) {
        return exp_poly_f32(x);
    }
    __m256 result = exp_poly_f32(_mm256_and_ps(x, inside));
    float lanes[8];
    float values[8];
    _mm256_storeu_ps(lanes, result);
    _mm256_storeu_ps(values, x);
    for (int lane = 0; lane < 8; lane++) {
        if (!((bits >> lane) & 1)) {
            lanes[lane] = expf(values[lane]);
        }
    }
    return _mm256_loadu_ps(lanes);
}

// MARK: - Prefetch

/// Bytes ahead of the current group that its rows' cache lines are requested: the hardware prefetcher
/// alone leaves the loop waiting on memory (measured: ~2x slower on 1M × 32 rows than from cache).
#define MB_PREFETCH_DISTANCE 8192

/// Requests the cache lines `MB_PREFETCH_DISTANCE` bytes past the current group (`group` bytes starting
/// `offset` bytes into an input of `total` bytes). A prefetch never faults, but the address is kept inside
/// the input anyway, so that no pointer is formed past its end.
MB_INLINE void prefetch_ahead(const void *input, size_t offset, size_t total, size_t group) {
    const char *base = (const char *)input;
    size_t start = offset + MB_PREFETCH_DISTANCE;
    size_t end = start + group;
    if (end > total) {
        end = total;
    }
    for (size_t at = start; at < end; at += 64) {
        _mm_prefetch(base + at, _MM_HINT_T0);
    }
}

// MARK: - Scores, float64

/// Lane r of the result is the sum of a_r's lanes, as (a_r0 + a_r1) + (a_r2 + a_r3).
MB_INLINE __m256d reduce4_f64(__m256d a0, __m256d a1, __m256d a2, __m256d a3) {
    __m256d h01 = _mm256_hadd_pd(a0, a1);
    __m256d h23 = _mm256_hadd_pd(a2, a3);
    return _mm256_add_pd(_mm256_permute2f128_pd(h01, h23, 0x20), _mm256_permute2f128_pd(h01, h23, 0x31));
}

// The row chunks of a group step: whole chunks with plain unaligned loads, then the last partial chunk (if
// any) with a masked load that reads nothing past the row's end (masked-off lanes are 0, against zero
// weights). Written once as a macro so both loops stay branch-free in their bodies.
#define MB_PAIR_STEP_F64(LOAD)                                                                                     \
    do {                                                                                                           \
        __m256d v0 = _mm256_loadu_pd(w0 + 4 * q);                                                                  \
        __m256d v1 = _mm256_loadu_pd(w1 + 4 * q);                                                                  \
        __m256d r = LOAD(x[0] + 4 * q);                                                                            \
        a00 = _mm256_fmadd_pd(r, v0, a00);                                                                         \
        a01 = _mm256_fmadd_pd(r, v1, a01);                                                                         \
        r = LOAD(x[1] + 4 * q);                                                                                    \
        a10 = _mm256_fmadd_pd(r, v0, a10);                                                                         \
        a11 = _mm256_fmadd_pd(r, v1, a11);                                                                         \
        r = LOAD(x[2] + 4 * q);                                                                                    \
        a20 = _mm256_fmadd_pd(r, v0, a20);                                                                         \
        a21 = _mm256_fmadd_pd(r, v1, a21);                                                                         \
        r = LOAD(x[3] + 4 * q);                                                                                    \
        a30 = _mm256_fmadd_pd(r, v0, a30);                                                                         \
        a31 = _mm256_fmadd_pd(r, v1, a31);                                                                         \
    } while (0)

#define MB_TRIPLE_STEP_F64(LOAD)                                                                                   \
    do {                                                                                                           \
        __m256d v0 = _mm256_loadu_pd(w0 + 4 * q);                                                                  \
        __m256d v1 = _mm256_loadu_pd(w1 + 4 * q);                                                                  \
        __m256d v2 = _mm256_loadu_pd(w2 + 4 * q);                                                                  \
        __m256d r = LOAD(x[0] + 4 * q);                                                                            \
        a00 = _mm256_fmadd_pd(r, v0, a00);                                                                         \
        a01 = _mm256_fmadd_pd(r, v1, a01);                                                                         \
        a02 = _mm256_fmadd_pd(r, v2, a02);                                                                         \
        r = LOAD(x[1] + 4 * q);                                                                                    \
        a10 = _mm256_fmadd_pd(r, v0, a10);                                                                         \
        a11 = _mm256_fmadd_pd(r, v1, a11);                                                                         \
        a12 = _mm256_fmadd_pd(r, v2, a12);                                                                         \
        r = LOAD(x[2] + 4 * q);                                                                                    \
        a20 = _mm256_fmadd_pd(r, v0, a20);                                                                         \
        a21 = _mm256_fmadd_pd(r, v1, a21);                                                                         \
        a22 = _mm256_fmadd_pd(r, v2, a22);                                                                         \
        r = LOAD(x[3] + 4 * q);                                                                                    \
        a30 = _mm256_fmadd_pd(r, v0, a30);                                                                         \
        a31 = _mm256_fmadd_pd(r, v1, a31);                                                                         \
        a32 = _mm256_fmadd_pd(r, v2, a32);                                                                         \
    } while (0)

#define MB_SINGLE_STEP_F64(LOAD)                                                                                   \
    do {                                                                                                           \
        __m256d v0 = _mm256_loadu_pd(w0 + 4 * q);                                                                  \
        a0 = _mm256_fmadd_pd(LOAD(x[0] + 4 * q), v0, a0);                                                          \
        a1 = _mm256_fmadd_pd(LOAD(x[1] + 4 * q), v0, a1);                                                          \
        a2 = _mm256_fmadd_pd(LOAD(x[2] + 4 * q), v0, a2);                                                          \
        a3 = _mm256_fmadd_pd(LOAD(x[3] + 4 * q), v0, a3);                                                          \
    } while (0)

#define MB_LOADU_F64(p) _mm256_loadu_pd(p)
#define MB_MASKLOAD_F64(p) _mm256_maskload_pd((p), mask)

/// Scores of the four rows `x[0..3]`, transposed: lane r of `s + 4c` is row r's score for class c.
/// Classes go two at a time (8 accumulators, 2 weight and 1 row registers: no spills in 16 registers).
MB_INLINE void group_scores_f64(const mb_lk_model_f64 *m, const double *const x[4], double *s) {
    const size_t n = m->features;
    const size_t full = n / 4;
    const int partial = n % 4 != 0;
    const __m256i mask = _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)(n % 4)), _mm256_setr_epi64x(0, 1, 2, 3));
    const size_t k = m->classes;
    size_t c = 0;
    if (k % 2 == 1 && k >= 3) {
        // An odd class count starts with three classes at once (12 accumulators and 3 weight registers; the
        // row chunks are read from L1 as memory operands), so that no class is left to the single loop.
        const double *w0 = m->weights;
        const double *w1 = w0 + m->stride;
        const double *w2 = w1 + m->stride;
        __m256d a00 = _mm256_setzero_pd(), a01 = _mm256_setzero_pd(), a02 = _mm256_setzero_pd();
        __m256d a10 = _mm256_setzero_pd(), a11 = _mm256_setzero_pd(), a12 = _mm256_setzero_pd();
        __m256d a20 = _mm256_setzero_pd(), a21 = _mm256_setzero_pd(), a22 = _mm256_setzero_pd();
        __m256d a30 = _mm256_setzero_pd(), a31 = _mm256_setzero_pd(), a32 = _mm256_setzero_pd();
        size_t q = 0;
        for (; q < full; q++) {
            MB_TRIPLE_STEP_F64(MB_LOADU_F64);
        }
        if (partial) {
            MB_TRIPLE_STEP_F64(MB_MASKLOAD_F64);
        }
        _mm256_storeu_pd(s, _mm256_add_pd(reduce4_f64(a00, a10, a20, a30), _mm256_set1_pd(m->intercepts[0])));
        _mm256_storeu_pd(s + 4, _mm256_add_pd(reduce4_f64(a01, a11, a21, a31), _mm256_set1_pd(m->intercepts[1])));
        _mm256_storeu_pd(s + 8, _mm256_add_pd(reduce4_f64(a02, a12, a22, a32), _mm256_set1_pd(m->intercepts[2])));
        c = 3;
    }
    for (; c + 2 <= k; c += 2) {
        const double *w0 = m->weights + c * m->stride;
        const double *w1 = w0 + m->stride;
        __m256d a00 = _mm256_setzero_pd(), a01 = _mm256_setzero_pd();
        __m256d a10 = _mm256_setzero_pd(), a11 = _mm256_setzero_pd();
        __m256d a20 = _mm256_setzero_pd(), a21 = _mm256_setzero_pd();
        __m256d a30 = _mm256_setzero_pd(), a31 = _mm256_setzero_pd();
        size_t q = 0;
        for (; q < full; q++) {
            MB_PAIR_STEP_F64(MB_LOADU_F64);
        }
        if (partial) {
            MB_PAIR_STEP_F64(MB_MASKLOAD_F64);
        }
        _mm256_storeu_pd(s + 4 * c,
                         _mm256_add_pd(reduce4_f64(a00, a10, a20, a30), _mm256_set1_pd(m->intercepts[c])));
        _mm256_storeu_pd(s + 4 * (c + 1),
                         _mm256_add_pd(reduce4_f64(a01, a11, a21, a31), _mm256_set1_pd(m->intercepts[c + 1])));
    }
    if (c < k) {
        const double *w0 = m->weights + c * m->stride;
        __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
        __m256d a2 = _mm256_setzero_pd(), a3 = _mm256_setzero_pd();
        size_t q = 0;
        for (; q < full; q++) {
            MB_SINGLE_STEP_F64(MB_LOADU_F64);
        }
        if (partial) {
            MB_SINGLE_STEP_F64(MB_MASKLOAD_F64);
        }
        _mm256_storeu_pd(s + 4 * c, _mm256_add_pd(reduce4_f64(a0, a1, a2, a3), _mm256_set1_pd(m->intercepts[c])));
    }
}

/// Writes the first `valid` lanes of the transposed group `s` (k vectors of 4) to `out`: row-major when
/// `columnStride` is 0, else column-major (lane r of class c at `out[c * columnStride + r]`).
MB_INLINE void scatter_f64(const double *s, size_t k, size_t valid, double *out, size_t columnStride) {
    if (columnStride != 0) {
        for (size_t c = 0; c < k; c++) {
            if (valid == 4) {
                _mm256_storeu_pd(out + c * columnStride, _mm256_loadu_pd(s + 4 * c));
            } else {
                for (size_t lane = 0; lane < valid; lane++) {
                    out[c * columnStride + lane] = s[4 * c + lane];
                }
            }
        }
        return;
    }
    for (size_t lane = 0; lane < valid; lane++) {
        for (size_t c = 0; c < k; c++) {
            out[lane * k + c] = s[4 * c + lane];
        }
    }
}

/// `1 / (1 + e^-s)` (scipy's expit formula: e^750 = inf gives exactly 0, never NaN).
MB_INLINE __m256d sigmoid_f64(__m256d s) {
    const __m256d one = _mm256_set1_pd(1.0);
    return _mm256_div_pd(one, _mm256_add_pd(one, exp_f64(_mm256_sub_pd(_mm256_setzero_pd(), s))));
}

/// Rows per block of run_f64: MB_LK_GROUPS groups of 4.
#define MB_LK_GROUPS 8

/// The transform of one group `s` (k transposed score vectors) for rows `row ..< row + valid`.
MB_INLINE void transform_f64(int operation, double *s, size_t k, size_t valid, double *output, size_t row,
                             size_t columnStride) {
    // Row `row`'s first result: row-major, k (2 for MB_LK_BINARY) a row; column-major, one a column.
    double *out = output + (columnStride != 0 ? row : row * (operation == MB_LK_BINARY ? 2 : k));
    switch (operation) {
    case MB_LK_SCORES:
        scatter_f64(s, k, valid, out, columnStride);
        break;
    case MB_LK_BINARY: {
        __m256d p = sigmoid_f64(_mm256_loadu_pd(s));
        _mm256_storeu_pd(s, _mm256_sub_pd(_mm256_set1_pd(1.0), p));
        _mm256_storeu_pd(s + 4, p);
        scatter_f64(s, 2, valid, out, columnStride);
        break;
    }
    case MB_LK_SOFTMAX: {
        // As scikit-learn: subtract the row maximum, exponentiate, divide by the row sum. The sum is at
        // least 1 (the maximum's term), so one reciprocal and k multiplies replace k divisions (error
        // below 1.5 ulp). A NaN score makes its own lane NaN through s − max and the sum.
        __m256d top = _mm256_loadu_pd(s);
        for (size_t c = 1; c < k; c++) {
            top = _mm256_max_pd(_mm256_loadu_pd(s + 4 * c), top);
        }
        __m256d sum = _mm256_setzero_pd();
        for (size_t c = 0; c < k; c++) {
            __m256d e = exp_f64(_mm256_sub_pd(_mm256_loadu_pd(s + 4 * c), top));
            _mm256_storeu_pd(s + 4 * c, e);
            sum = _mm256_add_pd(sum, e);
        }
        __m256d inverse = _mm256_div_pd(_mm256_set1_pd(1.0), sum);
        for (size_t c = 0; c < k; c++) {
            _mm256_storeu_pd(s + 4 * c, _mm256_mul_pd(_mm256_loadu_pd(s + 4 * c), inverse));
        }
        scatter_f64(s, k, valid, out, columnStride);
        break;
    }
    case MB_LK_OVR: {
        // scikit-learn's _predict_proba_lr. True divisions here: the sum of sigmoids can be subnormal,
        // where a reciprocal would overflow.
        __m256d sum = _mm256_setzero_pd();
        for (size_t c = 0; c < k; c++) {
            __m256d p = sigmoid_f64(_mm256_loadu_pd(s + 4 * c));
            _mm256_storeu_pd(s + 4 * c, p);
            sum = _mm256_add_pd(sum, p);
        }
        __m256d zero = _mm256_cmp_pd(sum, _mm256_setzero_pd(), _CMP_EQ_OQ);
        sum = _mm256_blendv_pd(sum, _mm256_set1_pd((double)k), zero);
        for (size_t c = 0; c < k; c++) {
            __m256d p = _mm256_blendv_pd(_mm256_loadu_pd(s + 4 * c), _mm256_set1_pd(1.0), zero);
            _mm256_storeu_pd(s + 4 * c, _mm256_div_pd(p, sum));
        }
        scatter_f64(s, k, valid, out, columnStride);
        break;
    }
    default:
        return;
    }
}

MB_TARGET static void run_f64(int operation, const mb_lk_model_f64 *m, const double *input, size_t rows,
                              double *output, double *scratch) {
    const size_t n = m->features;
    const size_t k = m->classes;
    const size_t groupValues = 4 * (k < 2 ? 2 : k);
    // Blocks of MB_LK_GROUPS groups: first every group's dot products, then every group's transform, so
    // that the exponentials of independent groups overlap instead of each waiting behind a dot product.
    for (size_t block = 0; block < rows; block += 4 * MB_LK_GROUPS) {
        const size_t blockEnd = rows - block < 4 * MB_LK_GROUPS ? rows : block + 4 * MB_LK_GROUPS;
        for (size_t row = block, g = 0; row < blockEnd; row += 4, g++) {
            const size_t valid = blockEnd - row < 4 ? blockEnd - row : 4;
            const double *x[4];
            for (size_t lane = 0; lane < 4; lane++) {
                x[lane] = input + (row + (lane < valid ? lane : valid - 1)) * n;
            }
            prefetch_ahead(input, row * n * sizeof(double), rows * n * sizeof(double), 4 * n * sizeof(double));
            group_scores_f64(m, x, scratch + g * groupValues);
        }
        for (size_t row = block, g = 0; row < blockEnd; row += 4, g++) {
            const size_t valid = blockEnd - row < 4 ? blockEnd - row : 4;
            double *s = scratch + g * groupValues;
            transform_f64(operation, s, k, valid, output, row, 0);
        }
    }
}

// MARK: - Scores from columns, float64

/// Rows per block of run_columns_f64 (MB_LK_GROUPS groups of 4), and blocks ahead whose column lines are
/// requested before they are read.
#define MB_COLUMN_BLOCK_ROWS (4 * MB_LK_GROUPS)
#define MB_COLUMN_PREFETCH_BLOCKS 8

/// As run_f64, for rows `first ..< first + rows` of float64 columns (value f of row r at `columns[f][r]`);
/// `output` receives row `first`'s results first. Returns whether any value read is NaN or ±infinity.
///
/// Every score has the bits run_f64 gives the same row: lane l of the row kernel's accumulator for a row
/// (the features f ≡ l mod 4, in order) is `acc[.][l][g]` here, four rows side by side, fed the same
/// products in the same order and reduced the same way, (l0 + l1) + (l2 + l3), then the intercept. The row
/// kernel's masked last chunk adds 0 × 0 to lanes past the last feature, which changes nothing: an
/// accumulator that starts at +0 is never -0. A block reads each column's 32 rows (four cache lines) in a
/// run, the accumulators staying in L1, rather than four rows of every column at a time: 32 columns read
/// a line at a time are 32 streams the hardware prefetcher does not follow (measured: loads waiting on
/// memory took two thirds of the time), so each column's lines a few blocks ahead are requested too, into
/// L2: requested into L1 the same lines left a 1,000,000 × 32 request at 23–24 ms, into L2 at 16–20 ms
/// (4, 8 or 16 blocks ahead measured alike).
MB_TARGET static int run_columns_f64(int operation, const mb_lk_model_f64 *m, const double *const *columns,
                                     size_t first, size_t rows, double *output, size_t columnStride,
                                     double *scratch) {
    const size_t k = m->classes;
    const size_t n = m->features;
    const size_t groupValues = 4 * (k < 2 ? 2 : k);
    __m256d bad = _mm256_setzero_pd();
    for (size_t block = 0; block < rows; block += MB_COLUMN_BLOCK_ROWS) {
        const size_t blockEnd = rows - block < MB_COLUMN_BLOCK_ROWS ? rows : block + MB_COLUMN_BLOCK_ROWS;
        const size_t groups = (blockEnd - block + 3) / 4;
        const size_t lastValid = blockEnd - block - 4 * (groups - 1);
        // The last group of the range may be partial: rows past it are not read (lanes of 0).
        const __m256i lastRows =
            _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)lastValid), _mm256_setr_epi64x(0, 1, 2, 3));
        const int prefetch = block + (MB_COLUMN_PREFETCH_BLOCKS + 1) * MB_COLUMN_BLOCK_ROWS <= rows;
        // Three classes at a time; a class past the last repeats it and is not stored.
        for (size_t c = 0; c < k; c += 3) {
            const size_t count = k - c < 3 ? k - c : 3;
            const double *w0 = m->weights + c * m->stride;
            const double *w1 = count > 1 ? w0 + m->stride : w0;
            const double *w2 = count > 2 ? w1 + m->stride : w1;
            __m256d acc[3][4][MB_LK_GROUPS];
            for (size_t i = 0; i < 3; i++) {
                for (size_t l = 0; l < 4; l++) {
                    for (size_t g = 0; g < MB_LK_GROUPS; g++) {
                        acc[i][l][g] = _mm256_setzero_pd();
                    }
                }
            }
            for (size_t f = 0; f < n; f++) {
                const size_t l = f % 4;
                const __m256d v0 = _mm256_broadcast_sd(w0 + f);
                const __m256d v1 = _mm256_broadcast_sd(w1 + f);
                const __m256d v2 = _mm256_broadcast_sd(w2 + f);
                const double *column = columns[f] + first + block;
                if (prefetch) {
                    const char *ahead = (const char *)(column + MB_COLUMN_PREFETCH_BLOCKS * MB_COLUMN_BLOCK_ROWS);
                    for (size_t line = 0; line < MB_COLUMN_BLOCK_ROWS * sizeof(double); line += 64) {
                        _mm_prefetch(ahead + line, _MM_HINT_T1);
                    }
                }
                for (size_t g = 0; g < groups; g++) {
                    __m256d x = g + 1 < groups || lastValid == 4 ? _mm256_loadu_pd(column + 4 * g)
                                                                 : _mm256_maskload_pd(column + 4 * g, lastRows);
                    if (c == 0) {
                        // x − x is +0 for a finite x and NaN otherwise.
                        bad = _mm256_or_pd(bad, _mm256_sub_pd(x, x));
                    }
                    acc[0][l][g] = _mm256_fmadd_pd(x, v0, acc[0][l][g]);
                    acc[1][l][g] = _mm256_fmadd_pd(x, v1, acc[1][l][g]);
                    acc[2][l][g] = _mm256_fmadd_pd(x, v2, acc[2][l][g]);
                }
            }
            // Into run_f64's layout: lane r of `scratch + g * groupValues + 4c` is row r's score for class c.
            for (size_t g = 0; g < groups; g++) {
                for (size_t i = 0; i < count; i++) {
                    __m256d sum = _mm256_add_pd(_mm256_add_pd(acc[i][0][g], acc[i][1][g]),
                                                _mm256_add_pd(acc[i][2][g], acc[i][3][g]));
                    _mm256_storeu_pd(scratch + g * groupValues + 4 * (c + i),
                                     _mm256_add_pd(sum, _mm256_set1_pd(m->intercepts[c + i])));
                }
            }
        }
        for (size_t row = block, g = 0; row < blockEnd; row += 4, g++) {
            const size_t valid = blockEnd - row < 4 ? blockEnd - row : 4;
            transform_f64(operation, scratch + g * groupValues, k, valid, output, row, columnStride);
        }
    }
    const __m256i bits = _mm256_castpd_si256(bad);
    return !_mm256_testz_si256(bits, bits);
}

// MARK: - Scores, float32

/// Lane r of the result is the sum of a_r's lanes, as ((0 + 1) + (2 + 3)) + ((4 + 5) + (6 + 7)).
MB_INLINE __m256 reduce8_f32(__m256 a0, __m256 a1, __m256 a2, __m256 a3, __m256 a4, __m256 a5, __m256 a6,
                             __m256 a7) {
    __m256 h0 = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
    __m256 h1 = _mm256_hadd_ps(_mm256_hadd_ps(a4, a5), _mm256_hadd_ps(a6, a7));
    return _mm256_add_ps(_mm256_permute2f128_ps(h0, h1, 0x20), _mm256_permute2f128_ps(h0, h1, 0x31));
}

#define MB_STEP_F32(LOAD)                                                                                          \
    do {                                                                                                           \
        __m256 v = _mm256_loadu_ps(w + 8 * q);                                                                     \
        a0 = _mm256_fmadd_ps(LOAD(x[0] + 8 * q), v, a0);                                                           \
        a1 = _mm256_fmadd_ps(LOAD(x[1] + 8 * q), v, a1);                                                           \
        a2 = _mm256_fmadd_ps(LOAD(x[2] + 8 * q), v, a2);                                                           \
        a3 = _mm256_fmadd_ps(LOAD(x[3] + 8 * q), v, a3);                                                           \
        a4 = _mm256_fmadd_ps(LOAD(x[4] + 8 * q), v, a4);                                                           \
        a5 = _mm256_fmadd_ps(LOAD(x[5] + 8 * q), v, a5);                                                           \
        a6 = _mm256_fmadd_ps(LOAD(x[6] + 8 * q), v, a6);                                                           \
        a7 = _mm256_fmadd_ps(LOAD(x[7] + 8 * q), v, a7);                                                           \
    } while (0)

#define MB_LOADU_F32(p) _mm256_loadu_ps(p)
#define MB_MASKLOAD_F32(p) _mm256_maskload_ps((p), mask)

/// Scores of the eight rows `x[0..7]`, transposed: lane r of `s + 8c` is row r's score for class c.
/// One class at a time (8 accumulators); the partial last chunk as in group_scores_f64.
MB_INLINE void group_scores_f32(const mb_lk_model_f32 *m, const float *const x[8], float *s) {
    const size_t n = m->features;
    const size_t full = n / 8;
    const int partial = n % 8 != 0;
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n % 8)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    for (size_t c = 0; c < m->classes; c++) {
        const float *w = m->weights + c * m->stride;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps();
        __m256 a3 = _mm256_setzero_ps(), a4 = _mm256_setzero_ps(), a5 = _mm256_setzero_ps();
        __m256 a6 = _mm256_setzero_ps(), a7 = _mm256_setzero_ps();
        size_t q = 0;
        for (; q < full; q++) {
            MB_STEP_F32(MB_LOADU_F32);
        }
        if (partial) {
            MB_STEP_F32(MB_MASKLOAD_F32);
        }
        _mm256_storeu_ps(s + 8 * c, _mm256_add_ps(reduce8_f32(a0, a1, a2, a3, a4, a5, a6, a7),
                                                  _mm256_set1_ps(m->intercepts[c])));
    }
}

MB_INLINE void scatter_f32(const float *s, size_t k, size_t valid, float *out) {
    for (size_t lane = 0; lane < valid; lane++) {
        for (size_t c = 0; c < k; c++) {
            out[lane * k + c] = s[8 * c + lane];
        }
    }
}

MB_INLINE __m256 sigmoid_f32(__m256 s) {
    const __m256 one = _mm256_set1_ps(1.0f);
    return _mm256_div_ps(one, _mm256_add_ps(one, exp_f32(_mm256_sub_ps(_mm256_setzero_ps(), s))));
}

/// As run_f64, eight rows per group.
MB_TARGET static void run_f32(int operation, const mb_lk_model_f32 *m, const float *input, size_t rows,
                              float *output, float *s) {
    const size_t n = m->features;
    const size_t k = m->classes;
    for (size_t row = 0; row < rows; row += 8) {
        const size_t valid = rows - row < 8 ? rows - row : 8;
        const float *x[8];
        for (size_t lane = 0; lane < 8; lane++) {
            x[lane] = input + (row + (lane < valid ? lane : valid - 1)) * n;
        }
        prefetch_ahead(input, row * n * sizeof(float), rows * n * sizeof(float), 8 * n * sizeof(float));
        group_scores_f32(m, x, s);
        switch (operation) {
        case MB_LK_SCORES:
            scatter_f32(s, k, valid, output + row * k);
            break;
        case MB_LK_BINARY: {
            __m256 p = sigmoid_f32(_mm256_loadu_ps(s));
            _mm256_storeu_ps(s, _mm256_sub_ps(_mm256_set1_ps(1.0f), p));
            _mm256_storeu_ps(s + 8, p);
            scatter_f32(s, 2, valid, output + row * 2);
            break;
        }
        case MB_LK_SOFTMAX: {
            __m256 top = _mm256_loadu_ps(s);
            for (size_t c = 1; c < k; c++) {
                top = _mm256_max_ps(_mm256_loadu_ps(s + 8 * c), top);
            }
            __m256 sum = _mm256_setzero_ps();
            for (size_t c = 0; c < k; c++) {
                __m256 e = exp_f32(_mm256_sub_ps(_mm256_loadu_ps(s + 8 * c), top));
                _mm256_storeu_ps(s + 8 * c, e);
                sum = _mm256_add_ps(sum, e);
            }
            __m256 inverse = _mm256_div_ps(_mm256_set1_ps(1.0f), sum);
            for (size_t c = 0; c < k; c++) {
                _mm256_storeu_ps(s + 8 * c, _mm256_mul_ps(_mm256_loadu_ps(s + 8 * c), inverse));
            }
            scatter_f32(s, k, valid, output + row * k);
            break;
        }
        case MB_LK_OVR: {
            __m256 sum = _mm256_setzero_ps();
            for (size_t c = 0; c < k; c++) {
                __m256 p = sigmoid_f32(_mm256_loadu_ps(s + 8 * c));
                _mm256_storeu_ps(s + 8 * c, p);
                sum = _mm256_add_ps(sum, p);
            }
            __m256 zero = _mm256_cmp_ps(sum, _mm256_setzero_ps(), _CMP_EQ_OQ);
            sum = _mm256_blendv_ps(sum, _mm256_set1_ps((float)k), zero);
            for (size_t c = 0; c < k; c++) {
                __m256 p = _mm256_blendv_ps(_mm256_loadu_ps(s + 8 * c), _mm256_set1_ps(1.0f), zero);
                _mm256_storeu_ps(s + 8 * c, _mm256_div_ps(p, sum));
            }
            scatter_f32(s, k, valid, output + row * k);
            break;
        }
        default:
            return;
        }
    }
}

MB_TARGET static void exp_array_f64(const double *input, double *output, size_t count) {
    size_t i = 0;
    for (; i + 4 <= count; i += 4) {
        _mm256_storeu_pd(output + i, exp_f64(_mm256_loadu_pd(input + i)));
    }
    if (i < count) {
        double lanes[4] = {0, 0, 0, 0};
        for (size_t j = i; j < count; j++) {
            lanes[j - i] = input[j];
        }
        _mm256_storeu_pd(lanes, exp_f64(_mm256_loadu_pd(lanes)));
        for (size_t j = i; j < count; j++) {
            output[j] = lanes[j - i];
        }
    }
}

MB_TARGET static void exp_array_f32(const float *input, float *output, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        _mm256_storeu_ps(output + i, exp_f32(_mm256_loadu_ps(input + i)));
    }
    if (i < count) {
        float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (size_t j = i; j < count; j++) {
            lanes[j - i] = input[j];
        }
        _mm256_storeu_ps(lanes, exp_f32(_mm256_loadu_ps(lanes)));
        for (size_t j = i; j < count; j++) {
            output[j] = lanes[j - i];
        }
    }
}

#endif  // MB_LK_X86

// The entry points. Without x86-64 (or without AVX2/FMA, which the caller checks first) there is nothing
// to run: the Swift kernels are the portable path and these are never called.

void mb_lk_run_f64(int operation, const mb_lk_model_f64 *model, const double *input, size_t rows, double *output,
                   double *scratch) {
#if MB_LK_X86
    if (model->classes > 0 && model->features > 0) {
        run_f64(operation, model, input, rows, output, scratch);
    }
#else
    (void)operation, (void)model, (void)input, (void)rows, (void)output, (void)scratch;
#endif
}

int mb_lk_run_columns_f64(int operation, const mb_lk_model_f64 *model, const double *const *columns, size_t first,
                          size_t rows, double *output, size_t outputColumnStride, double *scratch) {
#if MB_LK_X86
    if (model->classes > 0 && model->features > 0) {
        return run_columns_f64(operation, model, columns, first, rows, output, outputColumnStride, scratch);
    }
#else
    (void)operation, (void)model, (void)columns, (void)first, (void)rows, (void)output, (void)outputColumnStride;
    (void)scratch;
#endif
    return 0;
}

void mb_lk_run_f32(int operation, const mb_lk_model_f32 *model, const float *input, size_t rows, float *output,
                   float *scratch) {
#if MB_LK_X86
    if (model->classes > 0 && model->features > 0) {
        run_f32(operation, model, input, rows, output, scratch);
    }
#else
    (void)operation, (void)model, (void)input, (void)rows, (void)output, (void)scratch;
#endif
}

void mb_lk_exp_f64(const double *input, double *output, size_t count) {
#if MB_LK_X86
    exp_array_f64(input, output, count);
#else
    (void)input, (void)output, (void)count;
#endif
}

void mb_lk_exp_f32(const float *input, float *output, size_t count) {
#if MB_LK_X86
    exp_array_f32(input, output, count);
#else
    (void)input, (void)output, (void)count;
#endif
}
