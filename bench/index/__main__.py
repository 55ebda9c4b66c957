"""``python -m bench.index``: build an index from generated documents and measure it."""

from bench.index.run import main

main()
