// Why C: the tree walk is bound by its loads, not its arithmetic. On the x86-64 baseline the Swift code is
// compiled for, every step of every row is a scalar chain (load the node, load the row's feature, compare,
// add), about six cycles per node visit even with 64 rows in lock step. AVX-512 gathers do one step for
// sixteen rows with three gathers (node meta word, threshold, the rows' features), so a block of 64 rows
// moves one level in four independent gather chains. Swift cannot compile one function for AVX-512 and
// choose it at run time without unsafe target flags for the whole module; C's `target` attribute and
// __builtin_cpu_supports can. Everything here is the hot loop only: the layout, its checks (every index in
// range, trees small enough for 16-bit child offsets, no split that needs the general decision), threading
// and the portable path stay in Swift (TreeEnsembleKernel).
//
// Exactness: a lane's step is the Swift kernel's step (`x > t` ordered, a NaN right unless the node says
// left), and a lane's accumulators receive the trees in tree order with one IEEE addition each, in the
// accumulation precision, so every row's result is bit-identical to the row-by-row walk. Spare lanes of a
// partial block read row 0 (valid memory) and their results are never written out.
#include "tree_kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MB_TK_X86 1
#include <immintrin.h>
#endif

int mb_tree_kernels_have_avx512(void) {
#if MB_TK_X86
    // The builtins also check that the operating system saves the AVX-512 state (XGETBV).
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
#else
    return 0;
#endif
}

#if MB_TK_X86

#define MB_TARGET __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl")))
#define MB_INLINE static inline __attribute__((always_inline, target("avx512f,avx512dq,avx512bw,avx512vl")))

/// The right-side mask and the next index of one step, from the node's meta word and the comparison.
MB_INLINE __m512i mb_next(__m512i meta, __mmask16 greater, __mmask16 missing) {
    __mmask16 nan_left = _mm512_test_epi32_mask(meta, _mm512_set1_epi32((int)MB_TK_NAN_LEFT));
    __mmask16 right = (__mmask16)(greater | (missing & (__mmask16)~nan_left));
    __m512i child = _mm512_srli_epi32(meta, 16);
    return _mm512_mask_add_epi32(child, right, child, _mm512_set1_epi32(1));
}

/// The rest of a float32 step once the nodes' meta words and thresholds are known: gathers the `active`
/// lanes' features, compares and returns their next index (`keep` for the others).
MB_INLINE __m512i mb_decide_f32(__m512i word, __m512 threshold, __m512i keep, __mmask16 active,
                                __m512i row_offsets, const float *block) {
    __m512i feature = _mm512_and_si512(word, _mm512_set1_epi32((int)MB_TK_FEATURE_MASK));
    __m512 x = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), active, _mm512_add_epi32(row_offsets, feature),
                                        (const void *)block, 4);
    __mmask16 greater = _mm512_cmp_ps_mask(x, threshold, _CMP_GT_OQ);
    __mmask16 missing = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
    return _mm512_mask_mov_epi32(keep, active, mb_next(word, greater, missing));
}

/// The rest of a float64 step, as ``mb_decide_f32`` (thresholds of lanes 0–7 in `t_low`, 8–15 in `t_high`).
MB_INLINE __m512i mb_decide_f64(__m512i word, __m512d t_low, __m512d t_high, __m512i keep, __mmask16 active,
                                __m512i row_offsets, const double *block) {
    const __m512d zero = _mm512_setzero_pd();
    __m512i at = _mm512_add_epi32(row_offsets, _mm512_and_si512(word, _mm512_set1_epi32((int)MB_TK_FEATURE_MASK)));
    __m512d x_low =
        _mm512_mask_i32gather_pd(zero, (__mmask8)active, _mm512_castsi512_si256(at), (const void *)block, 8);
    __m512d x_high = _mm512_mask_i32gather_pd(zero, (__mmask8)(active >> 8), _mm512_extracti64x4_epi64(at, 1),
                                              (const void *)block, 8);
    __mmask16 greater = (__mmask16)(_mm512_cmp_pd_mask(x_low, t_low, _CMP_GT_OQ)
                                    | (_mm512_cmp_pd_mask(x_high, t_high, _CMP_GT_OQ) << 8));
    __mmask16 missing = (__mmask16)(_mm512_cmp_pd_mask(x_low, x_low, _CMP_UNORD_Q)
                                    | (_mm512_cmp_pd_mask(x_high, x_high, _CMP_UNORD_Q) << 8));
    return _mm512_mask_mov_epi32(keep, active, mb_next(word, greater, missing));
}

/// One step of sixteen rows, float32 comparisons. Only the `active` lanes (not yet on their leaf) load
/// anything: the gathers are masked, so a lane that reached its leaf costs no memory access while the
/// block's deeper rows go on (a leaf-wise tree's rows stop at very different depths); those lanes
/// return `keep` (their index relative to the tree's root).
MB_INLINE __m512i mb_step_f32(__m512i index, __m512i keep, __mmask16 active, __m512i row_offsets,
                              const uint32_t *meta, const float *thresholds, const float *block) {
    __m512i word = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), active, index, (const void *)meta, 4);
    __m512 threshold = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), active, index, (const void *)thresholds, 4);
    return mb_decide_f32(word, threshold, keep, active, row_offsets, block);
}

/// One step of sixteen rows, float64 comparisons (two gathers of eight for thresholds and features), masked
/// as the float32 step.
MB_INLINE __m512i mb_step_f64(__m512i index, __m512i keep, __mmask16 active, __m512i row_offsets,
                              const uint32_t *meta, const double *thresholds, const double *block) {
    const __m512d zero = _mm512_setzero_pd();
    __m512i word = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), active, index, (const void *)meta, 4);
    __m512d t_low = _mm512_mask_i32gather_pd(zero, (__mmask8)active, _mm512_castsi512_si256(index),
                                             (const void *)thresholds, 8);
    __m512d t_high = _mm512_mask_i32gather_pd(zero, (__mmask8)(active >> 8), _mm512_extracti64x4_epi64(index, 1),
                                              (const void *)thresholds, 8);
    return mb_decide_f64(word, t_low, t_high, keep, active, row_offsets, block);
}

// The top of a tree from registers. Breadth-first, a node at depth d sits at an index below 2^(d+1) - 1, so
// the steps of levels 0…4 only ever read nodes 0…30 and level 5's nodes 0…62: a tree's first 64 meta words
// and thresholds, loaded into registers once per tree for the block's 64 rows, answer those steps with
// in-register permutes instead of two gathers of sixteen loads each. Only the rows' features are gathered.
// On a depth-8 ensemble that is half of the walk's loads. The layout pads the arrays with MB_TK_TABLE_NODES
// entries so that the last tree's table reads stay inside them; entries past a tree's own nodes are never
// selected (no index reaches them).
typedef struct {
    __m512i meta[4];
    __m512i thresholds[4];  // the floats' bits, picked as the meta words are
} mb_table_f32;

typedef struct {
    __m512i meta[4];
    __m512d thresholds[8];
} mb_table_f64;

MB_INLINE void mb_table_load_f32(mb_table_f32 *table, const uint32_t *meta, const float *thresholds) {
    for (int i = 0; i < 4; i++) {
        table->meta[i] = _mm512_loadu_si512((const void *)(meta + 16 * i));
        table->thresholds[i] = _mm512_loadu_si512((const void *)(thresholds + 16 * i));
    }
}

MB_INLINE void mb_table_load_f64(mb_table_f64 *table, const uint32_t *meta, const double *thresholds) {
    for (int i = 0; i < 4; i++) table->meta[i] = _mm512_loadu_si512((const void *)(meta + 16 * i));
    for (int i = 0; i < 8; i++) table->thresholds[i] = _mm512_loadu_pd(thresholds + 8 * i);
}

/// Entries `index` (each below 32 × `pairs`) of the 32-bit table in `entries` (2 × `pairs` registers of
/// sixteen): one permute per register pair, then a blend tree on the index's bits 5 and up.
MB_INLINE __m512i mb_pick_epi32(const __m512i *entries, __m512i index, const int pairs) {
    __m512i picked[8];
    for (int p = 0; p < pairs; p++) picked[p] = _mm512_permutex2var_epi32(entries[2 * p], index, entries[2 * p + 1]);
    for (int span = 1, bit = 32; span < pairs; span *= 2, bit *= 2) {
        __mmask16 upper = _mm512_test_epi32_mask(index, _mm512_set1_epi32(bit));
        for (int p = 0; p < pairs; p += 2 * span)
            picked[p] = _mm512_mask_blend_epi32(upper, picked[p], picked[p + span]);
    }
    return picked[0];
}

/// One step of sixteen rows as ``mb_step_f32``, the node's meta word and threshold from the table.
MB_INLINE __m512i mb_step_table_f32(__m512i index, __m512i keep, __mmask16 active, __m512i row_offsets,
                                    const mb_table_f32 *table, const float *block, const int wide) {
    __m512i word = mb_pick_epi32(table->meta, index, wide ? 2 : 1);
    __m512 threshold = _mm512_castsi512_ps(mb_pick_epi32(table->thresholds, index, wide ? 2 : 1));
    return mb_decide_f32(word, threshold, keep, active, row_offsets, block);
}

/// The 32-bit entries `index` (each below 32 × `pairs`) of `base`, read as `pairs` pairs of registers from
/// memory (a tree's nodes, in L1 after the first group's step) and picked by permutes and a blend tree: for
/// the levels just below the register table, several cycles where two dependent gathers take tens.
MB_INLINE __m512i mb_lookup_epi32(const uint32_t *base, __m512i index, const int pairs) {
    __m512i entries[16];
    for (int i = 0; i < 2 * pairs; i++) entries[i] = _mm512_loadu_si512((const void *)(base + 16 * i));
    return mb_pick_epi32(entries, index, pairs);
}

/// One step of sixteen rows as ``mb_step_f32``, the nodes (each below 32 × `pairs`) looked up from memory.
MB_INLINE __m512i mb_step_lookup_f32(__m512i index, __m512i keep, __mmask16 active, __m512i row_offsets,
                                     const uint32_t *meta, const float *thresholds, const float *block,
                                     const int pairs) {
    __m512i word = mb_lookup_epi32(meta, index, pairs);
    __m512 threshold = _mm512_castsi512_ps(mb_lookup_epi32((const uint32_t *)(const void *)thresholds, index, pairs));
    return mb_decide_f32(word, threshold, keep, active, row_offsets, block);
}

/// The float64 walk gathers below the register table: its lookups would take twice the permutes.
MB_INLINE __m512i mb_step_lookup_f64(__m512i index, __m512i keep, __mmask16 active, __m512i row_offsets,
                                     const uint32_t *meta, const double *thresholds, const double *block,
                                     const int pairs) {
    (void)pairs;
    return mb_step_f64(index, keep, active, row_offsets, meta, thresholds, block);
}

/// The thresholds of eight nodes (64-bit indices below 32, or below 64 when `wide`) from the table.
MB_INLINE __m512d mb_table_thresholds_f64(const __m512d *thresholds, __m512i index, const int wide) {
    __mmask8 second = _mm512_test_epi64_mask(index, _mm512_set1_epi64(16));
    __m512d value = _mm512_mask_blend_pd(second, _mm512_permutex2var_pd(thresholds[0], index, thresholds[1]),
                                         _mm512_permutex2var_pd(thresholds[2], index, thresholds[3]));
    if (!wide) return value;
    __m512d upper = _mm512_mask_blend_pd(second, _mm512_permutex2var_pd(thresholds[4], index, thresholds[5]),
                                         _mm512_permutex2var_pd(thresholds[6], index, thresholds[7]));
    return _mm512_mask_blend_pd(_mm512_test_epi64_mask(index, _mm512_set1_epi64(32)), value, upper);
}

/// One step of sixteen rows as ``mb_step_f64``, the node's meta word and threshold from the table.
MB_INLINE __m512i mb_step_table_f64(__m512i index, __m512i keep, __mmask16 active, __m512i row_offsets,
                                    const mb_table_f64 *table, const double *block, const int wide) {
    __m512i word = mb_pick_epi32(table->meta, index, wide ? 2 : 1);
    __m512i index_low = _mm512_cvtepi32_epi64(_mm512_castsi512_si256(index));
    __m512i index_high = _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(index, 1));
    __m512d t_low = mb_table_thresholds_f64(table->thresholds, index_low, wide);
    __m512d t_high = mb_table_thresholds_f64(table->thresholds, index_high, wide);
    return mb_decide_f64(word, t_low, t_high, keep, active, row_offsets, block);
}

/// Adds the leaf values at `index` (sixteen lanes) to sixteen float accumulators.
MB_INLINE void mb_add_f32(float *accumulators, __m512i index, const float *leaves) {
    __m512 value = _mm512_i32gather_ps(index, (const void *)leaves, 4);
    _mm512_storeu_ps(accumulators, _mm512_add_ps(_mm512_loadu_ps(accumulators), value));
}

MB_INLINE void mb_add_f64(double *accumulators, __m512i index, const double *leaves) {
    __m512d low = _mm512_i32gather_pd(_mm512_castsi512_si256(index), (const void *)leaves, 8);
    __m512d high = _mm512_i32gather_pd(_mm512_extracti64x4_epi64(index, 1), (const void *)leaves, 8);
    _mm512_storeu_pd(accumulators, _mm512_add_pd(_mm512_loadu_pd(accumulators), low));
    _mm512_storeu_pd(accumulators + 8, _mm512_add_pd(_mm512_loadu_pd(accumulators + 8), high));
}

// The block walk, once per (compare, accumulate) precision pair. GROUPS (1…4 groups of sixteen lanes) is a
// constant in each expansion, so the groups' independent gather chains are unrolled and overlap. A lane that
// did not move in a step sits on its leaf (leaves keep their rows): its gathers are masked off from then on,
// a group whose sixteen lanes all sit on leaves is skipped, and the tree's walk stops when no lane moved.
// Levels 0…MB_TK_TABLE_LEVELS - 1 take their nodes from the tree's table (the last of them over 64 nodes,
// the others over 32), the next two look them up among the tree's first 128 and 256 (LOOKUP_STEP, float32
// only), deeper levels gather them.
#define MB_TK_WALK(NAME, CMP, ACC, STEP, ADD, TABLE, TABLE_LOAD, TABLE_STEP, LOOKUP_STEP)                       \
    MB_INLINE void NAME##_groups(const mb_tk_model *model, const CMP *block, const __m512i *row_offsets,       \
                                 ACC *scratch, const int groups) {                                             \
        const CMP *thresholds = (const CMP *)model->thresholds;                                                \
        const ACC *leaves = (const ACC *)model->leaves;                                                        \
        const size_t width = model->leaf_width;                                                                \
        for (size_t tree = 0; tree < model->trees; tree++) {                                                   \
            const size_t root = (size_t)model->roots[tree];                                                    \
            const uint32_t *meta = model->meta + root;                                                         \
            const CMP *tree_thresholds = thresholds + root;                                                    \
            __m512i index[4];                                                                                  \
            __mmask16 active[4];                                                                               \
            for (int g = 0; g < groups; g++) {                                                                 \
                index[g] = _mm512_setzero_si512();                                                             \
                active[g] = 0xFFFF;                                                                            \
            }                                                                                                  \
            const int32_t depth = model->depths[tree];                                                         \
            TABLE table;                                                                                       \
            TABLE_LOAD(&table, meta, tree_thresholds);                                                         \
            for (int32_t level = 0; level < depth; level++) {                                                  \
                __mmask16 moved = 0;                                                                           \
                for (int g = 0; g < groups; g++) {                                                             \
                    if (active[g] == 0) continue;                                                              \
                    __m512i next;                                                                              \
                    if (level < MB_TK_TABLE_LEVELS - 1)                                                        \
                        next = TABLE_STEP(index[g], index[g], active[g], row_offsets[g], &table, block, 0);    \
                    else if (level == MB_TK_TABLE_LEVELS - 1)                                                  \
                        next = TABLE_STEP(index[g], index[g], active[g], row_offsets[g], &table, block, 1);    \
                    else if (level == MB_TK_TABLE_LEVELS)                                                      \
                        next = LOOKUP_STEP(index[g], index[g], active[g], row_offsets[g], meta, tree_thresholds,  \
                                           block, 4);                                                          \
                    else if (level == MB_TK_TABLE_LEVELS + 1)                                                  \
                        next = LOOKUP_STEP(index[g], index[g], active[g], row_offsets[g], meta, tree_thresholds,  \
                                           block, 8);                                                          \
                    else                                                                                       \
                        next = STEP(index[g], index[g], active[g], row_offsets[g], meta, tree_thresholds, block); \
                    /* A lane that stayed is on its leaf (every child follows its parent): it is done. */     \
                    active[g] = _mm512_cmpneq_epi32_mask(next, index[g]);                                      \
                    moved |= active[g];                                                                        \
                    index[g] = next;                                                                           \
                }                                                                                              \
                if (moved == 0) break;                                                                         \
            }                                                                                                  \
            const ACC *tree_leaves = leaves + root * width;                                                    \
            ACC *target = scratch + (size_t)model->outputs[tree] * MB_TK_BLOCK_ROWS;                           \
            if (width == 1) {                                                                                  \
                for (int g = 0; g < groups; g++) ADD(target + 16 * g, index[g], tree_leaves);                  \
            } else {                                                                                           \
                __m512i scaled[4];                                                                             \
                for (int g = 0; g < groups; g++)                                                               \
                    scaled[g] = _mm512_mullo_epi32(index[g], _mm512_set1_epi32((int)width));                   \
                for (size_t j = 0; j < width; j++)                                                             \
                    for (int g = 0; g < groups; g++)                                                           \
                        ADD(target + j * MB_TK_BLOCK_ROWS + 16 * g, scaled[g], tree_leaves + j);               \
            }                                                                                                  \
        }                                                                                                      \
    }                                                                                                          \
                                                                                                               \
    MB_TARGET static void NAME(const mb_tk_model *model, const CMP *block, size_t width, size_t count,           \
                               ACC *accumulators, ACC *scratch) {                                              \
        const size_t k = model->output_count;                                                                  \
        /* Row-major accumulators to one column of MB_TK_BLOCK_ROWS lanes per output (spare lanes 0). */      \
        for (size_t o = 0; o < k; o++)                                                                         \
            for (size_t r = 0; r < MB_TK_BLOCK_ROWS; r++)                                                      \
                scratch[o * MB_TK_BLOCK_ROWS + r] = r < count ? accumulators[r * k + o] : (ACC)0;              \
        __m512i row_offsets[4];                                                                                \
        const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);          \
        for (int g = 0; g < 4; g++) {                                                                          \
            __m512i row = _mm512_add_epi32(lanes, _mm512_set1_epi32(16 * g));                                  \
            __mmask16 valid = _mm512_cmplt_epi32_mask(row, _mm512_set1_epi32((int)count));                     \
            row_offsets[g] = _mm512_maskz_mullo_epi32(valid, row, _mm512_set1_epi32((int)width));              \
        }                                                                                                      \
        switch ((count + 15) / 16) {                                                                           \
        case 1: NAME##_groups(model, block, row_offsets, scratch, 1); break;                                   \
        case 2: NAME##_groups(model, block, row_offsets, scratch, 2); break;                                   \
        case 3: NAME##_groups(model, block, row_offsets, scratch, 3); break;                                   \
        default: NAME##_groups(model, block, row_offsets, scratch, 4); break;                                  \
        }                                                                                                      \
        for (size_t o = 0; o < k; o++)                                                                         \
            for (size_t r = 0; r < count; r++) accumulators[r * k + o] = scratch[o * MB_TK_BLOCK_ROWS + r];   \
    }

// A few rows (one-row latency): the lanes are trees of one row instead of rows of one tree, sixty-four
// trees at a time in four independent groups of sixteen (one group alone would wait on each gather's
// latency), so a row's walk through the ensemble is a sixty-fourth as many dependent steps. The gathers
// take absolute node indices (each lane its tree's root plus its local index). The leaf values are then
// added one tree at a time, in tree order, so the row's sums are the same additions as the row-by-row
// walk's. Spare lanes of the last groups walk the chunk's first tree again; their leaves are never added.
#define MB_TK_ROWS(NAME, CMP, ACC, STEP)                                                                     \
    MB_INLINE void NAME##_chunk(const mb_tk_model *model, const CMP *features, ACC *target, size_t first,    \
                                size_t chunk, const int groups) {                                              \
        const CMP *thresholds = (const CMP *)model->thresholds;                                                \
        const ACC *leaves = (const ACC *)model->leaves;                                                        \
        const size_t leaf_width = model->leaf_width;                                                           \
        const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);          \
        __m512i roots[4], local[4];                                                                            \
        __mmask16 active[4];                                                                                   \
        for (int g = 0; g < groups; g++) {                                                                     \
            __mmask16 valid = _mm512_cmplt_epi32_mask(lanes, _mm512_set1_epi32((int)chunk - 16 * g));          \
            roots[g] = _mm512_mask_loadu_epi32(_mm512_set1_epi32(model->roots[first]), valid,                 \
                                               model->roots + first + 16 * g);                                 \
            local[g] = _mm512_setzero_si512();                                                                 \
            active[g] = 0xFFFF;                                                                                \
        }                                                                                                      \
        int32_t depth = 0;                                                                                     \
        for (size_t t = first; t < first + chunk; t++) depth = model->depths[t] > depth ? model->depths[t] : depth; \
        for (int32_t level = 0; level < depth; level++) {                                                      \
            __mmask16 moved = 0;                                                                               \
            for (int g = 0; g < groups; g++) {                                                                 \
                __m512i next = STEP(_mm512_add_epi32(roots[g], local[g]), local[g], active[g],                \
                                    _mm512_setzero_si512(), model->meta, thresholds, features);                \
                active[g] = _mm512_cmpneq_epi32_mask(next, local[g]);                                          \
                moved |= active[g];                                                                            \
                local[g] = next;                                                                               \
            }                                                                                                  \
            if (moved == 0) break;                                                                             \
        }                                                                                                      \
        int32_t at[64];                                                                                        \
        for (int g = 0; g < groups; g++)                                                                       \
            _mm512_storeu_si512((void *)(at + 16 * g), _mm512_add_epi32(roots[g], local[g]));                  \
        for (size_t lane = 0; lane < chunk; lane++) {                                                          \
            const ACC *leaf = leaves + (size_t)at[lane] * leaf_width;                                          \
            ACC *sum = target + model->outputs[first + lane];                                                  \
            for (size_t j = 0; j < leaf_width; j++) sum[j] += leaf[j];                                         \
        }                                                                                                      \
    }                                                                                                          \
                                                                                                               \
    MB_TARGET static void NAME(const mb_tk_model *model, const CMP *block, size_t width, size_t count,        \
                               ACC *accumulators) {                                                                   \
        for (size_t row = 0; row < count; row++) {                                                             \
            const CMP *features = block + row * width;                                                         \
            ACC *target = accumulators + row * model->output_count;                                            \
            for (size_t first = 0; first < model->trees; first += 64) {                                        \
                const size_t chunk = model->trees - first < 64 ? model->trees - first : 64;                   \
                switch ((chunk + 15) / 16) {                                                                   \
                case 1: NAME##_chunk(model, features, target, first, chunk, 1); break;                         \
                case 2: NAME##_chunk(model, features, target, first, chunk, 2); break;                         \
                case 3: NAME##_chunk(model, features, target, first, chunk, 3); break;                         \
                default: NAME##_chunk(model, features, target, first, chunk, 4); break;                        \
                }                                                                                              \
            }                                                                                                  \
        }                                                                                                      \
    }

MB_TK_ROWS(mb_tk_rows_f32_f32, float, float, mb_step_f32)
MB_TK_ROWS(mb_tk_rows_f32_f64, float, double, mb_step_f32)
MB_TK_ROWS(mb_tk_rows_f64_f64, double, double, mb_step_f64)

MB_TK_WALK(mb_tk_block_f32_f32, float, float, mb_step_f32, mb_add_f32, mb_table_f32, mb_table_load_f32,
           mb_step_table_f32, mb_step_lookup_f32)
MB_TK_WALK(mb_tk_block_f32_f64, float, double, mb_step_f32, mb_add_f64, mb_table_f32, mb_table_load_f32,
           mb_step_table_f32, mb_step_lookup_f32)
MB_TK_WALK(mb_tk_block_f64_f64, double, double, mb_step_f64, mb_add_f64, mb_table_f64, mb_table_load_f64,
           mb_step_table_f64, mb_step_lookup_f64)

void mb_tk_walk(const mb_tk_model *model, int precisions, int trees_across_lanes, const void *block, size_t width,
                size_t count, void *accumulators, void *scratch) {
    switch (precisions) {
    case MB_TK_F32_F32:
        if (trees_across_lanes) mb_tk_rows_f32_f32(model, (const float *)block, width, count, (float *)accumulators);
        else mb_tk_block_f32_f32(model, (const float *)block, width, count, (float *)accumulators, (float *)scratch);
        break;
    case MB_TK_F32_F64:
        if (trees_across_lanes) mb_tk_rows_f32_f64(model, (const float *)block, width, count, (double *)accumulators);
        else mb_tk_block_f32_f64(model, (const float *)block, width, count, (double *)accumulators, (double *)scratch);
        break;
    case MB_TK_F64_F64:
        if (trees_across_lanes) mb_tk_rows_f64_f64(model, (const double *)block, width, count, (double *)accumulators);
        else mb_tk_block_f64_f64(model, (const double *)block, width, count, (double *)accumulators, (double *)scratch);
        break;
    default:
        break;
    }
}

#else

// Not x86-64: mb_tree_kernels_have_avx512() is 0, so this is never called.
void mb_tk_walk(const mb_tk_model *model, int precisions, int trees_across_lanes, const void *block, size_t width,
                size_t count, void *accumulators, void *scratch) {
    (void)model, (void)precisions, (void)trees_across_lanes, (void)block, (void)width, (void)count;
    (void)accumulators, (void)scratch;
}

#endif
