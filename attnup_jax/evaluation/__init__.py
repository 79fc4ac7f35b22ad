"""Benchmark evaluation of trained models, with the paper's numbers beside ours."""
