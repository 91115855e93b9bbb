"""``python -m perf``: the benchmark (:mod:`perf.bench`)."""

from perf.bench import main

main()
