#!/usr/bin/python3
"""Regenerate the QEMU command-line golden data from real libvirt 9.0.

For each tests/data/qemu/NNN-name.xml (a whole domain):
  1. `virsh define` it (under a temporary name) and store libvirt's view,
     `virsh dumpxml --inactive`, as NNN-name.addressed.xml: the same domain
     with the addresses, controllers and defaults libvirt filled in;
  2. `virsh domxml-to-native qemu-argv --xml NNN-name.addressed.xml`, split
     with shlex, and store the disk-related arguments, one argv element per
     line, in libvirt's order, as NNN-name.argv (see tests/data/qemu/README).
When define or domxml-to-native refuses the domain, libvirt's message goes to
NNN-name.error instead (and NNN-name.addressed.xml exists only when define
accepted it).

The secrets the corpus refers to (by usage or UUID) are defined in libvirtd
first and removed at the end, together with the domains.

Needs root and the libvirt daemons (started through scripts/start-libvirt.sh).
Usage:
    scripts/gen-qemu-golden.py [--check] [-k SUBSTRING]
--check compares with the committed files instead of writing them.
"""

import argparse
import base64
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QEMU_DIR = os.path.join(ROOT, "tests", "data", "qemu")
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
from test_qemu_golden import normalize_text  # noqa: E402
URI = os.environ.get("VDISK_LIBVIRT_URI", "qemu:///system")
DOMAIN_PREFIX = "vdtest-qemugold-gen-"

# Secrets referenced by the corpus: (uuid, usage type, usage element, value).
SECRETS = [
    ("0a81f5b2-8403-7b23-c8d6-21ccc2f80001", "ceph", "<name>vdisk-test-ceph</name>",
     b"ceph-key-for-tests"),
    ("0a81f5b2-8403-7b23-c8d6-21ccc2f80002", "iscsi", "<target>vdisk-test-iscsi</target>",
     b"iscsi-chap-password"),
    ("0a81f5b2-8403-7b23-c8d6-21ccc2f80003", "volume",
     "<volume>/var/lib/vdisk-test/luks.img</volume>", b"luks-passphrase"),
    ("0a81f5b2-8403-7b23-c8d6-21ccc2f80004", "volume",
     "<volume>/var/lib/vdisk-test/luks2.qcow2</volume>", b"luks-passphrase-2"),
    ("0a81f5b2-8403-7b23-c8d6-21ccc2f80005", "ceph", "<name>vdisk-test-ceph2</name>",
     b"second-ceph-key"),
]

# -device drivers that are disks.
DISK_DEVICES = {
    "virtio-blk-pci", "virtio-blk-ccw", "virtio-blk-device", "ide-hd", "ide-cd",
    "scsi-hd", "scsi-cd", "scsi-block", "scsi-generic", "usb-storage", "floppy",
    "nvme", "vhost-user-blk-pci", "virtio-blk-pci-transitional",
    "virtio-blk-pci-non-transitional", "vhost-user-blk-pci-transitional",
    "vhost-user-blk-pci-non-transitional",
    # the floppy controller libvirt adds for floppies on q35, carrying their
    # boot indexes; on pc they are -global isa-fdc.bootindexA/B
    "isa-fdc",
}
# -object types that belong to a disk.
# pr-manager-helper: the helper of a disk's persistent reservations, or the
# domain's one managed helper ("pr-helper0"), which exists for its disks.
DISK_OBJECTS = {"secret", "throttle-group", "tls-creds-x509", "pr-manager-helper"}
# -global properties that belong to disks (the boot indexes of floppy drives
# on the pc machine).
DISK_GLOBAL_RE = re.compile(r"^(isa-fdc|floppy)\.")
# -chardev of a vhost-user disk: "chr-vu-" and the disk's alias.
DISK_CHARDEV_RE = re.compile(r"(?:^|,)id=chr-vu-")


class VirshError(Exception):
    """virsh failed; the message is libvirt's error text."""


def virsh(*args, input_text=None):
    p = subprocess.run(["virsh", "-q", "-c", URI] + list(args), input=input_text,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=120)
    if p.returncode != 0:
        raise VirshError(clean_error(p.stderr))
    return p.stdout


def clean_error(text):
    """libvirt's message without virsh's 'error: ...' framing."""
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("error: "):
            line = line[len("error: "):]
        if line.startswith("Failed to define domain from ") or \
                line.startswith("Failed to convert domain XML"):
            continue
        lines.append(line)
    return "\n".join(lines)


def read(path):
    with open(path) as f:
        return f.read()


def same(path, text):
    """Whether the file holds text, up to the per-run secret values of .argv files."""
    if not os.path.exists(path):
        return False
    old = read(path)
    if path.endswith(".argv"):
        return normalize_text(old) == normalize_text(text)
    return old == text


def store(path, text, check):
    if same(path, text):
        # Kept as it is, so that regenerating does not churn secret payloads.
        return True
    if check:
        print("DIFFERS: %s" % os.path.relpath(path, ROOT))
        return False
    with open(path, "w") as f:
        f.write(text)
    return True


def remove(path, check):
    if not os.path.exists(path):
        return True
    if check:
        print("STALE: %s" % os.path.relpath(path, ROOT))
        return False
    os.unlink(path)
    return True


def corpus_files(pattern=None):
    names = sorted(f for f in os.listdir(QEMU_DIR)
                   if re.match(r"^\d{3}-[a-z0-9-]+\.xml$", f))
    if pattern:
        names = [n for n in names if pattern in n]
    return [os.path.join(QEMU_DIR, n) for n in names]


NAME_RE = re.compile(r"<name>([^<]*)</name>")


def define_secrets():
    for uuid, usage, usage_elem, value in SECRETS:
        xml = ("<secret ephemeral='no' private='yes'>\n"
               "  <uuid>%s</uuid>\n"
               "  <usage type='%s'>%s</usage>\n"
               "</secret>\n" % (uuid, usage, usage_elem))
        try:
            virsh("secret-undefine", uuid)
        except VirshError:
            pass
        with tempfile.NamedTemporaryFile("w", suffix=".xml") as f:
            f.write(xml)
            f.flush()
            virsh("secret-define", f.name)
        virsh("secret-set-value", uuid, "--base64",
              base64.b64encode(value).decode("ascii"))


def undefine_secrets():
    for uuid, _, _, _ in SECRETS:
        try:
            virsh("secret-undefine", uuid)
        except VirshError:
            pass


def undefine(name):
    try:
        virsh("undefine", name, "--nvram")
    except VirshError:
        try:
            virsh("undefine", name)
        except VirshError:
            pass


# Block nodes libvirt gives QEMU for what is not a <disk>: firmware
# ("libvirt-pflash0-storage") and SCSI <hostdev>s ("libvirt-2-backend", with
# a scsi-generic device on it). They are not disk arguments; their secrets
# are named after the hostdev ("hostdev0-secret0"), not after a disk's node.
NON_DISK_NODE_RE = re.compile(r"^libvirt-pflash|-backend$")


def json_field(val, key):
    if val is not None and val.startswith("{"):
        return json.loads(val).get(key)
    return None


def disk_args(argv):
    """The disk-related elements of a QEMU argv, in order, as a list."""
    out = []
    others = set()
    i = 0
    while i < len(argv):
        opt = argv[i]
        val = argv[i + 1] if i + 1 < len(argv) else None
        keep = False
        if opt == "-blockdev" or opt == "-drive":
            node = json_field(val, "node-name") if opt == "-blockdev" else None
            keep = not (node and NON_DISK_NODE_RE.search(node))
            if not keep:
                others.add(node)
        elif opt == "-device" and val is not None:
            if val.startswith("{"):
                driver = json.loads(val).get("driver")
            else:
                driver = val.split(",", 1)[0]
            keep = driver in DISK_DEVICES and json_field(val, "drive") not in others
        elif opt == "-object" and val is not None:
            if val.startswith("{"):
                obj = json.loads(val)
                qtype, oid = obj.get("qom-type"), obj.get("id")
            else:
                qtype = val.split(",", 1)[0]
                m = re.search(r"(?:^|,)id=([^,]*)", val)
                oid = m.group(1) if m else None
            keep = (qtype in DISK_OBJECTS and oid != "masterKey0" and
                    not (qtype == "secret" and oid and not oid.startswith("libvirt-")))
        elif opt == "-global" and val is not None:
            keep = bool(DISK_GLOBAL_RE.match(val))
        elif opt == "-chardev" and val is not None:
            keep = bool(DISK_CHARDEV_RE.search(val))
        if keep:
            out += [opt, val]
            i += 2
        else:
            i += 1
    return out


def native_argv(xml_path):
    text = virsh("domxml-to-native", "qemu-argv", "--xml", xml_path)
    words = shlex.split(text)
    # Leading environment assignments, then the emulator and its arguments.
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        words.pop(0)
    return words[1:]


def gen_one(path, check):
    base = os.path.basename(path)[:-4]
    stem = path[:-4]
    text = read(path)
    m = NAME_RE.search(text)
    if not m:
        print("FAIL %s: no <name>" % base)
        return False
    corpus_name = m.group(1)
    tmp_name = DOMAIN_PREFIX + base
    dom = NAME_RE.sub("<name>%s</name>" % tmp_name, text, count=1)

    ok = True
    addressed = None
    error = None
    with tempfile.TemporaryDirectory() as tmp:
        dom_path = os.path.join(tmp, "dom.xml")
        with open(dom_path, "w") as f:
            f.write(dom)
        undefine(tmp_name)
        try:
            virsh("define", dom_path)
            try:
                dump = virsh("dumpxml", "--inactive", "--security-info", tmp_name)
            finally:
                undefine(tmp_name)
            addressed = NAME_RE.sub("<name>%s</name>" % corpus_name, dump, count=1)
            addr_tmp = os.path.join(tmp, "addressed.xml")
            with open(addr_tmp, "w") as f:
                f.write(addressed)
            args = disk_args(native_argv(addr_tmp))
        except VirshError as e:
            error = str(e)

    if addressed is not None:
        ok = store(stem + ".addressed.xml", addressed, check) and ok
    else:
        ok = remove(stem + ".addressed.xml", check) and ok
    if error is not None:
        ok = store(stem + ".error", error + "\n", check) and ok
        ok = remove(stem + ".argv", check) and ok
        print("%-40s refused: %s" % (base, error.splitlines()[0] if error else ""))
    else:
        ok = store(stem + ".argv", "".join(a + "\n" for a in args), check) and ok
        ok = remove(stem + ".error", check) and ok
        print("%-40s %d argv elements" % (base, len(args)))
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="compare with the committed files instead of writing them")
    ap.add_argument("-k", metavar="SUBSTRING", help="only the cases whose name contains it")
    opts = ap.parse_args()

    start = os.path.join(ROOT, "scripts", "start-libvirt.sh")
    if subprocess.run([start]).returncode != 0:
        print("gen-qemu-golden: libvirt is not available", file=sys.stderr)
        return 1

    ok = True
    define_secrets()
    try:
        for path in corpus_files(opts.k):
            ok = gen_one(path, opts.check) and ok
    finally:
        undefine_secrets()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
