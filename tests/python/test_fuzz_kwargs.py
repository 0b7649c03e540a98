"""A short run of fuzz_kwargs.py: random keyword arguments never crash Disk()."""

import fuzz_kwargs


def test_random_keywords_are_built_or_refused():
    counts = fuzz_kwargs.run(20000, seed=7)
    # both outcomes occur: the generator reaches valid and invalid disks
    assert counts["built"] > 0 and counts["refused"] > 0, counts
