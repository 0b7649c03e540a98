#!/usr/bin/python3
"""Random keyword arguments for vdisk.Disk(): the module's argument conversion.

Each run builds a Disk from a random subset of the schema's properties
(vdisk._schema.DISK_FIELDS plus the source keywords), each given a random
value of a random Python type: ints at and past every limit, bools, floats,
None, str (with NUL, surrogates, long and odd text), bytes, lists, enum
members of the wrong enum, objects.  Whatever happens must be a Disk or an
exception of the documented kinds (vdisk.Error subclasses, TypeError,
ValueError); a Disk that was built must format and read back.  Anything
else (SystemError, a crash under the sanitizers, a leak) is a bug.

  fuzz_kwargs.py [--runs N] [--seed S]

Used by test_fuzz_kwargs.py with a small N; run alone for a campaign, e.g.
under ASan with the module of a -DVDISK_SANITIZE=ON build:
  LD_PRELOAD=$(gcc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0 \\
      PYTHONPATH=build-asan/bindings/python tests/python/fuzz_kwargs.py --runs 10000000
"""

import argparse
import random
import sys

import vdisk
from vdisk import _schema

EXTRA = ["type", "source", "format", "iotune", "address"]
KEYS = list(_schema.DISK_FIELDS) + EXTRA
ENUMS = [getattr(vdisk, name) for name in _schema.ENUM_ORDER]


class Odd:
    def __str__(self):
        raise RuntimeError("no str")

    def __index__(self):
        raise RuntimeError("no index")


def random_str(rng):
    pick = rng.randrange(9)
    if pick == 0:
        return ""
    if pick == 1:
        return "a\0b"
    if pick == 2:
        return "\udcff\ud800x"
    if pick == 3:
        return "x" * rng.choice((1, 255, 256, 4096, 100000))
    if pick == 4:
        return rng.choice(["vda", "sdb", "hdc", "fda", "vdzzzzzzzzzz", "sd", "xvda", "ubda"])
    if pick == 5:
        return rng.choice(["on", "off", "yes", "no", "default", "none", "raw", "qcow2",
                           "virtio", "scsi", "writeback", "native", "/a.img", "a,b", "'\"<>&"])
    if pick == 6:
        return "".join(chr(rng.randrange(1, 0x10ffff)) for _ in range(rng.randrange(1, 8))
                       if True).replace("\ud800", "")
    if pick == 7:
        return str(rng.randrange(-10, 10 ** rng.randrange(1, 25)))
    return rng.choice(["0x5000c50015ea71ad", "ua-disk0", "vdisk-test", "/dev/sda", "nbd"])


def random_value(rng, depth=0):
    pick = rng.randrange(14)
    if pick == 0:
        return None
    if pick == 1:
        return rng.choice((True, False))
    if pick == 2:
        return rng.choice((0, 1, 2, -1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 63,
                           2 ** 64 - 1, 2 ** 64, -2 ** 63, 10 ** 30))
    if pick == 3:
        return rng.randrange(-1000, 100000)
    if pick == 4:
        return rng.choice((0.5, float("nan"), float("inf"), -0.0))
    if pick in (5, 6, 7):
        return random_str(rng)
    if pick == 8:
        return random_str(rng).encode("utf-8", "surrogatepass")
    if pick == 9 and depth < 2:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if pick == 10:
        e = rng.choice(ENUMS)
        return rng.choice(list(e))
    if pick == 11 and depth < 2:
        return {random_str(rng): random_value(rng, depth + 1) for _ in range(rng.randrange(4))}
    if pick == 12:
        return Odd()
    return vdisk.PCIAddress(*(rng.choice((0, 1, 31, 255, 65535, -1)) for _ in range(4)))


def one(rng):
    kw = {k: random_value(rng) for k in rng.sample(KEYS, rng.randrange(1, 8))}
    try:
        disk = vdisk.Disk(**kw)
    except (vdisk.Error, TypeError, ValueError):
        return "refused"
    except RuntimeError as e:
        if str(e) in ("no str", "no index"):
            return "refused"
        raise
    try:
        xml = disk.to_xml()
    except vdisk.Error:
        return "built"
    try:
        vdisk.Disk.from_xml(xml, defaults=False, validate=False)
    except vdisk.Error as e:
        raise AssertionError("a built disk does not read back: %s\n%r\n%s" % (e, kw, xml))
    return "built"


def run(runs, seed):
    rng = random.Random(seed)
    counts = {"refused": 0, "built": 0}
    for i in range(runs):
        counts[one(rng)] += 1
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    counts = run(args.runs, args.seed)
    print("%d runs (seed %d): %d built, %d refused" % (args.runs, args.seed, counts["built"],
                                                      counts["refused"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
