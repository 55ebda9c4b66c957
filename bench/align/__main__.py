"""``python -m bench.align``: run the alignment benchmark and print the tables."""

from bench.align.run import main

main()
