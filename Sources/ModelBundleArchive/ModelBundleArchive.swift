// Single-file bundles: deterministic `.tar.gz`/`.zip` packing and safe unpacking through libarchive.
// This is the only module that imports CArchive.
internal import CArchive
