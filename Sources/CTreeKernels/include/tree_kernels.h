#ifndef MODELBUNDLE_TREE_KERNELS_H
#define MODELBUNDLE_TREE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Whether this processor (and operating system) runs the AVX-512 tree kernels; checked at run time.
/// Every other function here requires it: call them only when this returns 1.
int mb_tree_kernels_have_avx512(void);

/// Rows one block call walks at most (four groups of sixteen lanes).
#define MB_TK_BLOCK_ROWS 64

/// Layout of a node's meta word: the left child's index relative to the tree's root (bits 16–31; the
/// right child follows it; a leaf holds its own index), ``MB_TK_NAN_LEFT`` and the feature (bits 0–14).
#define MB_TK_NAN_LEFT 0x8000u
#define MB_TK_FEATURE_MASK 0x7FFFu
#define MB_TK_MAX_FEATURES 0x8000u
#define MB_TK_MAX_TREE_NODES 0x10000u

/// Levels of each tree the block walk reads from registers (a breadth-first tree's nodes above depth 6 are
/// its first 63; comparing in float32, the next two levels are looked up in its first 255 nodes without a
/// gather), and the entries `meta` and `thresholds` carry past their last node so that reading the last
/// tree's first MB_TK_TABLE_NODES entries stays inside them.
#define MB_TK_TABLE_LEVELS 6
#define MB_TK_TABLE_NODES 256

/// A numeric-only ensemble in the kernel's structure-of-arrays layout. Node `n` of the ensemble has
/// `meta[n]`, `thresholds[n]` (float or double, the compare precision: `x > threshold` goes right, a NaN
/// goes right unless its node has MB_TK_NAN_LEFT; a leaf has +infinity and MB_TK_NAN_LEFT, so it keeps
/// every row) and `leaves[n * leaf_width ..< (n + 1) * leaf_width]` (float or double, the accumulation
/// precision). Both node arrays have MB_TK_TABLE_NODES readable entries past the last node (their values
/// unused), and every tree is laid out breadth-first. Tree t starts at node `roots[t]`, is at most
/// `depths[t]` steps deep and adds its leaf values to outputs `outputs[t] ..< outputs[t] + leaf_width`.
typedef struct {
    const uint32_t *meta;
    const void *thresholds;
    const void *leaves;
    const int32_t *roots;
    const int32_t *depths;
    const int32_t *outputs;
    size_t trees;
    size_t leaf_width;
    size_t output_count;
} mb_tk_model;

/// The precision pairs of ``mb_tk_walk``: compare, then accumulate.
enum {
    MB_TK_F32_F32 = 0,
    MB_TK_F32_F64 = 1,
    MB_TK_F64_F64 = 2,
};

/// Values a block for ``mb_tk_walk_block`` carries past its last column: the walk reads whole groups of
/// sixteen rows, which may run past a short last column.
#define MB_TK_BLOCK_PADDING 16

/// Walks the `count` rows (at most MB_TK_BLOCK_ROWS, four groups of sixteen lanes, the lanes rows of one
/// tree) of `block` through every tree in order, adding each tree's leaf values to the row's
/// `output_count` accumulators at `accumulators` (row-major). `block` is column-major: feature `f` of row
/// `r` at `(f << column_shift) + r`, with `count <= 1 << column_shift`, `width` columns, the rows past
/// `count` and MB_TK_BLOCK_PADDING values after the last column readable (their values unused, but set:
/// the walk scans the columns for NaN first). `scratch` holds at least `output_count × MB_TK_BLOCK_ROWS`
/// accumulators. `precisions` (an MB_TK_* value) gives the types of `block` and `accumulators`: the
/// compare precision, then the accumulation precision.
void mb_tk_walk_block(const mb_tk_model *model, int precisions, const void *block, size_t width, size_t column_shift,
                      size_t count, void *accumulators, void *scratch);

/// Walks `count` rows of `width` values at `features` (row-major, in the compare precision) through every
/// tree, as ``mb_tk_walk_block`` does, with the lanes trees of one row (a few rows, any count).
void mb_tk_walk_rows(const mb_tk_model *model, int precisions, const void *features, size_t width, size_t count,
                     void *accumulators);

/// Each row receives the trees in tree order, with the same additions as a row-by-row walk, so results of
/// both walks are bit-identical to it whatever the batch.

#endif
