"""Development tools that measure the workflow: the benchmark and the plain
baseline it compares against. Not part of the runtime package ``ascflow``;
run from the repository root (``python -m perf``, see docs/performance.md).
"""
