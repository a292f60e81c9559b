// Why C: the tree walk is bound by its loads, not its arithmetic. On the x86-64 baseline the Swift code is
// compiled for, every step of every row is a scalar chain (load the node, load the row's feature, compare,
// add), about six cycles per node visit even with 64 rows in lock step. AVX-512 gathers do one step for
// sixteen rows with three gathers (node meta word, threshold, the rows' features), so a block of 64 rows
// moves one level in four independent gather chains. Swift cannot compile one function for AVX-512 and
// choose it at run time without unsafe target flags for the whole module; C's `target` attribute and
// a CPUID check can. Everything here is the hot loop only: the layout, its checks (every index in
// range, trees small enough for 16-bit child offsets, no split that needs the general decision), threading
// and the portable path stay in Swift (TreeEnsembleKernel).
//
// Exactness: a lane's step is the Swift kernel's step (`x > t` ordered, a NaN right unless the node says
// left), and a lane's accumulators receive the trees in tree order with one IEEE addition each, in the
// accumulation precision, so every row's result is bit-identical to the row-by-row walk. A block without NaN
// skips the NaN side's test: `x > t` alone decides the same. Spare lanes of a partial block read the
// block's spare rows or its padding (valid memory) and their results are never written out.
#include "tree_kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MB_TK_X86 1
#include <cpuid.h>
#include <immintrin.h>
#include <stdint.h>  // <features.h>: __GLIBC__
// glibc >= 2.33 publishes the CPU features its loader detected (<sys/platform/x86.h>).
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <sys/platform/x86.h>
#define MB_TK_GLIBC_CPU_FEATURES 1
#endif
#endif

int mb_tree_kernels_have_avx512(void) {
#if defined(MB_TK_GLIBC_CPU_FEATURES)
    // What glibc's dynamic loader read at start-up (CPUID and XCR0: the operating system saves the AVX-512
    // state); asking it costs no CPUID, which exits to the hypervisor in a virtual machine (linear_kernels.c).
    return CPU_FEATURE_ACTIVE(AVX512F) && CPU_FEATURE_ACTIVE(AVX512DQ) && CPU_FEATURE_ACTIVE(AVX512BW)
        && CPU_FEATURE_ACTIVE(AVX512VL);
#elif MB_TK_X86
    // Read here, when the first model asks, rather than through __builtin_cpu_supports: that builtin
    // links libgcc's cpu-model constructor, which runs CPUID at every process start.
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || (ecx & (1u << 27)) == 0) return 0;  // OSXSAVE
    // The operating system saves the SSE, AVX and AVX-512 state (XCR0 bits 1, 2 and 5–7).
    unsigned xcr0_low, xcr0_high;
    __asm__("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 0xE6u) != 0xE6u) return 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    // AVX512F (16), AVX512DQ (17), AVX512BW (30), AVX512VL (31).
    const unsigned wanted = (1u << 16) | (1u << 17) | (1u << 30) | (1u << 31);
    return (ebx & wanted) == wanted;
#else
    return 0;
#endif
}

#if MB_TK_X86

#define MB_TARGET __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl")))
#define MB_INLINE static inline __attribute__((always_inline, target("avx512f,avx512dq,avx512bw,avx512vl")))

/// The next index of the `active` lanes: the node's left child, or the one after it for the lanes in `right`
/// (`keep` for the others).
MB_INLINE __m512i mb_move(__m512i word, __mmask16 right, __m512i keep, __mmask16 active) {
    __m512i child = _mm512_srli_epi32(word, 16);
    return _mm512_mask_mov_epi32(keep, active, _mm512_mask_add_epi32(child, right, child, _mm512_set1_epi32(1)));
}

/// The lanes whose NaN goes right: `missing` unless their node has MB_TK_NAN_LEFT.
MB_INLINE __mmask16 mb_nan_right(__m512i word, __mmask16 missing) {
    return (__mmask16)(missing & (__mmask16)~_mm512_test_epi32_mask(word, _mm512_set1_epi32((int)MB_TK_NAN_LEFT)));
}

/// Sixteen lanes' float64 values (lanes 0–7 in `low`, 8–15 in `high`).
typedef struct {
    __m512d low, high;
} mb_f64x16;

/// A lane's node: its meta word and threshold.
typedef struct {
    __m512i word;
    __m512 threshold;
} mb_node_f32;

typedef struct {
    __m512i word;
    mb_f64x16 threshold;
} mb_node_f64;

/// The step's decision once node and value are known. `nan_free`: no value in the block is NaN (scanned
/// first), so the NaN side need not be asked; otherwise a NaN goes right unless its node says left.
MB_INLINE __m512i mb_decide_f32(mb_node_f32 node, __m512 x, __m512i keep, __mmask16 active, const int nan_free) {
    __mmask16 right = _mm512_cmp_ps_mask(x, node.threshold, _CMP_GT_OQ);
    if (!nan_free) right |= mb_nan_right(node.word, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q));
    return mb_move(node.word, right, keep, active);
}

MB_INLINE __m512i mb_decide_f64(mb_node_f64 node, mb_f64x16 x, __m512i keep, __mmask16 active, const int nan_free) {
    __mmask16 right = (__mmask16)(_mm512_cmp_pd_mask(x.low, node.threshold.low, _CMP_GT_OQ)
                                  | (_mm512_cmp_pd_mask(x.high, node.threshold.high, _CMP_GT_OQ) << 8));
    if (!nan_free) {
        __mmask16 missing = (__mmask16)(_mm512_cmp_pd_mask(x.low, x.low, _CMP_UNORD_Q)
                                        | (_mm512_cmp_pd_mask(x.high, x.high, _CMP_UNORD_Q) << 8));
        right |= mb_nan_right(node.word, missing);
    }
    return mb_move(node.word, right, keep, active);
}

/// The nodes at `index` by gathers (masked: a lane on its leaf loads nothing).
MB_INLINE mb_node_f32 mb_node_gather_f32(const uint32_t *meta, const float *thresholds, __m512i index,
                                         __mmask16 active) {
    mb_node_f32 node;
    node.word = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), active, index, (const void *)meta, 4);
    node.threshold = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), active, index, (const void *)thresholds, 4);
    return node;
}

MB_INLINE mb_f64x16 mb_gather_f64(const double *base, __m512i index, __mmask16 active) {
    const __m512d zero = _mm512_setzero_pd();
    mb_f64x16 value;
    value.low = _mm512_mask_i32gather_pd(zero, (__mmask8)active, _mm512_castsi512_si256(index), (const void *)base, 8);
    value.high = _mm512_mask_i32gather_pd(zero, (__mmask8)(active >> 8), _mm512_extracti64x4_epi64(index, 1),
                                          (const void *)base, 8);
    return value;
}

MB_INLINE mb_node_f64 mb_node_gather_f64(const uint32_t *meta, const double *thresholds, __m512i index,
                                         __mmask16 active) {
    mb_node_f64 node;
    node.word = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), active, index, (const void *)meta, 4);
    node.threshold = mb_gather_f64(thresholds, index, active);
    return node;
}

// The rows' feature values. The block walk's block is column-major (Docs/tree-ensemble.md "Kernel"): a
// feature's values for the block's rows are contiguous, `1 << shift` rows apart from the next feature's,
// so the top levels, where a group's lanes sit on one to four nodes, load whole columns and blend them
// (no gather: on the processors measured a sixteen-lane gather costs about a cycle per lane), and deeper
// levels gather `(feature << shift) + row`.

/// The feature of each lane's node, from its meta word.
MB_INLINE __m512i mb_feature(__m512i word) {
    return _mm512_and_si512(word, _mm512_set1_epi32((int)MB_TK_FEATURE_MASK));
}

/// Where each lane's value of its node's feature sits in the column-major block.
MB_INLINE __m512i mb_feature_index(__m512i word, __m512i rows, __m128i shift) {
    return _mm512_add_epi32(_mm512_sll_epi32(mb_feature(word), shift), rows);
}

/// The `active` lanes' values of their node's feature, gathered.
MB_INLINE __m512 mb_x_gather_f32(__m512i word, __mmask16 active, __m512i rows, __m128i shift, const float *block) {
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), active, mb_feature_index(word, rows, shift),
                                    (const void *)block, 4);
}

MB_INLINE mb_f64x16 mb_x_gather_f64(__m512i word, __mmask16 active, __m512i rows, __m128i shift,
                                    const double *block) {
    return mb_gather_f64(block, mb_feature_index(word, rows, shift), active);
}

/// Group `g`'s sixteen rows of one column.
MB_INLINE __m512 mb_x_column_f32(const float *column, int g) { return _mm512_loadu_ps(column + 16 * g); }

MB_INLINE mb_f64x16 mb_x_column_f64(const double *column, int g) {
    mb_f64x16 value;
    value.low = _mm512_loadu_pd(column + 16 * g);
    value.high = _mm512_loadu_pd(column + 16 * g + 8);
    return value;
}

/// `b` in the lanes of `upper`, `a` in the others.
MB_INLINE __m512 mb_x_blend_f32(__mmask16 upper, __m512 a, __m512 b) { return _mm512_mask_blend_ps(upper, a, b); }

MB_INLINE mb_f64x16 mb_x_blend_f64(__mmask16 upper, mb_f64x16 a, mb_f64x16 b) {
    mb_f64x16 value;
    value.low = _mm512_mask_blend_pd((__mmask8)upper, a.low, b.low);
    value.high = _mm512_mask_blend_pd((__mmask8)(upper >> 8), a.high, b.high);
    return value;
}

/// One step of sixteen rows of one row-major `features` each (the trees-across-lanes walk: `index` holds
/// absolute node indices, `keep` what a lane on its leaf returns).
MB_INLINE __m512i mb_step_rows_f32(__m512i index, __m512i keep, __mmask16 active, const uint32_t *meta,
                                   const float *thresholds, const float *features) {
    mb_node_f32 node = mb_node_gather_f32(meta, thresholds, index, active);
    __m512 x = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), active, mb_feature(node.word), (const void *)features, 4);
    return mb_decide_f32(node, x, keep, active, 0);
}

MB_INLINE __m512i mb_step_rows_f64(__m512i index, __m512i keep, __mmask16 active, const uint32_t *meta,
                                   const double *thresholds, const double *features) {
    mb_node_f64 node = mb_node_gather_f64(meta, thresholds, index, active);
    mb_f64x16 x = mb_gather_f64(features, mb_feature(node.word), active);
    return mb_decide_f64(node, x, keep, active, 0);
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

/// The nodes at `index` (each below 32, or below 64 when `wide`) from the table.
MB_INLINE mb_node_f32 mb_node_table_f32(const mb_table_f32 *table, __m512i index, const int wide) {
    mb_node_f32 node;
    node.word = mb_pick_epi32(table->meta, index, wide ? 2 : 1);
    node.threshold = _mm512_castsi512_ps(mb_pick_epi32(table->thresholds, index, wide ? 2 : 1));
    return node;
}

/// The 32-bit entries `index` (each below 32 × `pairs`) of `base`, read as `pairs` pairs of registers from
/// memory (a tree's nodes, in L1 after the first group's step) and picked by permutes and a blend tree: for
/// the levels just below the register table, several cycles where two dependent gathers take tens.
MB_INLINE __m512i mb_lookup_epi32(const uint32_t *base, __m512i index, const int pairs) {
    __m512i entries[16];
    for (int i = 0; i < 2 * pairs; i++) entries[i] = _mm512_loadu_si512((const void *)(base + 16 * i));
    return mb_pick_epi32(entries, index, pairs);
}

/// The nodes at `index` (each below 32 × `pairs`) looked up from memory.
MB_INLINE mb_node_f32 mb_node_lookup_f32(const uint32_t *meta, const float *thresholds, __m512i index,
                                         __mmask16 active, const int pairs) {
    (void)active;
    mb_node_f32 node;
    node.word = mb_lookup_epi32(meta, index, pairs);
    node.threshold = _mm512_castsi512_ps(mb_lookup_epi32((const uint32_t *)(const void *)thresholds, index, pairs));
    return node;
}

/// The float64 walk gathers below the register table: its lookups would take twice the permutes.
MB_INLINE mb_node_f64 mb_node_lookup_f64(const uint32_t *meta, const double *thresholds, __m512i index,
                                         __mmask16 active, const int pairs) {
    (void)pairs;
    return mb_node_gather_f64(meta, thresholds, index, active);
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

/// The nodes at `index` (each below 32, or below 64 when `wide`) from the table.
MB_INLINE mb_node_f64 mb_node_table_f64(const mb_table_f64 *table, __m512i index, const int wide) {
    mb_node_f64 node;
    node.word = mb_pick_epi32(table->meta, index, wide ? 2 : 1);
    __m512i low = _mm512_cvtepi32_epi64(_mm512_castsi512_si256(index));
    __m512i high = _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(index, 1));
    node.threshold.low = mb_table_thresholds_f64(table->thresholds, low, wide);
    node.threshold.high = mb_table_thresholds_f64(table->thresholds, high, wide);
    return node;
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

/// mb_has_nan_f32/f64: whether any of `count` values is NaN (the block walk then asks each NaN's node for
/// its side).
#define MB_HAS_NAN(P, T, VECTOR, MASK, LANES, SUFFIX)                                                          \
    MB_INLINE int mb_has_nan_##P(const T *values, size_t count) {                                              \
        MASK found = 0;                                                                                        \
        size_t i = 0;                                                                                          \
        for (; i + LANES <= count; i += LANES) {                                                               \
            VECTOR x = _mm512_loadu_##SUFFIX(values + i);                                                      \
            found |= _mm512_cmp_##SUFFIX##_mask(x, x, _CMP_UNORD_Q);                                          \
        }                                                                                                      \
        VECTOR x = _mm512_maskz_loadu_##SUFFIX((MASK)((1u << (count - i)) - 1), values + i);                   \
        return (found | _mm512_cmp_##SUFFIX##_mask(x, x, _CMP_UNORD_Q)) != 0;                                 \
    }

MB_HAS_NAN(f32, float, __m512, __mmask16, 16, ps)
MB_HAS_NAN(f64, double, __m512d, __mmask8, 8, pd)

// The block walk, once per (compare, accumulate) precision pair P. GROUPS (1…4 groups of sixteen lanes) is a
// constant in each expansion, so the groups' independent chains are unrolled and overlap; so is NAN_FREE
// (the block holds no NaN, so no step asks for the NaN side). A lane that did not move in a step sits on its
// leaf (leaves keep their rows): its gathers are masked off from then on, a group whose sixteen lanes all
// sit on leaves is skipped, and the tree's walk stops when no lane moved. Levels 0…MB_TK_TABLE_LEVELS - 1
// take their nodes from the tree's table (the last of them over 64 nodes, the others over 32), the next two
// look them up among the tree's first 128 and 256 (float32 only), deeper levels gather them. The rows'
// values: levels 0–3 load the columns of the tree's first fifteen nodes (breadth-first, a lane at level 1 is
// on node 1 or 2, at level 2 on one of nodes 3…6, at level 3 on one of nodes 5…14) and blend them; deeper
// levels gather (a fourth level's 24 candidate columns would cost more than its gather).
#define MB_TK_WALK(NAME, CMP, ACC, P, X, ADD)                                                                  \
    MB_INLINE void NAME##_groups(const mb_tk_model *model, const CMP *block, __m128i shift, ACC *scratch,       \
                                 const int groups, const int nan_free) {                                       \
        const CMP *thresholds = (const CMP *)model->thresholds;                                                \
        const ACC *leaves = (const ACC *)model->leaves;                                                        \
        const size_t width = model->leaf_width;                                                                \
        const size_t column_rows = (size_t)1 << _mm_cvtsi128_si32(shift);                                      \
        const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);          \
        __m512i rows[4];                                                                                       \
        for (int g = 0; g < groups; g++) rows[g] = _mm512_add_epi32(lanes, _mm512_set1_epi32(16 * g));         \
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
            /* Nodes 0…14's columns (past a small tree's nodes: the next tree's or the padding's, never used). */ \
            const CMP *columns[15];                                                                             \
            for (int n = 0; n < 15; n++) columns[n] = block + (meta[n] & MB_TK_FEATURE_MASK) * column_rows;    \
            mb_table_##P table;                                                                                \
            mb_table_load_##P(&table, meta, tree_thresholds);                                                  \
            for (int32_t level = 0; level < depth; level++) {                                                  \
                __mmask16 moved = 0;                                                                           \
                for (int g = 0; g < groups; g++) {                                                             \
                    if (active[g] == 0) continue;                                                              \
                    mb_node_##P node;                                                                          \
                    if (level < MB_TK_TABLE_LEVELS - 1)                                                        \
                        node = mb_node_table_##P(&table, index[g], 0);                                         \
                    else if (level == MB_TK_TABLE_LEVELS - 1)                                                  \
                        node = mb_node_table_##P(&table, index[g], 1);                                         \
                    else if (level == MB_TK_TABLE_LEVELS)                                                      \
                        node = mb_node_lookup_##P(meta, tree_thresholds, index[g], active[g], 4);              \
                    else if (level == MB_TK_TABLE_LEVELS + 1)                                                  \
                        node = mb_node_lookup_##P(meta, tree_thresholds, index[g], active[g], 8);              \
                    else                                                                                       \
                        node = mb_node_gather_##P(meta, tree_thresholds, index[g], active[g]);                 \
                    X x;                                                                                       \
                    if (level == 0) {                                                                          \
                        x = mb_x_column_##P(columns[0], g);                                                    \
                    } else if (level == 1) {                                                                   \
                        x = mb_x_blend_##P(_mm512_test_epi32_mask(index[g], _mm512_set1_epi32(2)),             \
                                           mb_x_column_##P(columns[1], g), mb_x_column_##P(columns[2], g));    \
                    } else if (level == 2) {                                                                   \
                        /* Nodes 3…6 are 4…7 one up: bits 0 and 1 pick among them. */                         \
                        __m512i at = _mm512_add_epi32(index[g], _mm512_set1_epi32(1));                         \
                        __mmask16 odd = _mm512_test_epi32_mask(at, _mm512_set1_epi32(1));                      \
                        X low = mb_x_blend_##P(odd, mb_x_column_##P(columns[3], g), mb_x_column_##P(columns[4], g)); \
                        X high = mb_x_blend_##P(odd, mb_x_column_##P(columns[5], g), mb_x_column_##P(columns[6], g)); \
                        x = mb_x_blend_##P(_mm512_test_epi32_mask(at, _mm512_set1_epi32(2)), low, high);       \
                    } else if (level == 3) {                                                                   \
                        /* Nodes 5…14 are 6…15 one up: 5 and 6 below 8, 7…14 from 8 on. */                   \
                        __m512i at = _mm512_add_epi32(index[g], _mm512_set1_epi32(1));                         \
                        __mmask16 b0 = _mm512_test_epi32_mask(at, _mm512_set1_epi32(1));                       \
                        __mmask16 b1 = _mm512_test_epi32_mask(at, _mm512_set1_epi32(2));                       \
                        X q0 = mb_x_blend_##P(b0, mb_x_column_##P(columns[7], g), mb_x_column_##P(columns[8], g)); \
                        X q1 = mb_x_blend_##P(b0, mb_x_column_##P(columns[9], g), mb_x_column_##P(columns[10], g)); \
                        X q2 = mb_x_blend_##P(b0, mb_x_column_##P(columns[11], g), mb_x_column_##P(columns[12], g)); \
                        X q3 = mb_x_blend_##P(b0, mb_x_column_##P(columns[13], g), mb_x_column_##P(columns[14], g)); \
                        X high = mb_x_blend_##P(_mm512_test_epi32_mask(at, _mm512_set1_epi32(4)),              \
                                                mb_x_blend_##P(b1, q0, q1), mb_x_blend_##P(b1, q2, q3));       \
                        X low = mb_x_blend_##P(b0, mb_x_column_##P(columns[5], g), mb_x_column_##P(columns[6], g)); \
                        x = mb_x_blend_##P(_mm512_test_epi32_mask(at, _mm512_set1_epi32(8)), low, high);       \
                    } else {                                                                                   \
                        x = mb_x_gather_##P(node.word, active[g], rows[g], shift, block);                      \
                    }                                                                                          \
                    __m512i next = nan_free ? mb_decide_##P(node, x, index[g], active[g], 1)                   \
                                            : mb_decide_##P(node, x, index[g], active[g], 0);                  \
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
    MB_TARGET static void NAME(const mb_tk_model *model, const CMP *block, size_t width, size_t column_shift,   \
                               size_t count, ACC *accumulators, ACC *scratch) {                                \
        const size_t k = model->output_count;                                                                  \
        /* Row-major accumulators to one column of MB_TK_BLOCK_ROWS lanes per output (spare lanes 0). */      \
        for (size_t o = 0; o < k; o++)                                                                         \
            for (size_t r = 0; r < MB_TK_BLOCK_ROWS; r++)                                                      \
                scratch[o * MB_TK_BLOCK_ROWS + r] = r < count ? accumulators[r * k + o] : (ACC)0;              \
        const __m128i shift = _mm_cvtsi32_si128((int)column_shift);                                            \
        const int nan_free = !mb_has_nan_##P(block, width << column_shift);                                    \
        switch ((count + 15) / 16 + (nan_free ? 4 : 0)) {                                                      \
        case 1: NAME##_groups(model, block, shift, scratch, 1, 0); break;                                      \
        case 2: NAME##_groups(model, block, shift, scratch, 2, 0); break;                                      \
        case 3: NAME##_groups(model, block, shift, scratch, 3, 0); break;                                      \
        case 4: NAME##_groups(model, block, shift, scratch, 4, 0); break;                                      \
        case 5: NAME##_groups(model, block, shift, scratch, 1, 1); break;                                      \
        case 6: NAME##_groups(model, block, shift, scratch, 2, 1); break;                                      \
        case 7: NAME##_groups(model, block, shift, scratch, 3, 1); break;                                      \
        default: NAME##_groups(model, block, shift, scratch, 4, 1); break;                                     \
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
                __m512i next = STEP(_mm512_add_epi32(roots[g], local[g]), local[g], active[g], model->meta,    \
                                    thresholds, features);                                                     \
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

MB_TK_ROWS(mb_tk_rows_f32_f32, float, float, mb_step_rows_f32)
MB_TK_ROWS(mb_tk_rows_f32_f64, float, double, mb_step_rows_f32)
MB_TK_ROWS(mb_tk_rows_f64_f64, double, double, mb_step_rows_f64)

MB_TK_WALK(mb_tk_block_f32_f32, float, float, f32, __m512, mb_add_f32)
MB_TK_WALK(mb_tk_block_f32_f64, float, double, f32, __m512, mb_add_f64)
MB_TK_WALK(mb_tk_block_f64_f64, double, double, f64, mb_f64x16, mb_add_f64)

void mb_tk_walk_block(const mb_tk_model *model, int precisions, const void *block, size_t width, size_t column_shift,
                      size_t count, void *accumulators, void *scratch) {
    switch (precisions) {
    case MB_TK_F32_F32:
        mb_tk_block_f32_f32(model, (const float *)block, width, column_shift, count, (float *)accumulators,
                            (float *)scratch);
        break;
    case MB_TK_F32_F64:
        mb_tk_block_f32_f64(model, (const float *)block, width, column_shift, count, (double *)accumulators,
                            (double *)scratch);
        break;
    case MB_TK_F64_F64:
        mb_tk_block_f64_f64(model, (const double *)block, width, column_shift, count, (double *)accumulators,
                            (double *)scratch);
        break;
    default:
        break;
    }
}

void mb_tk_walk_rows(const mb_tk_model *model, int precisions, const void *features, size_t width, size_t count,
                     void *accumulators) {
    switch (precisions) {
    case MB_TK_F32_F32:
        mb_tk_rows_f32_f32(model, (const float *)features, width, count, (float *)accumulators);
        break;
    case MB_TK_F32_F64:
        mb_tk_rows_f32_f64(model, (const float *)features, width, count, (double *)accumulators);
        break;
    case MB_TK_F64_F64:
        mb_tk_rows_f64_f64(model, (const double *)features, width, count, (double *)accumulators);
        break;
    default:
        break;
    }
}

#else

// Not x86-64: mb_tree_kernels_have_avx512() is 0, so these are never called.
void mb_tk_walk_block(const mb_tk_model *model, int precisions, const void *block, size_t width, size_t column_shift,
                      size_t count, void *accumulators, void *scratch) {
    (void)model, (void)precisions, (void)block, (void)width, (void)column_shift, (void)count;
    (void)accumulators, (void)scratch;
}

void mb_tk_walk_rows(const mb_tk_model *model, int precisions, const void *features, size_t width, size_t count,
                     void *accumulators) {
    (void)model, (void)precisions, (void)features, (void)width, (void)count, (void)accumulators;
}

#endif
