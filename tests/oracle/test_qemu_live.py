#!/usr/bin/python3
"""What QEMU really receives from libvirt 9.0, against vdisk's rendering.

Real images are made (qcow2 chains 1 to 3 deep that no XML names, a
relative backing name, a backing image whose format the header does not
give, raw and iso images), then, against the running libvirtd:

  start:    each case domain (pc and q35; virtio, scsi, sata, ide, usb,
            cdrom) is started with `virsh create`; the disk arguments of
            the QEMU process libvirt runs (/proc/PID/cmdline, extracted as
            scripts/gen-qemu-golden.py's disk_args) must equal what
            `vdisk qemu-args --probe` prints for the same XML, computed
            before; a domain libvirt refuses to start must be refused by
            vdisk with libvirt's message;
  hotplug:  into a running pc and a running q35 domain that already have
            disks, each case disk's `vdisk qemu-args --qmp --connect URI
            --hotplug DOMAIN DISK` is computed, then the disk is attached
            with `virsh attach-device --live`, and the commands libvirt sent
            (its monitor traffic, logged to a file of the test's through
            virt-admin, filters and outputs restored afterwards) must be
            the same, byte for byte, message ids aside; then the same for
            `--unplug TARGET` and `virsh detach-disk --live` (both
            domains boot the test guest of VDTEST_GUEST_DIR, so that their
            virtio disks are really released and their nodes deleted;
            without it only device_del is compared for them). Refusals:
            libvirt fails the attach, and vdisk refuses with libvirt's
            message.

Every object is named PREFIX... (VDTEST_PREFIX, default vdtest-live-PID-)
and removed again, also on failure. Needs root (the status XML and the
monitor log) and a libvirtd on qemu:///system; exits 77 without them.

Usage: test_qemu_live.py --vdisk PATH [-k SUBSTRING] [-v]
Prints `N passed, N failed` last.
"""

import argparse
import difflib
import importlib.util
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
_spec = importlib.util.spec_from_file_location(
    "gen_qemu_golden", os.path.join(ROOT, "scripts", "gen-qemu-golden.py"))
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

URI = "qemu:///system"
PREFIX = os.environ.get("VDTEST_PREFIX", "vdtest-live-%d-" % os.getpid())
IMAGES = "/var/lib/libvirt/images/" + PREFIX + "images"
TIMEOUT = 60
# the commands of a disk's attach and detach; anything else libvirt sends
# (queries) is not the disk's
DISK_COMMANDS = {"object-add", "object-del", "blockdev-add", "blockdev-del", "device_add",
                 "device_del", "chardev-add", "chardev-remove", "block_set_io_throttle"}

DOMAIN = """<domain type='qemu'>
  <name>%(name)s</name>
  <memory unit='MiB'>%(memory)d</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='%(machine)s'>hvm</type>%(boot)s</os>
  <features><acpi/></features>
  <devices>
%(devices)s
    <memballoon model='none'/>
  </devices>
</domain>
"""

# The booted test guest (scripts/build-test-guest.sh, in VDTEST_GUEST_DIR):
# the running domains boot it, so that their virtio disks are really
# released when unplugged and libvirt goes on to delete their nodes.
GUEST_DIR = os.environ.get("VDTEST_GUEST_DIR")
GUEST_BOOT = """
    <kernel>%(kernel)s</kernel><initrd>%(initrd)s</initrd>
    <cmdline>console=ttyS0 quiet vdtest.mode=watch</cmdline>"""
GUEST_SERIAL = "    <serial type='file'><source path='%s'/><target port='0'/></serial>"


def domain_xml(name, machine, devices, guest=False):
    boot = ""
    memory = 48
    if guest:
        for f in ("vmlinuz", "initrd.gz"):
            # a copy: libvirt relabels what it boots
            shutil.copy(os.path.join(GUEST_DIR, f), os.path.join(IMAGES, f))
        boot = GUEST_BOOT % {"kernel": os.path.join(IMAGES, "vmlinuz"),
                             "initrd": os.path.join(IMAGES, "initrd.gz")}
        devices = devices + [GUEST_SERIAL % os.path.join(IMAGES, name + ".serial")]
        memory = 160
    return DOMAIN % {"name": name, "machine": machine, "devices": "\n".join(devices),
                     "boot": boot, "memory": memory}


def wait_for(what, timeout):
    """Polls @what() until it is true or @timeout seconds passed."""
    end = time.monotonic() + timeout
    while not what():
        if time.monotonic() > end:
            return False
        time.sleep(0.25)
    return True


def guest_said(name, line):
    try:
        with open(os.path.join(IMAGES, name + ".serial"), errors="replace") as f:
            return any(l.startswith("VDTEST " + line) for l in f.read().splitlines())
    except FileNotFoundError:
        return False


def run(*argv, input_text=None, check=True):
    p = subprocess.run(list(argv), input=input_text, capture_output=True, text=True,
                       timeout=TIMEOUT)
    if check and p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(argv), p.stderr.strip()))
    return p


def virsh(*args, check=True):
    return run("virsh", "-q", "-c", URI, *args, check=check)


def disk(path, target, bus, fmt="qcow2", device="disk", extra=""):
    return ("    <disk type='file' device='%s'>\n"
            "      <driver name='qemu' type='%s'/>\n"
            "      <source file='%s'/>\n"
            "      <target dev='%s' bus='%s'/>\n%s"
            "    </disk>" % (device, fmt, path, target, bus, extra))


# ---- images ----------------------------------------------------------------------------

def img(name):
    return os.path.join(IMAGES, name)


def qemu_img(*args):
    run("qemu-img", *args)


def overlay(name, backing, backing_fmt, relative=None):
    """A qcow2 image over @backing (as written: @relative when given)."""
    qemu_img("create", "-q", "-f", "qcow2", "-b", relative or backing, "-F", backing_fmt,
             img(name))


def drop_backing_format(name):
    """Makes the qcow2 header of @name name no backing format: the backing
    format extension gets a magic nobody knows (qemu-img writes none
    without a format since 6.1)."""
    with open(img(name), "r+b") as f:
        head = bytearray(f.read(65536))
        at = head.find(struct.pack(">I", 0xE2792ACA))
        if at < 0:
            raise RuntimeError("%s: no backing format extension" % name)
        f.seek(at)
        f.write(struct.pack(">I", 0x7FFF0001))


def make_images():
    os.makedirs(IMAGES, exist_ok=True)
    os.makedirs(img("sub"), exist_ok=True)
    for n in ("base.raw", "base2.raw", "base3.raw", "r1.raw", "r2.raw", "r3.raw", "r4.raw", "sata.raw"):
        qemu_img("create", "-q", "-f", "raw", img(n), "8M")
    qemu_img("create", "-q", "-f", "qcow2", img("leaf.qcow2"), "8M")
    qemu_img("create", "-q", "-f", "qcow2", img("leaf2.qcow2"), "8M")
    # an ISO 9660 image as far as libvirt's probe reads it: the primary
    # volume descriptor's "CD001" at 32769
    with open(img("cd.iso"), "wb") as f:
        f.write(b"\0" * 0x8000 + b"\x01CD001\x01" + b"\0" * (0x8000 - 7))
    # chains: 3 deep over raw, 2 deep ending in a qcow2, 1 deep
    overlay("c3-1.qcow2", img("base.raw"), "raw")
    overlay("c3-2.qcow2", img("c3-1.qcow2"), "qcow2")
    overlay("c3-top.qcow2", img("c3-2.qcow2"), "qcow2")
    overlay("c2-1.qcow2", img("leaf.qcow2"), "qcow2")
    overlay("c2-top.qcow2", img("c2-1.qcow2"), "qcow2")
    overlay("c1-top.qcow2", img("base2.raw"), "raw")
    # a relative backing name, from a subdirectory
    overlay("sub/rel-top.qcow2", img("base3.raw"), "raw", relative="../base3.raw")
    # backing formats the header does not name: a raw leaf (libvirt probes
    # it), an iso leaf (probed, given to QEMU as raw), and one with a
    # backing file of its own (libvirt refuses)
    overlay("nofmt-raw.qcow2", img("r1.raw"), "raw")
    drop_backing_format("nofmt-raw.qcow2")
    overlay("nofmt-iso.qcow2", img("cd.iso"), "raw")
    drop_backing_format("nofmt-iso.qcow2")
    overlay("nofmt-mid.qcow2", img("r2.raw"), "raw")
    overlay("nofmt-bad.qcow2", img("nofmt-mid.qcow2"), "qcow2")
    drop_backing_format("nofmt-bad.qcow2")
    # a loop: libvirt follows it until its depth limit
    qemu_img("create", "-q", "-f", "qcow2", img("loop-b.qcow2"), "1M")
    overlay("loop-a.qcow2", img("loop-b.qcow2"), "qcow2")
    qemu_img("rebase", "-u", "-b", img("loop-a.qcow2"), "-F", "qcow2", img("loop-b.qcow2"))
    # a backing file that is gone
    qemu_img("create", "-q", "-f", "raw", img("gone.raw"), "1M")
    overlay("gone-top.qcow2", img("gone.raw"), "raw")
    os.unlink(img("gone.raw"))
    # images for hot-plugging, one chain each (a writable top is locked)
    for i in range(1, 4):
        overlay("h%d-1.qcow2" % i, img("r3.raw"), "raw")
        overlay("h%d-2.qcow2" % i, img("h%d-1.qcow2" % i), "qcow2")
        overlay("h%d-3.qcow2" % i, img("h%d-2.qcow2" % i), "qcow2")
    for i in range(1, 7):
        qemu_img("create", "-q", "-f", "raw", img("hraw%d.raw" % i), "4M")
        overlay("hq%d.qcow2" % i, img("leaf2.qcow2"), "qcow2")
    # a running domain's own disks
    for i in range(1, 3):
        overlay("run%d-1.qcow2" % i, img("r4.raw"), "raw")
        overlay("run%d.qcow2" % i, img("run%d-1.qcow2" % i), "qcow2")


# ---- start -------------------------------------------------------------------------------

START_CASES = [
    ("pc-virtio-chains", "pc",
     [disk(img("c3-top.qcow2"), "vda", "virtio"),
      disk(img("c2-top.qcow2"), "vdb", "virtio"),
      disk(img("base2.raw"), "vdc", "virtio", fmt="raw", extra="      <readonly/>\n")]),
    ("pc-ide-scsi-usb", "pc",
     [disk(img("c1-top.qcow2"), "hda", "ide"),
      disk(img("cd.iso"), "hdc", "ide", fmt="raw", device="cdrom"),
      disk(img("sub/rel-top.qcow2"), "sda", "scsi"),
      disk(img("nofmt-raw.qcow2"), "sdb", "usb"),
      "    <controller type='scsi' model='virtio-scsi'/>"]),
    ("q35-sata-scsi-virtio", "q35",
     [disk(img("c3-top.qcow2"), "sda", "sata"),
      disk(img("c2-top.qcow2"), "sdb", "scsi"),
      disk(img("nofmt-iso.qcow2"), "vda", "virtio"),
      disk(img("cd.iso"), "sdc", "sata", fmt="raw", device="cdrom"),
      "    <controller type='scsi' model='virtio-scsi'/>"]),
    ("q35-usb-declared-part", "q35",
     [disk(img("c1-top.qcow2"), "sda", "usb"),
      # the XML names the first backing image only: the rest is probed
      "    <disk type='file' device='disk'>\n"
      "      <driver name='qemu' type='qcow2'/>\n"
      "      <source file='%s'/>\n"
      "      <backingStore type='file'><format type='qcow2'/>"
      "<source file='%s'/></backingStore>\n"
      "      <target dev='vda' bus='virtio'/>\n"
      "    </disk>" % (img("c3-top.qcow2"), img("c3-2.qcow2")),
      "    <controller type='usb' model='qemu-xhci'/>"]),
    ("refuse-nofmt-backing", "pc", [disk(img("nofmt-bad.qcow2"), "vda", "virtio")]),
    ("refuse-missing-backing", "pc", [disk(img("gone-top.qcow2"), "vda", "virtio")]),
    ("refuse-loop", "pc", [disk(img("loop-a.qcow2"), "vda", "virtio")]),
]


def qemu_pid(name):
    with open("/run/libvirt/qemu/%s.pid" % name) as f:
        return f.read().strip()


def qemu_disk_args(name):
    with open("/proc/%s/cmdline" % qemu_pid(name), "rb") as f:
        argv = [a.decode() for a in f.read().split(b"\0")[:-1]]
    return gen.disk_args(argv[1:])


def core_message(text):
    """libvirt's message without virsh's "error: ..." framing."""
    lines = [ln[len("error: "):] if ln.startswith("error: ") else ln
             for ln in text.strip().splitlines()]
    return lines[-1] if lines else ""


# the error code's text libvirt puts before a message, and the user and
# group it read the images as (the daemon's configuration)
LIBVIRT_DECOR = re.compile(r"^(Requested operation is not valid|internal error|"
                           r"unsupported configuration|Operation not supported): |"
                           r" \(as uid:\d+, gid:\d+\)")


def same_refusal(libvirt_err, vdisk_err):
    """Whether vdisk's message (after "disk 'X': ") is libvirt's."""
    want = LIBVIRT_DECOR.sub("", core_message(libvirt_err))
    m = re.search(r"disk '[^']*': (.*)$", vdisk_err.strip())
    return m is not None and m.group(1) == want, want


def start_case(vdisk, name, machine, devices, verbose):
    dom = PREFIX + name
    xml = domain_xml(dom, machine, devices)
    path = os.path.join(IMAGES, name + ".xml")
    with open(path, "w") as f:
        f.write(xml)
    mine = run(vdisk, "qemu-args", "--probe", path, check=False)
    started = virsh("create", path, check=False)
    try:
        if started.returncode != 0:
            same, want = same_refusal(started.stderr, mine.stderr)
            if mine.returncode == 0:
                return "libvirt refused (%s), vdisk translated" % want
            if not same:
                return "libvirt: %s\nvdisk:   %s" % (want, mine.stderr.strip())
            if verbose:
                print("   refused alike: %s" % want)
            return None
        if mine.returncode != 0:
            return "libvirt started it, vdisk refused: %s" % mine.stderr.strip()
        real = qemu_disk_args(dom)
        got = mine.stdout.splitlines()
        if real != got:
            return "\n".join(difflib.unified_diff(real, got, "libvirt", "vdisk", lineterm=""))
        if verbose:
            print("   %d disk arguments" % len(real))
        return None
    finally:
        virsh("destroy", dom, check=False)


# ---- hotplug -------------------------------------------------------------------------------

class MonitorLog:
    """libvirtd's monitor traffic in a file of ours, for as long as it is open."""

    def __init__(self):
        self.path = os.path.join(IMAGES, "monitor.log")
        self.filters = self._get("daemon-log-filters")
        self.outputs = self._get("daemon-log-outputs")

    @staticmethod
    def _get(what):
        out = run("virt-admin", what).stdout
        return out.split(":", 1)[1].strip() if ":" in out else ""

    def __enter__(self):
        outputs = "1:file:%s" % self.path
        if self.outputs:
            outputs += " " + self.outputs
        filters = "1:qemu.qemu_monitor"
        if self.filters:
            filters = self.filters + " " + filters
        run("virt-admin", "daemon-log-filters", filters)
        run("virt-admin", "daemon-log-outputs", outputs)
        return self

    def __exit__(self, *exc):
        run("virt-admin", "daemon-log-filters", self.filters, check=False)
        run("virt-admin", "daemon-log-outputs", self.outputs, check=False)

    def size(self):
        return os.path.getsize(self.path) if os.path.exists(self.path) else 0

    def commands(self, since):
        """(mon, command without its id) sent since offset @since."""
        out = []
        with open(self.path, "rb") as f:
            f.seek(since)
            for line in f.read().decode(errors="replace").splitlines():
                m = re.search(r"QEMU_MONITOR_SEND_MSG: mon=(0x[0-9a-f]+) msg=(\{.*\})", line)
                if not m:
                    continue
                msg = re.sub(r',"id":"libvirt-\d+"\}$', "}", m.group(2))
                out.append((m.group(1), msg))
        return out


def disk_commands(log, since, mon=None, path=None):
    """The disk commands of one domain: the monitor that sent @path, or @mon."""
    cmds = log.commands(since)
    if mon is None:
        for m, msg in cmds:
            if path and path in msg:
                mon = m
                break
    keep = []
    for m, msg in cmds:
        if m != mon:
            continue
        if json.loads(msg).get("execute") in DISK_COMMANDS:
            keep.append(msg)
    return mon, keep


# the domains that boot the test guest, when VDTEST_GUEST_DIR names it
GUEST_DOMAINS = {"run-pc", "run-q35"}

HOTPLUG_DOMAINS = [
    ("run-pc", "pc",
     [disk(img("run1.qcow2"), "vda", "virtio"),
      disk(img("base2.raw"), "sda", "scsi", fmt="raw", extra="      <readonly/>\n"),
      "    <controller type='scsi' model='virtio-scsi'/>"]),
    ("run-q35", "q35",
     [disk(img("run2.qcow2"), "vda", "virtio"),
      disk(img("sata.raw"), "sda", "sata", fmt="raw"),
      "    <controller type='scsi' model='virtio-scsi'/>",
      "    <controller type='usb' model='qemu-xhci'/>"]
     + ["    <controller type='pci' index='0' model='pcie-root'/>"]
     + ["    <controller type='pci' index='%d' model='pcie-root-port'/>" % i
        for i in range(1, 9)]),
]

# (domain, case, disk XML, target); unplugged in reverse order afterwards
HOTPLUG_CASES = [
    ("run-pc", "virtio-chain3", disk(img("h1-3.qcow2"), "vdb", "virtio"), "vdb"),
    ("run-pc", "virtio-raw-ro",
     disk(img("hraw1.raw"), "vdc", "virtio", fmt="raw", extra="      <readonly/>\n"), "vdc"),
    ("run-pc", "scsi-chain1", disk(img("hq1.qcow2"), "sdb", "scsi"), "sdb"),
    ("run-pc", "usb-raw", disk(img("hraw2.raw"), "sdc", "usb", fmt="raw"), "sdc"),
    ("run-pc", "scsi-cdrom-iso",
     disk(img("cd.iso"), "sdd", "scsi", fmt="raw", device="cdrom"), "sdd"),
    ("run-q35", "virtio-chain2", disk(img("h2-2.qcow2"), "vdb", "virtio"), "vdb"),
    ("run-q35", "virtio-chain3", disk(img("h3-3.qcow2"), "vdc", "virtio"), "vdc"),
    ("run-q35", "scsi-raw", disk(img("hraw3.raw"), "sdb", "scsi", fmt="raw"), "sdb"),
    ("run-q35", "usb-chain1", disk(img("hq2.qcow2"), "sdc", "usb"), "sdc"),
    ("run-q35", "virtio-chain1", disk(img("hq3.qcow2"), "vdd", "virtio"), "vdd"),
]

# (domain, case, disk XML, what vdisk says where libvirt's own words are
# not its final error: it reports the bus but sends the commands, which
# QEMU then refuses)
HOTPLUG_REFUSALS = [
    ("run-q35", "refuse-sata", disk(img("hraw4.raw"), "sde", "sata", fmt="raw"),
     "disk bus 'sata' cannot be hotplugged."),
    ("run-pc", "refuse-ide", disk(img("hraw5.raw"), "hdb", "ide", fmt="raw"),
     "disk bus 'ide' cannot be hotplugged."),
    ("run-pc", "refuse-nofmt", disk(img("nofmt-bad.qcow2"), "vdf", "virtio"), None),
    ("run-pc", "refuse-floppy",
     disk(img("hraw6.raw"), "fda", "fdc", fmt="raw", device="floppy"), None),
]


def hotplug_cases(vdisk, results, only, verbose):
    started = []
    try:
        for name, machine, devices in HOTPLUG_DOMAINS:
            dom = PREFIX + name
            guest = name in GUEST_DOMAINS and GUEST_DIR is not None
            path = os.path.join(IMAGES, name + ".xml")
            with open(path, "w") as f:
                f.write(domain_xml(dom, machine, devices, guest))
            virsh("create", path)
            started.append(dom)
            # hot-plugged virtio disks are only released by a guest whose
            # ACPI hotplug runs
            if guest and not wait_for(lambda: guest_said(dom, "ready"), 120):
                raise RuntimeError("the test guest of %s did not boot" % dom)
        with MonitorLog() as log:
            mons = {}
            attached = []
            for name, case, xml, target in HOTPLUG_CASES:
                label = "hotplug:%s:%s" % (name, case)
                if only and only not in label:
                    continue
                dom = PREFIX + name
                path = os.path.join(IMAGES, "%s-%s.xml" % (name, case))
                with open(path, "w") as f:
                    f.write(xml + "\n")
                mine = run(vdisk, "qemu-args", "--qmp", "-c", URI, "--hotplug", dom, path,
                           check=False)
                since = log.size()
                done = virsh("attach-device", dom, path, "--live", check=False)
                src = re.search(r"file='([^']*)'", xml).group(1)
                mon, sent = disk_commands(log, since, mons.get(name), src)
                if mon:
                    mons[name] = mon
                if done.returncode == 0:
                    attached.append((name, target))
                results.append((label, compare(done, sent, mine, verbose)))
            for name, target in reversed(attached):
                label = "unplug:%s:%s" % (name, target)
                dom = PREFIX + name
                mine = run(vdisk, "qemu-args", "--qmp", "-c", URI, "--hotplug", dom,
                           "--unplug", target, check=False)
                since = log.size()
                done = virsh("detach-disk", dom, target, "--live", check=False)
                # libvirt deletes the nodes once QEMU released the device:
                # at once for SCSI and USB disks; for a PCI device when the
                # guest lets go (the booted guest of GUEST_DOMAINS does;
                # without one only device_del is sent)
                guest = name in GUEST_DOMAINS and GUEST_DIR is not None
                gone = wait_for(lambda: "dev='%s'" % target not in
                                virsh("dumpxml", dom).stdout, 60 if guest else 0)
                _, sent = disk_commands(log, since, mons.get(name))
                if done.returncode == 0 and not gone and mine.returncode == 0:
                    if guest:
                        results.append((label, "the guest did not release the disk"))
                        continue
                    mine.stdout = "\n".join(mine.stdout.splitlines()[:1]) + "\n"
                    label += "(device_del)"
                results.append((label, compare(done, sent, mine, verbose)))
            for name, case, xml, expect in HOTPLUG_REFUSALS:
                label = "hotplug:%s:%s" % (name, case)
                if only and only not in label:
                    continue
                dom = PREFIX + name
                path = os.path.join(IMAGES, "%s-%s.xml" % (name, case))
                with open(path, "w") as f:
                    f.write(xml + "\n")
                mine = run(vdisk, "qemu-args", "--qmp", "-c", URI, "--hotplug", dom, path,
                           check=False)
                done = virsh("attach-device", dom, path, "--live", check=False)
                results.append((label, compare(done, [], mine, verbose, expect)))
    finally:
        for dom in started:
            virsh("destroy", dom, check=False)


def compare(done, sent, mine, verbose, expect=None):
    """@expect: vdisk refuses, saying so, where libvirt reports the same
    problem but goes on until QEMU fails (other words, or none, to compare)."""
    if done.returncode != 0:
        same, want = same_refusal(done.stderr, mine.stderr)
        if mine.returncode == 0:
            return "libvirt refused (%s), vdisk rendered commands" % want
        if expect is not None:
            same = expect in mine.stderr
        if not same:
            return "libvirt: %s\nvdisk:   %s" % (want, mine.stderr.strip())
        if verbose:
            print("   refused alike: %s" % want)
        return None
    if mine.returncode != 0:
        return "libvirt did it, vdisk refused: %s" % mine.stderr.strip()
    got = mine.stdout.splitlines()
    if sent != got:
        return "\n".join(difflib.unified_diff(sent, got, "libvirt", "vdisk", lineterm=""))
    if verbose:
        print("   %d commands" % len(sent))
    return None


def cleanup():
    out = virsh("list", "--all", "--name", check=False).stdout.split()
    for dom in out:
        if dom.startswith(PREFIX):
            virsh("destroy", dom, check=False)
    shutil.rmtree(IMAGES, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vdisk", required=True)
    ap.add_argument("-k", default=None)
    ap.add_argument("-v", action="store_true")
    opts = ap.parse_args()
    if os.geteuid() != 0 or not shutil.which("virt-admin") \
            or subprocess.run(["virsh", "-c", URI, "version"], capture_output=True).returncode:
        print("skipped: needs root, virt-admin and libvirtd on %s" % URI)
        return 77
    results = []
    try:
        cleanup()
        make_images()
        for name, machine, devices in START_CASES:
            label = "start:" + name
            if opts.k and opts.k not in label:
                continue
            results.append((label, start_case(opts.vdisk, name, machine, devices, opts.v)))
        if not opts.k or "plug" in opts.k:
            hotplug_cases(opts.vdisk, results, opts.k, opts.v)
    finally:
        cleanup()
    failed = 0
    for label, problem in results:
        if problem:
            failed += 1
            print("FAIL %s\n%s" % (label, problem))
        elif opts.v:
            print("ok   %s" % label)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
