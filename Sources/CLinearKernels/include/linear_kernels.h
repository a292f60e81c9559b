#ifndef MODELBUNDLE_LINEAR_KERNELS_H
#define MODELBUNDLE_LINEAR_KERNELS_H

#include <stddef.h>

/// Whether this processor (and operating system) runs the AVX2/FMA kernels; checked at run time.
/// Every other function here requires it: call them only when this returns 1.
int mb_linear_kernels_have_avx2_fma(void);

/// What a kernel call computes for each row.
enum {
    /// Raw scores, k per row.
    MB_LK_SCORES = 0,
    /// Binary logistic (k = 1): `[1 - p, p]` per row, p = 1 / (1 + e^-s).
    MB_LK_BINARY = 1,
    /// Softmax over the k scores.
    MB_LK_SOFTMAX = 2,
    /// One-vs-rest: sigmoid per class, divided by the row sum (an all-zero row becomes uniform).
    MB_LK_OVR = 3,
};

/// Scratch values per class (at least 2 classes counted): a block of 8 transposed groups of 4 doubles, or
/// one group of 8 floats.
#define MB_LK_SCRATCH_PER_CLASS 32

/// A linear model's weights repacked for the kernels: class c's coefficients at
/// `weights[c * stride ..< c * stride + features]`, followed by zeros up to `stride`, which is
/// `features` rounded up to a whole vector (4 doubles or 8 floats).
typedef struct {
    const double *weights;
    const double *intercepts;
    size_t features;
    size_t stride;
    size_t classes;
} mb_lk_model_f64;

typedef struct {
    const float *weights;
    const float *intercepts;
    size_t features;
    size_t stride;
    size_t classes;
} mb_lk_model_f32;

/// Runs `operation` (an MB_LK_* value) on `rows` contiguous row-major rows of `model->features`
/// values at `input`, writing row-major results to `output` (k values per row, 2 for MB_LK_BINARY).
/// `scratch` holds at least MB_LK_SCRATCH_PER_CLASS × max(classes, 2) values.
/// Each row's result depends on that row alone, never on its position or the batch.
void mb_lk_run_f64(int operation, const mb_lk_model_f64 *model, const double *input, size_t rows, double *output,
                   double *scratch);
/// As mb_lk_run_f64 for rows `first ..< first + rows` of float64 columns (value f of row r at
/// `columns[f][r]`, `model->features` columns), with the same bits in every result: a request whose
/// columns arrive apart is read where it lies instead of transposed first. With `outputColumnStride` 0
/// the results are row-major, row `first`'s first at `output`; otherwise column-major, result c of row
/// `first + r` at `output[c * outputColumnStride + r]` (straight into the value buffers of an Arrow
/// record batch, say). Returns 1 when any value read is NaN or ±infinity (the results are written
/// either way).
int mb_lk_run_columns_f64(int operation, const mb_lk_model_f64 *model, const double *const *columns, size_t first,
                          size_t rows, double *output, size_t outputColumnStride, double *scratch);
void mb_lk_run_f32(int operation, const mb_lk_model_f32 *model, const float *input, size_t rows, float *output,
                   float *scratch);

/// e^x for `count` values with the kernels' vector exponential (for tests of its accuracy).
void mb_lk_exp_f64(const double *input, double *output, size_t count);
void mb_lk_exp_f32(const float *input, float *output, size_t count);

#endif
