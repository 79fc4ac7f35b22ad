"""Evaluation of a model (or a batched predict function) over a test set, the
one path the training loop, `attnup evaluate` and the result scripts share:
`sr.evaluate_sr(model, sr.sr_test_set(...), scale)` and
`depth.evaluate_depth(model, depth.depth_test_set(...))`; each set is decoded
once and images of equal size are batched. The paper's numbers: `paper`."""
