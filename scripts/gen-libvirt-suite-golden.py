#!/usr/bin/python3
"""Regenerate the libvirt test-suite corpus from real libvirt 9.0.

The inputs are libvirt 9.0's own test domains: every tests/qemuxml2argvdata/*.xml
and tests/qemuxml2xmloutdata/*.xml of the Debian 12 source package that holds a
<disk>.  For each one whose <os><type arch=...> is one of ARCHES (or absent):
  1. `virsh define` it on qemu:///system under a temporary name and UUID and
     keep `virsh dumpxml --inactive --security-info` (name and UUID put back)
     as SUBDIR/NAME.addressed.xml;
  2. `virsh domxml-to-native qemu-argv --xml NAME.addressed.xml` and keep the
     disk-related arguments as SUBDIR/NAME.argv, extracted exactly as
     scripts/gen-qemu-golden.py does (see tests/data/qemu/README.md);
  3. undefine it again.
SUBDIR is argv/ (qemuxml2argvdata) or xmlout/ (qemuxml2xmloutdata); NAME is
libvirt's file name.  The input is copied as SUBDIR/NAME.xml for the cases
libvirt accepts and for those it refuses because of a disk.

Every case gets one line in index.json: status "ok", "refuse" (libvirt refused
it, plausibly because of a disk: stage and message) or "skip" (not run, or
refused because of this host: category, stage and libvirt's message).  libvirtd
9.0 crashes on a few of its own test domains; the daemon is then restarted
(scripts/start-libvirt.sh) and the case is skipped as "libvirtd crashed",
unless the committed index has libvirt's answer from a run that did not
crash: which of these domains crash varies from run to run, so that answer
is kept.

The source package is unpacked under $VDISK_LIBVIRT_SRC_CACHE
(/var/cache/vdisk-libvirt-src); when it is missing, a deb-src entry is added
for Debian 12 if there is none and `apt-get source libvirt` fetches it.

The secrets of tests/data/libvirt-suite/secrets.json are defined first and
removed at the end.

Needs root and the libvirt daemons with the foreign-architecture QEMU
emulators installed (scripts/install-deps.sh).  Usage:
    scripts/gen-libvirt-suite-golden.py [--check] [-k SUBSTRING] [--src DIR]
--check compares with the committed files instead of writing them; -k only
regenerates the cases whose SUBDIR/NAME contains SUBSTRING.
"""

import argparse
import base64
import glob
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid as uuidlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITE_DIR = os.path.join(ROOT, "tests", "data", "libvirt-suite")
INDEX = os.path.join(SUITE_DIR, "index.json")
CACHE = os.environ.get("VDISK_LIBVIRT_SRC_CACHE", "/var/cache/vdisk-libvirt-src")
START = os.path.join(ROOT, "scripts", "start-libvirt.sh")

_spec = importlib.util.spec_from_file_location(
    "gen_qemu_golden", os.path.join(ROOT, "scripts", "gen-qemu-golden.py"))
gq = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gq)

ARCHES = ("x86_64", "i686", "aarch64", "ppc64", "s390x", "riscv64")
SOURCES = (("argv", "qemuxml2argvdata"), ("xmlout", "qemuxml2xmloutdata"))
DOMAIN_PREFIX = "vdsuite-"
DEB_SRC_FILE = "/etc/apt/sources.list.d/vdisk-debian-src.sources"
DEB_SRC = """Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""

OS_TYPE_RE = re.compile(r"<os\b[^>]*>.*?<type\b([^>]*)>", re.S)
ARCH_RE = re.compile(r"""\barch=['"]([^'"]+)['"]""")
UUID_RE = re.compile(r"<uuid>([^<]*)</uuid>")
# libvirt refusals that reflect this host (its devices, files, daemon
# configuration and the objects defined in libvirtd), not the domain's disks:
# (category, regex on libvirt's message).  The first match wins; they are
# tried before DISK_RE, the generic GENERIC_HOST_REFUSALS after it.
HOST_REFUSALS = [
    ("accel", r"does not support virt type|KVM is not (supported|available)|/dev/kvm"),
    ("emulator", r"Cannot find QEMU binary|Cannot check QEMU binary|No emulator found|"
                 r"Cannot find suitable emulator|could not find capabilities for"),
    ("machine", r"does not support machine type|machine type '[^']*' not supported"),
    ("cpu", r"CPU model|host-model|host-passthrough|CPU mode|guest CPU|"
            r"CPU is incompatible"),
    ("vhost-scsi", r"vhost-scsi device file"),
    ("hugepages", r"[Hh]uge ?pages|hugetlbfs"),
    ("numa", r"NUMA node \d+ is unavailable|numad|nodeset for NUMA|Invalid value of "
             r"'nodeset'|NUMA nodes configured|Memory size must be specified via"),
    ("sev", r"\bSEV\b|sev-guest|Secure Encrypted|Protected Virtualization"),
    ("firmware", r"[Ff]irmware|NVRAM|OVMF|AAVMF"),
    ("host-object", r"(Secret|Storage pool|Storage volume|Network|Interface) not found|"
                    r"file descriptor group '[^']*' was not associated"),
    ("host-config", r"in qemu\.conf"),
    ("host-device", r"invalid PCI passthrough type|/dev/dri|/sys/bus/|/dev/vhost-vdpa|"
                    r"mediated device|Failed to open file '/dev/|PCI device [0-9a-f:.]+ "
                    r"(is )?not found"),
]
GENERIC_HOST_REFUSALS = [
    ("host-file", r"No such file or directory|Unable to access|Permission denied|"
                  r"Child process .* unexpected exit"),
]
HOST_REFUSALS = [(cat, re.compile(rx)) for cat, rx in HOST_REFUSALS]
GENERIC_HOST_REFUSALS = [(cat, re.compile(rx)) for cat, rx in GENERIC_HOST_REFUSALS]
# What makes a refusal plausibly a disk's.
DISK_RE = re.compile(
    r"\b(disk|disks|drive|cdrom|floppy|lun|blockio|iotune|storage format|encryption|"
    r"luks|VxHS|backing|partitions|secret type|loadparm|per-device boot|missing target)\b|<auth>", re.I)
SECRETS_JSON = os.path.join(SUITE_DIR, "secrets.json")
SECRET_USAGE_ELEM = {"ceph": "name", "iscsi": "target", "volume": "volume"}


class Crashed(Exception):
    """libvirtd died during the case."""


def ensure_source(src):
    """The unpacked libvirt source tree (fetched with apt-get source when missing)."""
    if src:
        if not os.path.isdir(os.path.join(src, "tests", "qemuxml2argvdata")):
            sys.exit("gen-libvirt-suite-golden: %s is not a libvirt source tree" % src)
        return src
    found = sorted(glob.glob(os.path.join(CACHE, "libvirt-9.0.0*", "tests",
                                          "qemuxml2argvdata")))
    if found:
        return os.path.dirname(os.path.dirname(found[-1]))
    if os.geteuid() != 0:
        sys.exit("gen-libvirt-suite-golden: no libvirt source under %s, and only root "
                 "can fetch it" % CACHE)
    have_src = subprocess.run(
        "grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list "
        "/etc/apt/sources.list.d/", shell=True).returncode == 0
    if not have_src:
        with open(DEB_SRC_FILE, "w") as f:
            f.write(DEB_SRC)
    if shutil.which("dpkg-source") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "dpkg-dev"], check=True)
    os.makedirs(CACHE, exist_ok=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "source", "-qq", "libvirt"], cwd=CACHE, check=True)
    found = sorted(glob.glob(os.path.join(CACHE, "libvirt-9.0.0*", "tests",
                                          "qemuxml2argvdata")))
    if not found:
        sys.exit("gen-libvirt-suite-golden: apt-get source libvirt gave no libvirt 9.0.0 "
                 "under %s" % CACHE)
    return os.path.dirname(os.path.dirname(found[-1]))


def suite_inputs(src, pattern=None):
    """(key, path) of every test domain holding a <disk>, key = SUBDIR/NAME."""
    out = []
    for sub, dirname in SOURCES:
        directory = os.path.join(src, "tests", dirname)
        for f in sorted(os.listdir(directory)):
            if not f.endswith(".xml"):
                continue
            path = os.path.join(directory, f)
            with open(path, errors="replace") as fh:
                if "<disk" not in fh.read():
                    continue
            key = "%s/%s" % (sub, f[:-4])
            if pattern and pattern not in key:
                continue
            out.append((key, path))
    return out


def duplicate_of(src, path):
    """The key of the file a symlink stands for, or None."""
    if not os.path.islink(path):
        return None
    real = os.path.realpath(path)
    for sub, dirname in SOURCES:
        if os.path.dirname(real) == os.path.realpath(os.path.join(src, "tests", dirname)):
            return "%s/%s" % (sub, os.path.basename(real)[:-4])
    return "outside the corpus: %s" % os.path.relpath(real, src)


def guest_arch(text):
    m = OS_TYPE_RE.search(text)
    if not m:
        return None
    a = ARCH_RE.search(m.group(1))
    return a.group(1) if a else None


def daemon_alive():
    p = subprocess.run(["virsh", "-q", "-c", gq.URI, "version"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return p.returncode == 0


def daemon_pid():
    for pidfile in ("/run/libvirtd.pid", "/run/libvirt/libvirtd.pid"):
        try:
            with open(pidfile) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            pass
    return None


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    # A zombie (or a process on its way out) is no daemon.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def restart_daemon():
    """Start libvirtd again after it crashed.  The crashed process may take a
    while to go (writing its core); start-libvirt.sh starts a new daemon only
    once the pid file names no live process."""
    pid = daemon_pid()
    if pid is not None:
        for _ in range(60):
            if not pid_alive(pid):
                break
            time.sleep(0.5)
        else:
            # Still there but not answering: the crashed daemon, end it.
            os.kill(pid, 9)
            time.sleep(1)
    subprocess.run([START], check=True)


def virsh(*args):
    """gen-qemu-golden's virsh; Crashed when the daemon is gone afterwards."""
    try:
        return gq.virsh(*args)
    except gq.VirshError as e:
        if not daemon_alive():
            raise Crashed(str(e))
        raise
    except subprocess.TimeoutExpired:
        if not daemon_alive():
            raise Crashed("virsh %s timed out" % args[0])
        raise gq.VirshError("virsh %s timed out" % args[0])


def native_argv(xml_path):
    try:
        return gq.native_argv(xml_path)
    except (gq.VirshError, subprocess.TimeoutExpired) as e:
        if not daemon_alive():
            raise Crashed(str(e))
        if isinstance(e, subprocess.TimeoutExpired):
            raise gq.VirshError("virsh domxml-to-native timed out")
        raise


def classify(message):
    """(status, category) of a libvirt refusal."""
    for cat, rx in HOST_REFUSALS:
        if rx.search(message):
            return "skip", cat
    if DISK_RE.search(message):
        return "refuse", "disk"
    for cat, rx in GENERIC_HOST_REFUSALS:
        if rx.search(message):
            return "skip", cat
    return "skip", "unclassified"


def suite_secrets():
    with open(SECRETS_JSON) as f:
        return json.load(f)


def define_secrets():
    """The secrets the suite's disks refer to (by usage or UUID), see secrets.json."""
    for sec in suite_secrets():
        elem = SECRET_USAGE_ELEM[sec["usage"]]
        xml = ("<secret ephemeral='no' private='yes'>\n"
               "  <uuid>%s</uuid>\n"
               "  <usage type='%s'><%s>%s</%s></usage>\n"
               "</secret>\n" % (sec["uuid"], sec["usage"], elem, sec["id"], elem))
        try:
            gq.virsh("secret-undefine", sec["uuid"])
        except gq.VirshError:
            pass
        with tempfile.NamedTemporaryFile("w", suffix=".xml") as f:
            f.write(xml)
            f.flush()
            gq.virsh("secret-define", f.name)
        gq.virsh("secret-set-value", sec["uuid"], "--base64",
                 base64.b64encode(sec["value"].encode()).decode("ascii"))


def undefine_secrets():
    for sec in suite_secrets():
        try:
            gq.virsh("secret-undefine", sec["uuid"])
        except gq.VirshError:
            pass


def run_case(key, text, tmp):
    """Run one domain through libvirt: (record, addressed xml, argv text)."""
    corpus_name = gq.NAME_RE.search(text)
    corpus_name = corpus_name.group(1) if corpus_name else None
    corpus_uuid = UUID_RE.search(text)
    corpus_uuid = corpus_uuid.group(1) if corpus_uuid else None
    tmp_name = DOMAIN_PREFIX + key.replace("/", "-")
    tmp_uuid = str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, "vdisk-libvirt-suite:" + key))
    if corpus_name is not None:
        dom = gq.NAME_RE.sub("<name>%s</name>" % tmp_name, text, count=1)
    else:
        dom = text
    if corpus_uuid is not None:
        # Everywhere: <sysinfo> must repeat the domain's UUID.
        dom = dom.replace(corpus_uuid, tmp_uuid)

    def restore(s):
        # The temporary name and UUID back to the corpus's own (also in
        # paths libvirt derives from the name, such as the NVRAM file).
        if corpus_name is not None:
            s = s.replace(tmp_name, corpus_name)
        if corpus_uuid is not None:
            s = s.replace(tmp_uuid, corpus_uuid)
        return s

    dom_path = os.path.join(tmp, "dom.xml")
    with open(dom_path, "w") as f:
        f.write(dom)
    gq.undefine(tmp_name)
    stage = "define"
    try:
        virsh("define", dom_path)
        try:
            dump = virsh("dumpxml", "--inactive", "--security-info", tmp_name)
        finally:
            gq.undefine(tmp_name)
        addressed = restore(dump)
        addr_path = os.path.join(tmp, "addressed.xml")
        with open(addr_path, "w") as f:
            f.write(addressed)
        stage = "native"
        words = native_argv(addr_path)
    except Crashed:
        raise
    except gq.VirshError as e:
        # Without the environment of the daemon's children, which is the
        # machine's, not libvirt's.
        message = re.sub(r"\bPATH=\S+", "PATH=...", restore(str(e)))
        message = re.sub(r"\bvnet\d+", "vnetN", message)
        status, category = classify(message)
        rec = {"status": status, "stage": stage, "message": message}
        if status == "skip":
            rec["category"] = category
        return rec, None, None
    args = gq.disk_args(words)
    argv = restore("".join(a + "\n" for a in args))
    return {"status": "ok"}, addressed, argv


def gen_case(key, path, src, check, tmp, old_rec):
    """The index record of one case; writes (or checks) its files.  old_rec
    is the committed record (or None)."""
    ok = True
    dup = duplicate_of(src, path)
    with open(path, errors="replace") as f:
        text = f.read()
    arch = guest_arch(text)
    if dup is not None:
        rec = {"status": "skip", "category": "duplicate", "reason": "same file as " + dup}
        addressed = argv = None
    elif arch is not None and arch not in ARCHES:
        rec = {"status": "skip", "category": "arch", "reason": "arch not run"}
        addressed = argv = None
    else:
        try:
            rec, addressed, argv = run_case(key, text, tmp)
        except Crashed as e:
            print("%-60s libvirtd crashed (%s); restarting it" % (key, e))
            restart_daemon()
            gq.undefine(DOMAIN_PREFIX + key.replace("/", "-"))
            if old_rec is not None and old_rec.get("category") != "crash":
                # Which of these domains crash libvirtd varies from run to
                # run: the committed answer of a run that did not crash stays.
                print("%-60s keeping the committed result (%s)" % (key, old_rec["status"]))
                return old_rec, True
            rec = {"status": "skip", "category": "crash", "reason": "libvirtd crashed"}
            addressed = argv = None
    if check and old_rec is not None and old_rec.get("category") == "crash" and \
            rec.get("category") != "crash":
        print("%-60s NOTE: committed as crashed, libvirt answered this time (%s)"
              % (key, rec["status"]))
        return old_rec, True
    rec["arch"] = arch or "default"
    if arch is None and addressed is not None:
        rec["arch"] = guest_arch(addressed) or "default"

    stem = os.path.join(SUITE_DIR, key)
    keep_input = rec["status"] in ("ok", "refuse")
    if keep_input:
        ok = gq.store(stem + ".xml", text, check) and ok
    else:
        ok = gq.remove(stem + ".xml", check) and ok
    if addressed is not None and rec["status"] == "ok":
        ok = gq.store(stem + ".addressed.xml", addressed, check) and ok
        ok = gq.store(stem + ".argv", argv, check) and ok
        rec["argv_lines"] = argv.count("\n")
    else:
        ok = gq.remove(stem + ".addressed.xml", check) and ok
        ok = gq.remove(stem + ".argv", check) and ok
    what = rec.get("message", rec.get("reason", ""))
    print("%-60s %-6s %s" % (key, rec["status"],
                              ("%d argv elements" % rec["argv_lines"]) if rec["status"] == "ok"
                              else "%s: %s" % (rec.get("category", "disk"),
                                               what.splitlines()[0] if what else "")))
    return rec, ok


def index_text(index):
    lines = ["  %s: %s" % (json.dumps(k), json.dumps(index[k], sort_keys=True))
             for k in sorted(index)]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def load_index():
    if not os.path.exists(INDEX):
        return {}
    with open(INDEX) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="compare with the committed files instead of writing them")
    ap.add_argument("-k", metavar="SUBSTRING",
                    help="only the cases whose SUBDIR/NAME contains it")
    ap.add_argument("--src", help="an unpacked libvirt 9.0 source tree "
                    "(default: fetched under %s)" % CACHE)
    opts = ap.parse_args()

    src = ensure_source(opts.src)
    if subprocess.run([START]).returncode != 0:
        print("gen-libvirt-suite-golden: libvirt is not available", file=sys.stderr)
        return 1
    for sub, _ in SOURCES:
        os.makedirs(os.path.join(SUITE_DIR, sub), exist_ok=True)

    start = time.time()
    old = load_index()
    index = dict(old) if opts.k else {}
    ok = True
    inputs = suite_inputs(src, opts.k)
    define_secrets()
    try:
        with tempfile.TemporaryDirectory(prefix="vdisk-suite-gen-") as tmp:
            for key, path in inputs:
                rec, good = gen_case(key, path, src, opts.check, tmp, old.get(key))
                index[key] = rec
                ok = good and ok
    finally:
        undefine_secrets()

    if not opts.k:
        # Files of cases that are gone are stale.
        for sub, _ in SOURCES:
            for f in sorted(os.listdir(os.path.join(SUITE_DIR, sub))):
                key = "%s/%s" % (sub, re.sub(r"(\.addressed)?\.(xml|argv)$", "", f))
                if key not in index:
                    ok = gq.remove(os.path.join(SUITE_DIR, sub, f), opts.check) and ok
    new_text = index_text(index)
    ok = gq.store(INDEX, new_text, opts.check) and ok

    counts = {}
    for rec in index.values():
        counts[rec["status"]] = counts.get(rec["status"], 0) + 1
    print("%d cases in %.0fs: %s" % (len(inputs), time.time() - start,
                                    ", ".join("%d %s" % (n, s) for s, n in sorted(counts.items()))))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
