"""Benchmarks: how fast the course computes, trains, grades and builds. Run them all with `make benchmarks`."""
