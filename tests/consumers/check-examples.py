#!/usr/bin/env python3
"""The programs in examples/ build out of tree against an installed libvdisk
and do what they say.

Installs the build tree into a fresh prefix, builds examples/ twice (its
Makefile with pkg-config, its CMakeLists.txt with find_package(vdisk)),
checks the argv translate-disk prints against libvirt's own argv for the same
disk, and, when libvirtd can be started, attaches disks to a transient QEMU
domain with attach-disk and reads them back with virsh.  Also checks how the
installed libvdisk.pc splits its dependencies: libvirt public (the hotplug
header includes libvirt's), glib and libxml2 never handed to consumers.

tests/abi/check-install.py covers the install layout and a minimal consumer;
this script covers the example programs a user copies from.
"""

import argparse
import glob
import json
import os
import shlex
import shutil
import subprocess
import sys

results = {"passed": 0, "failed": 0, "skipped": 0}
VIRSH_URI = "qemu:///system"


def check(cond, msg, detail=""):
    if cond:
        results["passed"] += 1
        print("PASS: " + msg, flush=True)
    else:
        results["failed"] += 1
        print("FAIL: " + msg + (("\n  " + detail.replace("\n", "\n  ")) if detail else ""),
              flush=True)
    return cond


def skip(msg):
    results["skipped"] += 1
    print("SKIP: " + msg, flush=True)


def run(cmd, env=None, check_rc=True, **kw):
    print("+ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, **kw)
    if check_rc and proc.returncode != 0:
        sys.stdout.write(proc.stdout)
        sys.stdout.write(proc.stderr)
        raise RuntimeError("%s failed with exit status %d" % (cmd[0], proc.returncode))
    return proc


def golden_argv(path):
    """libvirt's argv for tests/data/qemu/020-cache-none.xml, minus what only
    the domain decides (PCI address, boot index): translate-disk translates a
    lone disk."""
    with open(path) as f:
        argv = f.read().split("\n")
    argv = [a for a in argv if a]
    out = []
    for i, a in enumerate(argv):
        if i > 0 and argv[i - 1] == "-device":
            props = json.loads(a)
            for key in ("bus", "addr", "bootindex"):
                props.pop(key, None)
            a = json.dumps(props, separators=(",", ":"))
        out.append(a)
    return out


def check_pkgconfig(env, prefix):
    libs = shlex.split(run(["pkg-config", "--libs", "libvdisk"], env=env).stdout)
    cflags = shlex.split(run(["pkg-config", "--cflags", "libvdisk"], env=env).stdout)
    requires = run(["pkg-config", "--print-requires", "libvdisk"], env=env).stdout.split()
    private = run(["pkg-config", "--print-requires-private", "libvdisk"], env=env).stdout
    leaked = [f for f in libs if f.startswith(("-lglib", "-lgobject", "-lxml2"))]
    check(not leaked, "pkg-config --libs libvdisk hands out no glib/libxml2 library",
          "leaked: %r" % leaked)
    leaked = [f for f in cflags if "glib" in f or "libxml" in f]
    check(not leaked, "pkg-config --cflags libvdisk hands out no glib/libxml2 include dir",
          "leaked: %r" % leaked)
    check(requires[:1] == ["libvirt"],
          "libvirt is a public requirement (vdisk/hotplug.h includes libvirt's header)",
          "Requires: %r" % requires)
    public_private = [r for r in requires if r.startswith(("glib", "libxml"))]
    check(not public_private, "glib and libxml2 are not public requirements",
          "Requires: %r" % requires)
    print("Requires.private: %r" % private.split())


def build_examples(examples, work, prefix, env, cmake):
    """Builds examples/ both ways; returns {way: directory of programs}."""
    built = {}
    mdir = os.path.join(work, "make")
    os.makedirs(mdir)
    proc = run(["make", "-C", examples, "O=" + mdir, "CFLAGS=-O2 -g -Wall -Wextra -Werror"],
               env=env, check_rc=False)
    if check(proc.returncode == 0, "examples/Makefile builds with pkg-config and -Werror",
             proc.stdout + proc.stderr):
        built["pkg-config"] = mdir

    cdir = os.path.join(work, "cmake")
    proc = run([cmake, "-S", examples, "-B", cdir, "-DCMAKE_PREFIX_PATH=" + prefix,
                "-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_C_FLAGS=-Wall -Wextra -Werror"],
               env=env, check_rc=False)
    if proc.returncode == 0:
        proc = run([cmake, "--build", cdir], env=env, check_rc=False)
    if check(proc.returncode == 0, "examples/CMakeLists.txt builds with find_package(vdisk)",
             proc.stdout + proc.stderr):
        built["cmake"] = cdir
    # A build must not leave anything in the source tree.
    check(not [p for p in ("attach-disk", "translate-disk", "CMakeCache.txt")
               if os.path.exists(os.path.join(examples, p))],
          "out-of-tree builds leave examples/ clean")
    return built


def check_translate(way, bindir, env, golden):
    exe = os.path.join(bindir, "translate-disk")
    proc = run([exe, "/var/lib/vdisk-test/a.qcow2", "qcow2"], env=env, check_rc=False)
    got = proc.stdout.split("\n")
    got = [g for g in got if g]
    check(proc.returncode == 0 and got == golden,
          "%s translate-disk prints libvirt's argv for a qcow2 disk with cache none" % way,
          "exit %d\nexpected:\n%s\ngot:\n%s%s" % (proc.returncode, "\n".join(golden),
                                                 proc.stdout, proc.stderr))
    proc = run([exe, "/x.img", "qcow3"], env=env, check_rc=False)
    check(proc.returncode == 2, "%s translate-disk exits 2 on an unknown format" % way,
          "exit %d" % proc.returncode)


def check_attach_usage(way, bindir, env):
    exe = os.path.join(bindir, "attach-disk")
    proc = run([exe, "--help"], env=env, check_rc=False)
    check(proc.returncode == 0 and "--bus" in proc.stdout,
          "%s attach-disk --help prints the usage and exits 0" % way)
    proc = run([exe, "only-a-domain"], env=env, check_rc=False)
    check(proc.returncode == 2 and "usage:" in proc.stderr,
          "%s attach-disk without SOURCE exits 2 with the usage" % way,
          "exit %d: %s" % (proc.returncode, proc.stderr))
    proc = run([exe, "dom", "/x.img", "--bus", "ide"], env=env, check_rc=False)
    check(proc.returncode == 2 and "'ide'" in proc.stderr,
          "%s attach-disk refuses a bus it cannot hotplug with exit 2" % way,
          "exit %d: %s" % (proc.returncode, proc.stderr))


DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <features><acpi/></features>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='scsi' index='0' model='virtio-scsi'/>
    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>
    <memballoon model='none'/>
  </devices>
</domain>
"""


def domblklist(name):
    proc = run(["virsh", "-c", VIRSH_URI, "domblklist", name], check_rc=False)
    disks = {}
    for line in proc.stdout.splitlines()[2:]:
        parts = line.split(None, 1)
        if len(parts) == 2:
            disks[parts[0]] = parts[1].strip()
    return disks


def check_attach_live(built, env, work, start_libvirt):
    if os.geteuid() != 0:
        skip("attach-disk against libvirtd: needs root for qemu:///system")
        return
    proc = run([start_libvirt], check_rc=False)
    if proc.returncode != 0:
        skip("attach-disk against libvirtd: daemon not available: " + proc.stderr.strip())
        return
    name = "vdtest-consumers-%d" % os.getpid()
    imgdir = os.path.join("/var/lib/libvirt/images", name)
    xml = os.path.join(work, name + ".xml")
    with open(xml, "w") as f:
        f.write(DOMAIN_XML.format(name=name))
    created = False
    try:
        os.makedirs(imgdir, exist_ok=True)
        images = {}
        for img in ("scsi.img", "virtio.img"):
            images[img] = os.path.join(imgdir, img)
            run(["qemu-img", "create", "-q", "-f", "raw", images[img], "16M"])
        proc = run(["virsh", "-c", VIRSH_URI, "create", xml], check_rc=False)
        if not check(proc.returncode == 0, "transient TCG domain %s starts" % name,
                     proc.stderr):
            return
        created = True
        ways = list(built.items())
        way, bindir = ways[0]
        exe = os.path.join(bindir, "attach-disk")

        proc = run([exe, "--connect", VIRSH_URI, name, images["scsi.img"], "--bus", "scsi",
                    "--cache", "none"], env=env, check_rc=False)
        check(proc.returncode == 0 and proc.stdout == "sda\n",
              "%s attach-disk puts a scsi disk on sda of a running transient domain" % way,
              "exit %d, stdout %r, stderr %r" % (proc.returncode, proc.stdout, proc.stderr))
        disks = domblklist(name)
        check(disks.get("sda") == images["scsi.img"], "virsh domblklist shows sda attached",
              repr(disks))

        way, bindir = ways[-1]
        exe = os.path.join(bindir, "attach-disk")
        proc = run([exe, "--connect", VIRSH_URI, name, images["virtio.img"], "--readonly",
                    "--format", "raw"], env=env, check_rc=False)
        check(proc.returncode == 0 and proc.stdout == "vda\n",
              "%s attach-disk puts a read-only virtio disk on vda" % way,
              "exit %d, stdout %r, stderr %r" % (proc.returncode, proc.stdout, proc.stderr))
        # The image is attached already (as sda): the library refuses to
        # attach it under the next target, naming the one it has.
        proc = run([exe, "--connect", VIRSH_URI, name, images["scsi.img"], "--bus", "scsi"],
                   env=env, check_rc=False)
        check(proc.returncode == 1 and "as target 'sda'" in proc.stderr and proc.stdout == "",
              "%s attach-disk exits 1 naming the target the image already has" % way,
              "exit %d, stdout %r, stderr %r" % (proc.returncode, proc.stdout, proc.stderr))
        disks = domblklist(name)
        check(disks.get("vda") == images["virtio.img"] and disks.get("sda") == images["scsi.img"],
              "virsh domblklist shows vda and sda", repr(disks))

        proc = run([exe, "--connect", VIRSH_URI, name + "-missing", images["virtio.img"]],
                   env=env, check_rc=False)
        check(proc.returncode == 1 and name + "-missing" in proc.stderr,
              "%s attach-disk exits 1 naming a domain that does not exist" % way,
              "exit %d, stderr %r" % (proc.returncode, proc.stderr))
    finally:
        if created:
            run(["virsh", "-c", VIRSH_URI, "destroy", name], check_rc=False)
        shutil.rmtree(imgdir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmake", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--no-libvirt", action="store_true")
    args = ap.parse_args()

    src = os.path.abspath(args.source_dir)
    examples = os.path.join(src, "examples")
    work = os.path.abspath(args.work)
    prefix = os.path.join(work, "prefix")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    try:
        run([args.cmake, "--install", args.build_dir, "--prefix", prefix])
        pcs = glob.glob(os.path.join(prefix, "**", "pkgconfig", "libvdisk.pc"), recursive=True)
        if not check(len(pcs) == 1, "one libvdisk.pc installed", repr(pcs)):
            raise RuntimeError("no libvdisk.pc to build against")
        libdir = os.path.dirname(os.path.dirname(pcs[0]))
        if os.path.exists(os.path.join(prefix, "bin", "vdisk")):
            check(os.path.exists(os.path.join(prefix, "share", "man", "man1", "vdisk.1")),
                  "vdisk(1) is installed to share/man/man1 next to bin/vdisk")
        env = dict(os.environ)
        env["PKG_CONFIG_PATH"] = os.path.dirname(pcs[0])
        env.pop("PKG_CONFIG_LIBDIR", None)
        env["LD_LIBRARY_PATH"] = libdir + (":" + env["LD_LIBRARY_PATH"]
                                           if env.get("LD_LIBRARY_PATH") else "")

        check_pkgconfig(env, prefix)
        built = build_examples(examples, work, prefix, env, args.cmake)
        golden = golden_argv(os.path.join(src, "tests", "data", "qemu", "020-cache-none.argv"))
        for way, bindir in built.items():
            check_translate(way, bindir, env, golden)
            check_attach_usage(way, bindir, env)
        if not built:
            skip("attach-disk against libvirtd: no example was built")
        elif args.no_libvirt:
            skip("attach-disk against libvirtd: --no-libvirt")
        else:
            check_attach_live(built, env, work,
                              os.path.join(src, "scripts", "start-libvirt.sh"))
    except RuntimeError as e:
        check(False, "test setup", str(e))

    if results["skipped"]:
        print("%d skipped" % results["skipped"])
    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
