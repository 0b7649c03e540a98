#!/usr/bin/python3
"""How vdisk's cost grows with the size of a domain.

For domains of 1, 2,000, 20,000 and 40,000 qcow2 disks on virtio-scsi
controllers, times whole processes -- `vdisk xml`, `vdisk qemu-args` and, as
the yardstick, libxml2's own `xmllint --noout` of the same file -- in the same
run, interleaved (each repetition runs every tool on every size), and prints
the median of each, the ratios against xmllint and the growth of each from
20,000 to 40,000 disks (2.0 is linear).

First, start-up: a domain of one disk, many runs, `vdisk xml` and `vdisk
check` against `xmllint --noout`, and how many shared objects `vdisk xml`
loads (LD_DEBUG=libs): what a command that never talks to libvirt costs.

Then a hostile domain of 320,000 disks (50 MB): the time and peak memory
`vdisk check` takes to refuse it, against xmllint's parse of it.

Not a test: nothing here asserts a time.

Usage: bench/bench-scale.py --vdisk build-rel/tools/vdisk [-r REPEAT] [--sizes N,N,...]
                            [--startup RUNS] [--hostile N]
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HEAD = """<domain type='qemu'>
  <name>scale-{n}</name>
  <memory unit='MiB'>256</memory>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
"""
TAIL = """    <memballoon model='none'/>
  </devices>
</domain>
"""
TARGETS_PER_CONTROLLER = 256


def target_name(i):
    """sda, sdb, ..., sdz, sdaa, ... as libvirt names disks."""
    s = ""
    i += 1
    while i > 0:
        i -= 1
        s = chr(ord("a") + i % 26) + s
        i //= 26
    return "sd" + s


def domain_xml(n, addressed=True):
    """A domain of @n qcow2 disks on virtio-scsi controllers; without
    @addressed, libvirt's drive addresses follow from the target names (7
    units a controller), as a hostile input that names 320,000 disks has."""
    if not addressed:
        return hostile_xml(n)
    parts = [HEAD.format(n=n)]
    for c in range((n + TARGETS_PER_CONTROLLER - 1) // TARGETS_PER_CONTROLLER):
        parts.append(f"    <controller type='scsi' index='{c}' model='virtio-scsi'/>\n")
    for i in range(n):
        c, t = divmod(i, TARGETS_PER_CONTROLLER)
        parts.append(
            "    <disk type='file' device='disk'>\n"
            "      <driver name='qemu' type='qcow2' cache='none'/>\n"
            f"      <source file='/var/lib/libvirt/images/scale-{i}.qcow2'/>\n"
            f"      <target dev='{target_name(i)}' bus='scsi'/>\n"
            f"      <address type='drive' controller='{c}' bus='0' target='{t}' unit='0'/>\n"
            "    </disk>\n")
    parts.append(TAIL)
    return "".join(parts)


def hostile_xml(n):
    parts = [HEAD.format(n=n), "    <controller type='scsi' index='0' model='virtio-scsi'/>\n"]
    for i in range(n):
        parts.append(
            "    <disk type='file' device='disk'>\n"
            "      <driver name='qemu' type='qcow2'/>\n"
            f"      <source file='/var/lib/libvirt/images/h{i}.qcow2'/>\n"
            f"      <target dev='{target_name(i)}' bus='scsi'/>\n"
            "    </disk>\n")
    parts.append(TAIL)
    return "".join(parts)


def write_domain(path, n, addressed=True):
    """Writes domain_xml(@n, @addressed) to @path from a child process, so
    that this process never holds the document: the peak RSS the kernel
    reports for a child counts this process's own peak at the time of the
    spawn (vfork), which would hide the child's."""
    subprocess.run([sys.executable, os.path.abspath(__file__), "--write", path, str(n),
                    "1" if addressed else "0"], check=True)


def run(cmd):
    """Wall time of @cmd in seconds (output discarded), and its exit status."""
    t0 = time.perf_counter()
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    return time.perf_counter() - t0, rc


def peak_rss_kib(cmd):
    """Peak RSS of @cmd, read from its rusage."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, ru = os.wait4(p.pid, 0)
    return ru.ru_maxrss, before


def objects_loaded(cmd):
    """The shared objects the dynamic loader maps for @cmd (LD_DEBUG=libs)."""
    env = dict(os.environ, LD_DEBUG="libs")
    err = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                         env=env).stderr
    return {line.split("calling init:", 1)[1].strip()
            for line in err.splitlines() if "calling init:" in line}


# What the figures are held to: against xmllint --noout, `vdisk xml` within
# 1.5x and `vdisk qemu-args` within 2.0x from 2,000 disks on (2.0x for
# `vdisk xml` of one disk), a growth from 20,000 to 40,000 disks within
# 2.2x, and the hostile domain refused within 2x xmllint's time, in less
# than twice its size in memory.
TARGETS = {"xml": 1.5, "qemu-args": 2.0, "one disk": 2.0, "growth": 2.2, "hostile": 2.0}


def startup(vdisk, tmp, repeat):
    path = os.path.join(tmp, "startup-1.xml")
    write_domain(path, 1)
    tools = {
        "xmllint": ["xmllint", "--noout", path],
        "xml": [vdisk, "xml", path],
        "check": [vdisk, "check", path],
    }
    times = {k: [] for k in tools}
    for _ in range(repeat):
        for name, cmd in tools.items():
            dt, rc = run(cmd)
            if rc != 0:
                sys.exit(f"{' '.join(cmd)} failed (exit {rc})")
            times[name].append(dt)
    m = {k: statistics.median(v) for k, v in times.items()}
    startup.ratio = m["xml"] / m["xmllint"]
    libs = objects_loaded(tools["xml"])
    virt = sorted(os.path.basename(l) for l in libs if "libvirt" in os.path.basename(l))
    print(f"start-up, 1 disk, median of {repeat}: xmllint --noout {m['xmllint'] * 1e3:.2f} ms   "
          f"vdisk xml {m['xml'] * 1e3:.2f} ms ({m['xml'] / m['xmllint']:.2f}x)   "
          f"vdisk check {m['check'] * 1e3:.2f} ms ({m['check'] / m['xmllint']:.2f}x)   "
          f"vdisk xml loads {len(libs)} shared objects"
          + (f", libvirt among them: {', '.join(virt)}" if virt else ", none of libvirt's"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vdisk", required=True)
    ap.add_argument("-r", "--repeat", type=int, default=9)
    ap.add_argument("--sizes", default="1,2000,20000,40000")
    ap.add_argument("--hostile", type=int, default=320000,
                    help="disks of the hostile domain (0: skip it)")
    ap.add_argument("--startup", type=int, default=51, metavar="RUNS",
                    help="runs of the 1-disk start-up comparison (0: skip it)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    tools = {
        "xmllint": lambda f: ["xmllint", "--noout", f],
        "xml": lambda f: [args.vdisk, "xml", f],
        "qemu-args": lambda f: [args.vdisk, "qemu-args", f],
    }
    medians = {}
    missed = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.startup:
            startup(args.vdisk, tmp, args.startup)
            if startup.ratio > TARGETS["one disk"]:
                missed.append(f"vdisk xml of one disk {startup.ratio:.2f}x")
        paths = {}
        for n in sizes:
            paths[n] = os.path.join(tmp, f"scale-{n}.xml")
            write_domain(paths[n], n)
        # every repetition runs every size: a machine that slows down for
        # a while slows all sizes alike, and the growth between sizes stays
        # what the programs do
        times = {n: {k: [] for k in tools} for n in sizes}
        for _ in range(args.repeat):
            for n in sizes:
                for name, cmd in tools.items():
                    dt, rc = run(cmd(paths[n]))
                    if rc != 0 and name != "xmllint":
                        sys.exit(f"{name} failed on {n} disks (exit {rc}): "
                                 f"{' '.join(cmd(paths[n]))}")
                    times[n][name].append(dt)
        for n in sizes:
            medians[n] = {k: statistics.median(v) for k, v in times[n].items()}
            m = medians[n]
            for name in ("xml", "qemu-args"):
                if n >= 2000 and m[name] / m["xmllint"] > TARGETS[name]:
                    missed.append(f"{name} of {n} disks {m[name] / m['xmllint']:.2f}x")
            print(f"{n:>7} disks ({os.path.getsize(paths[n]) / 1e6:6.1f} MB): "
                  f"xmllint {m['xmllint'] * 1e3:8.1f} ms   "
                  f"vdisk xml {m['xml'] * 1e3:8.1f} ms ({m['xml'] / m['xmllint']:.2f}x)   "
                  f"qemu-args {m['qemu-args'] * 1e3:8.1f} ms "
                  f"({m['qemu-args'] / m['xmllint']:.2f}x)")
        if 20000 in medians and 40000 in medians:
            for name in tools:
                g = medians[40000][name] / medians[20000][name]
                print(f"growth 20,000 -> 40,000 disks, {name:<9}: {g:.2f}x (2.00 is linear)")
                if name != "xmllint" and g > TARGETS["growth"]:
                    missed.append(f"growth of {name} {g:.2f}x")

        if args.hostile:
            path = os.path.join(tmp, "hostile.xml")
            write_domain(path, args.hostile, addressed=False)
            size = os.path.getsize(path)
            lint = statistics.median(run(["xmllint", "--noout", path])[0] for _ in range(3))
            chk = []
            for _ in range(3):
                dt, rc = run([args.vdisk, "check", path])
                chk.append(dt)
            rss, _ = peak_rss_kib([args.vdisk, "check", path])
            lint_rss, _ = peak_rss_kib(["xmllint", "--noout", path])
            print(f"hostile domain of {args.hostile} disks ({size / 1e6:.1f} MB): "
                  f"vdisk check exit {rc} in {statistics.median(chk) * 1e3:.0f} ms "
                  f"({statistics.median(chk) / lint:.2f}x xmllint's {lint * 1e3:.0f} ms), "
                  f"peak RSS {rss / 1024:.0f} MiB ({rss * 1024 / size:.2f}x the input; "
                  f"xmllint {lint_rss / 1024:.0f} MiB)")
            if statistics.median(chk) / lint > TARGETS["hostile"]:
                missed.append(f"hostile domain refused in {statistics.median(chk) / lint:.2f}x")
            if rss * 1024 / size > TARGETS["hostile"]:
                missed.append(f"hostile domain in {rss * 1024 / size:.2f}x its size")
    print("targets (xml <= 1.5x, qemu-args <= 2.0x, one disk <= 2.0x, growth <= 2.2x, "
          "hostile <= 2x): " + ("met" if not missed else "MISSED: " + ", ".join(missed)))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--write":
        with open(sys.argv[2], "w") as out:
            out.write(domain_xml(int(sys.argv[3]), addressed=sys.argv[4] == "1"))
    else:
        main()
