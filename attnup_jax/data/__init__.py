"""Datasets: TensorFlow-free TFDS builders and grain pipelines.

Loaders take a directory: an explicit argument, else `$ATTNUP_DATA_DIR`, else
`../shared/data` when it exists (see `attnup_jax.data.paths`).
"""
