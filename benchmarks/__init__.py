"""Benchmarks for workfront_async: ``python -m benchmarks [--quick]``.

Every figure is a ratio measured in the same run (median, min and max of the
repetitions): export throughput against the cap-bound limit and against the
alternatives, CPU per row against ``orjson.loads``, memory at two sizes, query
compile cost, single-call overhead and the emulator's page time.
"""
