"""Batch prediction on Apache Spark with the mbundle binary.

One ``mbundle predict --stream -t arrow --output-format arrow`` process per partition, fed Arrow
record batches through its pipes; the binary and the bundle archive are shipped with the job and
checked by SHA-256 on each executor before use. See Docs/spark.md.
"""

from ._artifacts import ArtifactError, Shipment, ShippedFile, sha256_of, ship
from ._process import PredictionError, predict_batches
from ._spark import predict, spark_udf

__all__ = [
    "ArtifactError",
    "PredictionError",
    "Shipment",
    "ShippedFile",
    "predict",
    "predict_batches",
    "sha256_of",
    "ship",
    "spark_udf",
]
