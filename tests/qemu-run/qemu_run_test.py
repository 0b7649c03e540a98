#!/usr/bin/python3
# qemu_run_test.py: real QEMU accepts the disks `vdisk qemu-args` translates.
#
# For each domain below the test creates the images with qemu-img, asks
# `vdisk qemu-args` for the disk arguments and starts a paused TCG QEMU
# (-S -nodefaults) with the controllers the disks refer to plus those
# arguments. Over QMP it then checks that every node the arguments declare
# exists with the declared driver, file, read-only flag, cache flags and
# backing chain, that every device is there with its media and properties,
# and that the result matches what the domain XML asked for. The same
# domain is then rebuilt from the `--qmp` rendering (object-add,
# blockdev-add, device_add on a QEMU that has only the controllers), checked
# again, and the disks on hotpluggable buses are unplugged again.
#
# With --corpus DIR the domains of tests/data/qemu are run the same way:
# every path they name is replaced by a new image of the format, backing
# chain and slice the translation declares for it (loop devices for block
# sources), and their controllers are given to QEMU as libvirt would.
#
# Usage: qemu_run_test.py VDISK [--corpus DIR] [CASE...]
# Exit status: 0 all passed, 1 a case failed, 77 QEMU or qemu-img missing.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # leave the source tree as it was
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402
import qmp  # noqa: E402

SKIP = 77
QEMU = shutil.which("qemu-system-x86_64")
QEMU_IMG = shutil.which("qemu-img")

# Corpus domains whose argv real libvirt 9.0 produces identically and QEMU
# 7.2 refuses at start (`virsh start` fails with the same message): the
# translation must stay faithful, so QEMU must keep refusing them.
KNOWN_REFUSALS = {
    "105-ide-address-unit-2": "Can't create IDE unit 2, bus supports only 2 units",
    "117-ide-address-bus-2": "Bus 'ide.2' not found",
    "122-blockio-odd-size": "Property .logical_block_size doesn't take value 500",
}

# Drivers whose bus refuses device_add once the machine exists.
COLDPLUG_ONLY = {"ide-hd", "ide-cd", "floppy"}
# (writeback, direct, no-flush) as QEMU reports them for each cache mode;
# None is QEMU's default, which libvirt keeps when no mode is given.
CACHE_FLAGS = {
    None: (True, False, False),
    "none": (True, True, False),
    "writethrough": (False, False, False),
    "writeback": (True, False, False),
    "directsync": (False, True, False),
    "unsafe": (True, False, True),
}


# ---------------------------------------------------------------- domains

class Disk:
    """One <disk> of a test domain and what QEMU must show for it."""

    def __init__(self, qdev, xml, chain=None, readonly=False, removable=False,
                 cache=None, detect_zeroes=None, props=None, drv=None):
        self.qdev = qdev            # the device id libvirt gives it
        self.xml = xml
        self.chain = chain or []    # [(path, format)], top first; [] = no media
        self.readonly = readonly
        self.removable = removable
        self.cache = cache
        self.detect_zeroes = detect_zeroes
        self.props = props or {}    # device properties the XML asked for
        self.drv = drv              # the storage node's driver, if not "file"


class Case:
    def __init__(self, name, machine, disks, controllers_xml="", qemu_args=(),
                 top_xml="", boot_dev=True, needs_block=False, xml_text=None, ctl_args=None,
                 refusal=None):
        self.name = name
        self.refusal = refusal      # QEMU's message when it must refuse the argv
        self.xml_text = xml_text    # a whole domain (corpus cases)
        self.ctl_args = ctl_args
        self.machine = machine
        self.disks = disks
        self.controllers_xml = controllers_xml
        self.qemu_args = list(qemu_args)
        self.top_xml = top_xml
        self.boot_dev = boot_dev
        self.needs_block = needs_block

    def domain_xml(self):
        if self.xml_text is not None:
            return self.xml_text
        machine = "pc-i440fx-7.2" if self.machine == "pc" else "pc-q35-7.2"
        boot = "    <boot dev='hd'/>\n" if self.boot_dev else ""
        disks = "".join(d.xml for d in self.disks)
        if self.machine == "pc":
            ctl = ("    <controller type='usb' index='0' model='piix3-uhci'>\n"
                   "      <address type='pci' domain='0x0000' bus='0x00' slot='0x01'"
                   " function='0x2'/>\n    </controller>\n"
                   "    <controller type='pci' index='0' model='pci-root'/>\n"
                   "    <controller type='ide' index='0'>\n"
                   "      <address type='pci' domain='0x0000' bus='0x00' slot='0x01'"
                   " function='0x1'/>\n    </controller>\n")
        else:
            ctl = ("    <controller type='usb' index='0' model='qemu-xhci'>\n"
                   "      <address type='pci' domain='0x0000' bus='0x01' slot='0x00'"
                   " function='0x0'/>\n    </controller>\n"
                   "    <controller type='sata' index='0'>\n"
                   "      <address type='pci' domain='0x0000' bus='0x00' slot='0x1f'"
                   " function='0x2'/>\n    </controller>\n"
                   "    <controller type='pci' index='0' model='pcie-root'/>\n")
            for i in range(1, 5):
                multi = " multifunction='on'" if i == 1 else ""
                ctl += ("    <controller type='pci' index='%d' model='pcie-root-port'>\n"
                        "      <model name='pcie-root-port'/>\n"
                        "      <target chassis='%d' port='0x%x'/>\n"
                        "      <address type='pci' domain='0x0000' bus='0x00' slot='0x01'"
                        " function='0x%x'%s/>\n    </controller>\n"
                        % (i, i, 7 + i, i - 1, multi))
        return ("<domain type='qemu'>\n"
                "  <name>vdtest-qemurun-%s</name>\n"
                "  <memory unit='KiB'>65536</memory>\n"
                "  <vcpu placement='static'>1</vcpu>\n%s"
                "  <os>\n    <type arch='x86_64' machine='%s'>hvm</type>\n%s  </os>\n"
                "  <devices>\n    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
                "%s%s%s  </devices>\n</domain>\n"
                % (self.name, self.top_xml, machine, boot, disks, ctl, self.controllers_xml))

    def controller_args(self):
        """The controllers libvirt would put on the command line, with the
        aliases the disks' -device arguments refer to."""
        if self.ctl_args is not None:
            return list(self.ctl_args)
        if self.machine == "pc":
            args = ["-device", "piix3-usb-uhci,id=usb,bus=pci.0,addr=0x1.0x2"]
        else:
            args = []
            for i in range(1, 5):
                args += ["-device", "pcie-root-port,port=0x%x,chassis=%d,id=pci.%d,bus=pcie.0,"
                         "%saddr=0x1.0x%x" % (7 + i, i, i,
                                               "multifunction=on," if i == 1 else "", i - 1)]
            args += ["-device", "qemu-xhci,id=usb,bus=pci.1,addr=0x0"]
        return args + self.qemu_args


def pci(slot, bus=0):
    return ("      <address type='pci' domain='0x0000' bus='0x%02x' slot='0x%02x'"
            " function='0x0'/>\n" % (bus, slot))


def drive(controller=0, bus=0, target=0, unit=0):
    return ("      <address type='drive' controller='%d' bus='%d' target='%d' unit='%d'/>\n"
            % (controller, bus, target, unit))


def disk_xml(dtype, device, fmt, source, target, bus, address, driver_extra="",
             chain_xml="", extra=""):
    src = ""
    if source:
        attr = "dev" if dtype == "block" else "file"
        src = "      <source %s='%s'/>\n" % (attr, source)
    return ("    <disk type='%s' device='%s'>\n"
            "      <driver name='qemu' type='%s'%s/>\n%s%s"
            "      <target dev='%s' bus='%s'/>\n%s%s    </disk>\n"
            % (dtype, device, fmt, driver_extra, src, chain_xml, target, bus, extra, address))


def backing_xml(chain):
    """<backingStore> elements for chain[1:] (chain[0] is the disk's source)."""
    out, indent = "", "      "
    for path, fmt in chain[1:]:
        out += ("%s<backingStore type='file'>\n%s  <format type='%s'/>\n"
                "%s  <source file='%s'/>\n" % (indent, indent, fmt, indent, path))
        indent += "  "
    out += "%s<backingStore/>\n" % indent
    for _ in chain[1:]:
        indent = indent[:-2]
        out += "%s</backingStore>\n" % indent
    return out


def build_cases(img, loopdev):
    """The test domains; @img maps image names to (path, format)."""
    cases = []
    raw = img["raw"]
    q = img["qcow2"]
    chain = [img["top"], img["mid"], img["base"]]
    virtio_scsi = ("    <controller type='scsi' index='0' model='virtio-scsi'>\n%s"
                   "    </controller>\n" % pci(3))
    lsi = ("    <controller type='scsi' index='0' model='lsilogic'>\n%s"
           "    </controller>\n" % pci(3))

    cases.append(Case("pc-virtio-qcow2", "pc", [
        Disk("virtio-disk0", disk_xml("file", "disk", "qcow2", q[0], "vda", "virtio", pci(7)),
             chain=[q], props={"bootindex": 1}),
    ]))
    cases.append(Case("pc-virtio-backing-chain", "pc", [
        Disk("virtio-disk0", disk_xml("file", "disk", "qcow2", chain[0][0], "vda", "virtio",
                                      pci(4), chain_xml=backing_xml(chain)), chain=chain),
    ]))
    cases.append(Case("pc-ide", "pc", [
        Disk("ide0-0-0", disk_xml("file", "disk", "raw", raw[0], "hda", "ide", drive(),
                                  extra="      <boot order='2'/>\n"
                                        "      <serial>IDE-SERIAL-1</serial>\n"
                                        "      <wwn>5000c50015ea71ad</wwn>\n"),
             chain=[raw], props={"bootindex": 2, "serial": "IDE-SERIAL-1",
                                 "wwn": 0x5000c50015ea71ad, "unit": 0}),
        Disk("ide0-1-0", disk_xml("file", "cdrom", "raw", None, "hdc", "ide",
                                  drive(bus=1), extra="      <readonly/>\n"),
             readonly=True, removable=True),
        Disk("ide0-1-1", disk_xml("file", "cdrom", "raw", img["iso"][0], "hdd", "ide",
                                  drive(bus=1, unit=1),
                                  extra="      <readonly/>\n      <boot order='1'/>\n"),
             chain=[img["iso"]], readonly=True, removable=True,
             props={"bootindex": 1, "unit": 1}),
    ], boot_dev=False))
    cases.append(Case("pc-virtio-scsi", "pc", [
        Disk("scsi0-0-0-0", disk_xml("file", "disk", "raw", raw[0], "sda", "scsi", drive(),
                                     driver_extra=" cache='none' discard='unmap'"
                                                  " detect_zeroes='unmap'",
                                     extra="      <wwn>5000c50015ea71ac</wwn>\n"
                                           "      <vendor>VDISK</vendor>\n"
                                           "      <product>Test Disk 1</product>\n"),
             chain=[raw], cache="none", detect_zeroes="unmap",
             props={"wwn": 0x5000c50015ea71ac, "vendor": "VDISK", "product": "Test Disk 1",
                    "scsi-id": 0, "lun": 0}),
        Disk("scsi0-0-0-1", disk_xml("file", "cdrom", "raw", None, "sdb", "scsi",
                                     drive(unit=1), extra="      <readonly/>\n"),
             readonly=True, removable=True),
        Disk("scsi0-0-0-2", disk_xml("file", "cdrom", "raw", img["iso"][0], "sdc", "scsi",
                                     drive(unit=2), extra="      <readonly/>\n"),
             chain=[img["iso"]], readonly=True, removable=True, props={"lun": 2}),
        Disk("scsi0-0-1-0", disk_xml("file", "disk", "qcow2", img["qcow2b"][0], "sdd", "scsi",
                                     drive(target=1), extra="      <readonly/>\n"),
             chain=[img["qcow2b"]], readonly=True, props={"scsi-id": 1, "lun": 0}),
    ], controllers_xml=virtio_scsi,
        qemu_args=["-device", "virtio-scsi-pci,id=scsi0,bus=pci.0,addr=0x3"]))
    cases.append(Case("pc-lsilogic", "pc", [
        Disk("scsi0-0-0", disk_xml("file", "disk", "qcow2", q[0], "sda", "scsi", drive(),
                                   driver_extra=" cache='writethrough'",
                                   extra="      <serial>LSI-1</serial>\n"),
             chain=[q], cache="writethrough", props={"serial": "LSI-1", "scsi-id": 0}),
        Disk("scsi0-0-1", disk_xml("file", "cdrom", "raw", img["iso"][0], "sdb", "scsi",
                                   drive(unit=1), extra="      <readonly/>\n"),
             chain=[img["iso"]], readonly=True, removable=True, props={"scsi-id": 1}),
    ], controllers_xml=lsi, qemu_args=["-device", "lsi,id=scsi0,bus=pci.0,addr=0x3"]))
    cases.append(Case("pc-usb-storage", "pc", [
        Disk("usb-disk0", disk_xml("file", "disk", "raw", raw[0], "sda", "usb",
                                   "      <address type='usb' bus='0' port='1'/>\n",
                                   driver_extra=" cache='directsync'"),
             chain=[raw], cache="directsync"),
    ]))
    cases.append(Case("pc-floppy", "pc", [
        Disk("fdc0-0-0", disk_xml("file", "floppy", "raw", img["fd"][0], "fda", "fdc", drive()),
             chain=[img["fd"]], removable=True),
        Disk("fdc0-0-1", disk_xml("file", "floppy", "raw", None, "fdb", "fdc", drive(unit=1)),
             removable=True),
    ], boot_dev=False))
    modes = ["none", "writethrough", "writeback", "directsync", "unsafe"]
    cases.append(Case("pc-cache-modes-readonly", "pc", [
        Disk("virtio-disk%d" % i,
             disk_xml("file", "disk", "qcow2", img["cache%d" % i][0], "vd" + "abcde"[i],
                      "virtio", pci(4 + i), driver_extra=" cache='%s'" % mode),
             chain=[img["cache%d" % i]], cache=mode)
        for i, mode in enumerate(modes)
    ] + [
        Disk("virtio-disk5", disk_xml("file", "disk", "raw", img["ro"][0], "vdf", "virtio",
                                      pci(9), extra="      <readonly/>\n"),
             chain=[img["ro"]], readonly=True),
    ], boot_dev=False))
    cases.append(Case("pc-virtio-tuning", "pc", [
        Disk("virtio-disk0", disk_xml("file", "disk", "raw", raw[0], "vda", "virtio", pci(4),
                                      driver_extra=" cache='none' io='native' iothread='2'"
                                                   " queues='4' queue_size='256'"
                                                   " discard='unmap' detect_zeroes='unmap'",
                                      extra="      <serial>VIRTIO-SER-1</serial>\n"
                                            "      <boot order='1'/>\n"),
             chain=[raw], cache="none", detect_zeroes="unmap",
             props={"iothread": "iothread2", "num-queues": 4, "queue-size": 256,
                    "serial": "VIRTIO-SER-1", "bootindex": 1}),
        Disk("virtio-disk1", disk_xml("file", "disk", "qcow2", q[0], "vdb", "virtio", pci(5),
                                      driver_extra=" iothread='1' detect_zeroes='on'"
                                                   " discard='ignore'"),
             chain=[q], detect_zeroes="on", props={"iothread": "iothread1"}),
    ], top_xml="  <iothreads>2</iothreads>\n", boot_dev=False,
        qemu_args=["-object", '{"qom-type":"iothread","id":"iothread1"}',
                   "-object", '{"qom-type":"iothread","id":"iothread2"}']))
    if loopdev:
        cases.append(Case("pc-block-device", "pc", [
            Disk("virtio-disk0", disk_xml("block", "disk", "raw", loopdev, "vda", "virtio",
                                          pci(4), driver_extra=" cache='none' io='native'"),
                 chain=[(loopdev, "raw")], cache="none", drv="host_device"),
        ]))
    else:
        cases.append(Case("pc-block-device", "pc", [], needs_block=True))
    cases.append(Case("q35-sata", "q35", [
        Disk("sata0-0-0", disk_xml("file", "disk", "raw", raw[0], "sda", "sata", drive(),
                                   extra="      <serial>SATA-1</serial>\n"),
             chain=[raw], props={"serial": "SATA-1", "bootindex": 1}),
        Disk("sata0-0-1", disk_xml("file", "cdrom", "raw", None, "sdb", "sata", drive(unit=1),
                                   extra="      <readonly/>\n"),
             readonly=True, removable=True),
        Disk("sata0-0-2", disk_xml("file", "cdrom", "raw", img["iso"][0], "sdc", "sata",
                                   drive(unit=2), extra="      <readonly/>\n"),
             chain=[img["iso"]], readonly=True, removable=True),
        Disk("sata0-0-3", disk_xml("file", "disk", "qcow2", chain[0][0], "sdd", "sata",
                                   drive(unit=3), chain_xml=backing_xml(chain),
                                   driver_extra=" cache='unsafe'"),
             chain=chain, cache="unsafe"),
    ]))
    cases.append(Case("q35-virtio-scsi-usb", "q35", [
        Disk("virtio-disk0", disk_xml("file", "disk", "qcow2", q[0], "vda", "virtio",
                                      pci(0, bus=2), driver_extra=" cache='writeback'"),
             chain=[q], cache="writeback", props={"bootindex": 1}),
        Disk("scsi0-0-0-0", disk_xml("file", "disk", "raw", raw[0], "sda", "scsi", drive()),
             chain=[raw]),
        Disk("usb-disk1", disk_xml("file", "disk", "raw", img["usb"][0], "sdb", "usb",
                                   "      <address type='usb' bus='0' port='1'/>\n",
                                   extra="      <serial>USB-1</serial>\n"),
             chain=[img["usb"]], props={"serial": "USB-1"}),
    ], controllers_xml=("    <controller type='scsi' index='0' model='virtio-scsi'>\n%s"
                        "    </controller>\n" % pci(0, bus=3)),
        qemu_args=["-device", "virtio-scsi-pci,id=scsi0,bus=pci.3,addr=0x0"]))
    return cases


def make_images(tmp):
    """Creates the images the domains use; returns {name: (path, format)}."""
    img = {}

    def create(name, fmt, size="1M", backing=None):
        path = os.path.join(tmp, name)
        argv = [QEMU_IMG, "create", "-q", "-f", fmt]
        if backing:
            argv += ["-b", backing[0], "-F", backing[1]]
        argv += [path]
        if not backing:
            argv.append(size)
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        return (path, fmt)

    img["raw"] = create("disk.raw", "raw")
    img["qcow2"] = create("disk.qcow2", "qcow2")
    img["qcow2b"] = create("disk-b.qcow2", "qcow2")
    img["iso"] = create("cd.iso", "raw")
    img["fd"] = create("floppy.img", "raw", "1440K")
    img["ro"] = create("ro.raw", "raw")
    img["usb"] = create("usb.raw", "raw")
    img["base"] = create("base.qcow2", "qcow2")
    img["mid"] = create("mid.qcow2", "qcow2", backing=img["base"])
    img["top"] = create("top.qcow2", "qcow2", backing=img["mid"])
    for i in range(5):
        img["cache%d" % i] = create("cache%d.qcow2" % i, "qcow2")
    img["block"] = create("block.raw", "raw")
    return img


TMP_PREFIX = "vdisk-qemu-run-"


def sweep_stale_runs():
    """Releases what a killed earlier run left behind: its loop device and
    temporary directory, found through the pid file of a dead owner."""
    base = tempfile.gettempdir()
    for name in os.listdir(base):
        d = os.path.join(base, name)
        if not name.startswith(TMP_PREFIX) or not os.path.isdir(d):
            continue
        try:
            with open(os.path.join(d, "owner.pid")) as f:
                pid = int(f.read())
            os.kill(pid, 0)
            continue
        except ProcessLookupError:
            pass
        except (OSError, ValueError):
            continue
        losetup = shutil.which("losetup")
        if losetup and os.geteuid() == 0:
            r = subprocess.run([losetup, "-l", "-n", "-O", "NAME,BACK-FILE"],
                               capture_output=True, text=True)
            for line in r.stdout.splitlines():
                fields = line.split(None, 1)
                if len(fields) == 2 and fields[1].startswith(d + "/"):
                    subprocess.run([losetup, "-d", fields[0]], capture_output=True)
        shutil.rmtree(d, True)


def setup_loop(path):
    """Attaches @path to a loop device: (device, None) or (None, reason)."""
    if os.geteuid() != 0:
        return None, "not root, cannot attach a loop device"
    losetup = shutil.which("losetup")
    if not losetup:
        return None, "losetup is not installed"
    r = subprocess.run([losetup, "-f", "--show", path], capture_output=True, text=True)
    if r.returncode != 0 or not r.stdout.strip():
        return None, "losetup -f --show failed: %s" % r.stderr.strip()
    dev = r.stdout.strip()
    atexit.register(lambda: subprocess.run([losetup, "-d", dev], capture_output=True))
    return dev, None


# ---------------------------------------------------------------- checks

class Failed(Exception):
    pass


def expect(cond, fmt, *args):
    if not cond:
        raise Failed(fmt % args if args else fmt)


def parse_argv(argv):
    """Pairs ('-blockdev', {...}) etc. from the translated argv."""
    expect(len(argv) % 2 == 0, "odd number of argv elements: %r", argv)
    out = []
    for i in range(0, len(argv), 2):
        opt, val = argv[i], argv[i + 1]
        expect(opt in ("-blockdev", "-device", "-object"), "unexpected option %r", opt)
        try:
            out.append((opt, json.loads(val)))
        except ValueError as e:
            raise Failed("argument of %s is not JSON (%s): %s" % (opt, e, val))
    return out


QMP_OF = {"-blockdev": "blockdev-add", "-device": "device_add", "-object": "object-add"}


def qdev_matches(entry, qdev_id):
    q = entry.get("qdev", "")
    return q == qdev_id or q.startswith("/machine/peripheral/%s/" % qdev_id) \
        or q == "/machine/peripheral/" + qdev_id


def same_value(got, want):
    if got == want:
        return True
    if isinstance(want, bool) or isinstance(got, bool):
        return str(got).lower() in (str(want).lower(), {True: "on", False: "off"}.get(want, ""))
    return str(got) == str(want)


def check_vm(vm, objs, case, devices_present):
    """Checks the running QEMU against the translated objects @objs (those
    QEMU received) and against what the case's XML asked for. Returns the
    number of facts checked."""
    q = vm.qmp
    checked = 0
    # Not flat: QEMU 7.2 counts backing_file_depth only in the nested form.
    nodes = {n["node-name"]: n for n in q.must("query-named-block-nodes", {"flat": False})}
    blocks = q.must("query-block")
    declared = {o["node-name"]: o for opt, o in objs if opt == "-blockdev"}

    def depth(name):
        d = 0
        while declared[name].get("backing"):
            name = declared[name]["backing"]
            d += 1
        return d

    # Nodes: what the -blockdev arguments declared.
    for name, o in declared.items():
        expect(name in nodes, "node %s declared but absent from query-named-block-nodes", name)
        n = nodes[name]
        expect(n["drv"] == o["driver"], "node %s: driver %s, declared %s", name, n["drv"],
               o["driver"])
        if "filename" in o:
            expect(n["file"] == o["filename"], "node %s: file %s, declared %s", name,
                   n["file"], o["filename"])
        if isinstance(o.get("file"), str):
            f = o["file"]
            expect(f in declared, "node %s: file node %s not declared", name, f)
            if n["file"].startswith("json:"):
                # Filters and slices are named by their whole graph, which
                # ends in the declared leaf.
                leaf = f
                while isinstance(declared[leaf].get("file"), str):
                    leaf = declared[leaf]["file"]
                want = declared[leaf].get("filename") or declared[leaf].get("dir")
                expect(json.dumps(want) in n["file"], "node %s: file %s does not lead to %s",
                       name, n["file"], want)
            else:
                expect(n["file"] == nodes[f]["file"], "node %s: file %s, its file node has %s",
                       name, n["file"], nodes[f]["file"])
        if "read-only" in o:
            expect(n["ro"] == o["read-only"], "node %s: ro %s, declared %s", name, n["ro"],
                   o["read-only"])
        cache = o.get("cache", {})
        for k in ("direct", "no-flush"):
            expect(n["cache"][k] == cache.get(k, False), "node %s: cache.%s %s, declared %s",
                   name, k, n["cache"][k], cache.get(k, False))
        expect(n["detect_zeroes"] == o.get("detect-zeroes", "off"),
               "node %s: detect_zeroes %s, declared %s", name, n["detect_zeroes"],
               o.get("detect-zeroes", "off"))
        if "backing" in o or o.get("driver") in ("qcow2", "qed", "vmdk"):
            expect(n["backing_file_depth"] == depth(name),
                   "node %s: backing_file_depth %d, declared chain depth %d", name,
                   n["backing_file_depth"], depth(name))
        if o.get("backing"):
            below = nodes[o["backing"]]
            got = n["image"].get("backing-image", {}).get("filename")
            expect(got == below["file"], "node %s: backing image %s, declared backing node "
                   "%s has %s", name, got, o["backing"], below["file"])
        checked += 1

    # Devices: what the -device arguments declared.
    for opt, o in objs:
        if opt != "-device" or "id" not in o:
            # a controller libvirt adds for the disks (isa-fdc), not a disk
            continue
        did = o["id"]
        matches = [b for b in blocks if qdev_matches(b, did)]
        expect(len(matches) == 1, "device %s: %d query-block entries", did, len(matches))
        b = matches[0]
        if "drive" in o:
            expect("inserted" in b, "device %s: no medium, declared drive %s", did, o["drive"])
            expect(b["inserted"]["node-name"] == o["drive"], "device %s: node %s, declared %s",
                   did, b["inserted"]["node-name"], o["drive"])
            expect(b["inserted"]["ro"] == nodes[o["drive"]]["ro"],
                   "device %s: ro %s, its node has %s", did, b["inserted"]["ro"],
                   nodes[o["drive"]]["ro"])
            # usb-storage hands its backend to an internal scsi-disk without
            # its write-cache setting, so QEMU 7.2 reports the default there.
            if "write-cache" in o and o["driver"] != "usb-storage":
                expect(b["inserted"]["cache"]["writeback"] == (o["write-cache"] == "on"),
                       "device %s: writeback %s, declared write-cache %s", did,
                       b["inserted"]["cache"]["writeback"], o["write-cache"])
        else:
            expect("inserted" not in b, "device %s: has a medium, none declared", did)
        for prop, want in o.items():
            if prop in ("driver", "id", "bus", "addr", "drive"):
                continue
            ok, got = q.cmd("qom-get", {"path": "/machine/peripheral/" + did,
                                        "property": prop})
            expect(ok, "device %s: qom-get %s failed: %s", did, prop, got)
            if prop == "iothread":
                expect(str(got).endswith("/" + want), "device %s: iothread %s, declared %s",
                       did, got, want)
            else:
                expect(same_value(got, want), "device %s: %s is %r, declared %r", did, prop,
                       got, want)
            checked += 1
        checked += 1

    # The domain XML: what libvirt was asked for.
    for d in case.disks:
        if d.qdev not in devices_present:
            continue
        matches = [b for b in blocks if qdev_matches(b, d.qdev)]
        expect(len(matches) == 1, "%s: %d query-block entries", d.qdev, len(matches))
        b = matches[0]
        expect(b["removable"] == d.removable, "%s: removable %s, expected %s", d.qdev,
               b["removable"], d.removable)
        if d.removable and "tray_open" in b:
            expect(b["tray_open"] is False, "%s: tray open", d.qdev)
        if not d.chain:
            expect("inserted" not in b, "%s: has a medium, the XML has no source", d.qdev)
            continue
        expect("inserted" in b, "%s: no medium, the XML has source %s", d.qdev, d.chain[0][0])
        ins = b["inserted"]
        expect(ins["file"] == d.chain[0][0], "%s: file %s, expected %s", d.qdev, ins["file"],
               d.chain[0][0])
        expect(ins["ro"] == d.readonly, "%s: ro %s, expected %s", d.qdev, ins["ro"],
               d.readonly)
        expect(ins["backing_file_depth"] == len(d.chain) - 1,
               "%s: backing_file_depth %d, expected %d", d.qdev, ins["backing_file_depth"],
               len(d.chain) - 1)
        image = ins["image"]
        for i, (path, fmt) in enumerate(d.chain):
            expect(image is not None, "%s: image chain ends before %s", d.qdev, path)
            expect(image["filename"] == path and image["format"] == fmt,
                   "%s: chain element %d is %s (%s), expected %s (%s)", d.qdev, i,
                   image["filename"], image["format"], path, fmt)
            if i + 1 < len(d.chain):
                expect(image.get("backing-filename") == d.chain[i + 1][0],
                       "%s: %s has backing-filename %s, expected %s", d.qdev, path,
                       image.get("backing-filename"), d.chain[i + 1][0])
            image = image.get("backing-image")
        expect(image is None, "%s: chain longer than the XML's", d.qdev)
        flags = (ins["cache"]["writeback"], ins["cache"]["direct"], ins["cache"]["no-flush"])
        want = CACHE_FLAGS[d.cache]
        if d.qdev.startswith("usb-"):
            want = (True,) + want[1:]  # see write-cache above
        expect(flags == want, "%s: cache (writeback, direct, no-flush) %s, "
               "expected %s for cache=%s", d.qdev, flags, want, d.cache)
        expect(ins["detect_zeroes"] == (d.detect_zeroes or "off"),
               "%s: detect_zeroes %s, expected %s", d.qdev, ins["detect_zeroes"],
               d.detect_zeroes or "off")
        storage = nodes[ins["node-name"]]
        fmt_obj = declared[ins["node-name"]]
        if isinstance(fmt_obj.get("file"), str):
            storage = nodes[fmt_obj["file"]]
        expect(storage["drv"] == (d.drv or "file"), "%s: storage driver %s, expected %s",
               d.qdev, storage["drv"], d.drv or "file")
        for prop, want in d.props.items():
            ok, got = q.cmd("qom-get", {"path": "/machine/peripheral/" + d.qdev,
                                        "property": prop})
            expect(ok, "%s: qom-get %s failed: %s", d.qdev, prop, got)
            if prop == "iothread":
                expect(str(got).endswith("/" + want), "%s: iothread %s, expected %s",
                       d.qdev, got, want)
            else:
                expect(same_value(got, want), "%s: %s is %r, expected %r", d.qdev, prop,
                       got, want)
        checked += 1
    missing = [d.qdev for d in case.disks if d.qdev not in devices_present]
    return checked, missing


# ---------------------------------------------------------------- runs

def run_vdisk(vdisk, xml_path, qmp_mode):
    argv = [vdisk, "qemu-args"] + (["--qmp"] if qmp_mode else []) + [xml_path]
    r = subprocess.run(argv, capture_output=True, text=True)
    expect(r.returncode == 0, "`%s` exited %d: %s", " ".join(argv), r.returncode,
           r.stderr.strip())
    return [line for line in r.stdout.split("\n") if line != ""]


def run_argv(case, tmp, vdisk, xml_path):
    argv = run_vdisk(vdisk, xml_path, False)
    objs = parse_argv(argv)
    ids = [o["id"] for opt, o in objs if opt == "-device" and "id" in o]
    expect(case.xml_text is not None or sorted(ids) == sorted(d.qdev for d in case.disks),
           "device ids %s, the domain's disks are %s", ids, [d.qdev for d in case.disks])
    vm = qmp.Vm(QEMU, case.machine, case.controller_args() + argv, tmp,
                case.name.replace("/", "-") + "-argv")
    try:
        err = vm.start()
        if case.refusal:
            expect(err is not None and case.refusal in err,
                   "QEMU was expected to refuse with \"%s\" (as it refuses libvirt's "
                   "identical argv), got: %s", case.refusal, err or "started")
            return "QEMU refuses it as it refuses libvirt 9.0's identical argv: %s" \
                % case.refusal, None
        expect(err is None, "QEMU refused the translated argv: %s\n    argv: %s", err,
               " ".join(vm.argv))
        n, _ = check_vm(vm, objs, case, set(ids))
        return "%d nodes/devices/properties checked" % n, objs
    finally:
        vm.stop()


def run_qmp(case, tmp, vdisk, xml_path, argv_objs):
    lines = run_vdisk(vdisk, xml_path, True)
    cmds = []
    for line in lines:
        try:
            cmds.append(json.loads(line))
        except ValueError as e:
            raise Failed("QMP line is not JSON (%s): %s" % (e, line))
    expect(len(cmds) == len(argv_objs), "%d QMP commands for %d argv objects", len(cmds),
           len(argv_objs))
    for c, (opt, o) in zip(cmds, argv_objs):
        expect(c.get("execute") == QMP_OF[opt] and c.get("arguments") == o,
               "QMP command %s differs from its argv counterpart %s %s", json.dumps(c), opt,
               json.dumps(o))

    # controllers libvirt adds for the disks (a -device without id, isa-fdc)
    # exist from the machine's start: they cannot be hot-plugged
    cold = [(c, (opt, o)) for c, (opt, o) in zip(cmds, argv_objs)
            if opt == "-device" and "id" not in o]
    cold_args = []
    for _, (opt, o) in cold:
        cold_args += [opt, json.dumps(o, separators=(",", ":"))]
    vm = qmp.Vm(QEMU, case.machine, case.controller_args() + cold_args, tmp,
                case.name.replace("/", "-") + "-qmp")
    notes = []
    try:
        err = vm.start()
        expect(err is None, "QEMU with only the controllers did not start: %s", err)
        q = vm.qmp
        added, pending, owned = [], [], {}
        for c, (opt, o) in zip(cmds, argv_objs):
            if opt == "-device" and "id" not in o:
                continue
            ok, resp = q.send_raw(c)
            if opt == "-device" and o["driver"] in COLDPLUG_ONLY:
                # The bus takes devices only at machine creation; the same
                # -device was accepted in the argv run.
                expect(not ok and "does not support hotplugging" in resp.get("desc", ""),
                       "device_add %s on a cold-plug bus: %s", o["id"], resp)
                notes.append(o["id"])
                pending = []
                continue
            expect(ok and resp == {}, "%s refused: %s\n    command: %s", c["execute"],
                   resp.get("desc", resp) if not ok else resp, json.dumps(c))
            added.append((opt, o))
            if opt == "-blockdev":
                pending.append(o["node-name"])
            elif opt == "-device":
                owned[o["id"]] = (o, pending)
                pending = []
        n, _ = check_vm(vm, added, case, set(owned))

        # Unplug what the guest-less machine can release, newest first.
        unplugged = []
        for did in reversed(list(owned)):
            o, node_names = owned[did]
            pci_eject = o["driver"].startswith("virtio-") and case.machine == "pc"
            if not (pci_eject or o["driver"] in ("scsi-hd", "scsi-cd", "usb-storage")):
                continue
            q.must("device_del", {"id": did})
            if pci_eject:
                # No guest runs to answer the ACPI eject request: write the
                # slot's bit to PIIX4's PCI hotplug eject register as it would.
                slot = int(o["addr"], 16)
                q.must("human-monitor-command",
                       {"command-line": "o /w 0xae08 0x%x" % (1 << slot)})
            ev = q.wait_event("DEVICE_DELETED", {"device": did})
            expect(ev is not None, "device_del %s: no DEVICE_DELETED event", did)
            for name in reversed(node_names):
                ok, resp = q.cmd("blockdev-del", {"node-name": name})
                expect(ok, "blockdev-del %s after unplugging %s: %s", name, did,
                       resp.get("desc", resp) if not ok else resp)
            unplugged.append((did, node_names))
        if unplugged:
            nodes = {x["node-name"] for x in q.must("query-named-block-nodes", {"flat": True})}
            blocks = q.must("query-block")
            for did, node_names in unplugged:
                left = [x for x in node_names if x in nodes]
                expect(not left, "nodes %s still present after unplugging %s", left, did)
                expect(not any(qdev_matches(b, did) for b in blocks),
                       "%s still in query-block after device_del", did)
        msg = "%d commands accepted, %d facts checked, %d unplugged" % (
            len(added), n, len(unplugged))
        if notes:
            msg += "; cold-plug only, checked in the argv run: %s" % ", ".join(notes)
        return msg
    finally:
        vm.stop()


def harness_self_check(tmp, img):
    """The harness notices a refusal: a -blockdev with a wrong format must
    keep QEMU from starting, and a wrong expectation must fail the checks."""
    raw_path = img["raw"][0]
    bad = ["-blockdev", json.dumps({"driver": "file", "filename": raw_path,
                                    "node-name": "n1-storage"}),
           "-blockdev", json.dumps({"node-name": "n1-format", "driver": "qcow2",
                                    "file": "n1-storage"})]
    vm = qmp.Vm(QEMU, "pc", bad, tmp, "self-bad")
    try:
        err = vm.start()
        expect(err is not None, "QEMU accepted a raw image opened as qcow2")
    finally:
        vm.stop()
    good = [("-blockdev", {"driver": "file", "filename": raw_path, "node-name": "n1-storage"}),
            ("-blockdev", {"node-name": "n1-format", "driver": "raw", "file": "n1-storage",
                           "read-only": True})]
    argv = []
    for opt, o in good:
        argv += [opt, json.dumps(o)]
    vm = qmp.Vm(QEMU, "pc", argv, tmp, "self-good")
    try:
        err = vm.start()
        expect(err is None, "QEMU refused a plain raw node: %s", err)
        wrong = [good[0], ("-blockdev", dict(good[1][1], **{"read-only": False}))]
        try:
            check_vm(vm, wrong, Case("self", "pc", []), set())
        except Failed:
            return "a wrong format stops QEMU and a wrong read-only flag is reported"
        raise Failed("check_vm accepted a read-only node declared read-write")
    finally:
        vm.stop()


def corpus_cases(data_dir, tmp, vdisk, images):
    """Yields (name, case or None, reason) for the corpus domains."""
    left_out = []
    for path in corpus.corpus_files(data_dir):
        name = "corpus/" + os.path.basename(path)[:-len(".addressed.xml")]
        with open(path) as f:
            text = f.read()
        why = corpus.unusable_source(text)
        if why:
            left_out.append("%s (%s)" % (name, why))
            continue
        try:
            root = corpus.ET.fromstring(text)
            ctl = corpus.controller_args(root)
        except corpus.Unusable as e:
            yield name, None, str(e)
            continue
        try:
            objs = parse_argv(run_vdisk(vdisk, path, False))
        except Failed as e:
            yield name, Failed(str(e)), None
            continue
        try:
            mapping = images.materialize(objs)
        except corpus.Unusable as e:
            yield name, None, str(e)
            continue
        base = os.path.basename(path)[:-len(".addressed.xml")]
        yield name, Case(name, corpus.machine_kind(root), [],
                         xml_text=corpus.rewrite(text, mapping), ctl_args=ctl,
                         refusal=KNOWN_REFUSALS.get(base)), None
    if left_out:
        print("corpus: left out, their sources are not local files: %s" % ", ".join(left_out))


def main():
    import argparse
    ap = argparse.ArgumentParser(description="Runs vdisk's QEMU translation in real QEMU.")
    ap.add_argument("vdisk", help="the vdisk program")
    ap.add_argument("--corpus", help="also run the domains of this directory "
                    "(tests/data/qemu/*.addressed.xml)")
    ap.add_argument("cases", nargs="*", help="run only these cases")
    opts = ap.parse_intermixed_args()
    vdisk = opts.vdisk
    only = set(opts.cases)
    missing = [n for n, p in (("qemu-system-x86_64", QEMU), ("qemu-img", QEMU_IMG)) if not p]
    if missing:
        print("SKIP: %s not installed" % " and ".join(missing))
        return SKIP

    def on_signal(signum, frame):
        qmp.kill_all()
        sys.exit(1)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    atexit.register(qmp.kill_all)

    passed = failed = skipped = 0
    sweep_stale_runs()
    tmp = tempfile.mkdtemp(prefix=TMP_PREFIX)
    atexit.register(shutil.rmtree, tmp, True)
    with open(os.path.join(tmp, "owner.pid"), "w") as f:
        f.write("%d\n" % os.getpid())
    img = make_images(tmp)
    loopdev, loop_reason = setup_loop(img["block"][0])

    def report(name, fn):
        nonlocal passed, failed
        try:
            msg = fn()
            print("PASS: %s: %s" % (name, msg))
            passed += 1
            return True
        except (Failed, qmp.QmpError, OSError) as e:
            print("FAIL: %s: %s" % (name, e))
            failed += 1
            return False
        except Exception as e:  # a bug here must still fail the case
            print("FAIL: %s: %s: %s" % (name, type(e).__name__, e))
            failed += 1
            return False
        finally:
            sys.stdout.flush()

    def run_case(case):
        nonlocal failed
        xml_path = os.path.join(tmp, case.name.replace("/", "-") + ".xml")
        with open(xml_path, "w") as f:
            f.write(case.domain_xml())
        state = {}

        def argv_run():
            msg, state["objs"] = run_argv(case, tmp, vdisk, xml_path)
            return msg

        if report(case.name + " [argv]", argv_run):
            if not case.refusal:
                report(case.name + " [qmp]", lambda: run_qmp(case, tmp, vdisk, xml_path,
                                                             state["objs"]))
        else:
            print("FAIL: %s [qmp]: not run, the argv run failed" % case.name)
            failed += 1

    if not only or "harness" in only:
        report("harness", lambda: harness_self_check(tmp, img))

    for case in build_cases(img, loopdev):
        if only and case.name not in only:
            continue
        if case.needs_block:
            print("SKIP: %s: no block device to test with: %s" % (case.name, loop_reason))
            skipped += 1
            continue
        run_case(case)

    if opts.corpus:
        images = corpus.Images(os.path.join(tmp), QEMU_IMG, loopdev is not None)
        try:
            for name, case, reason in corpus_cases(opts.corpus, tmp, vdisk, images):
                if only and name not in only:
                    continue
                if reason:
                    print("SKIP: %s: %s" % (name, reason))
                    skipped += 1
                elif isinstance(case, Failed):
                    print("FAIL: %s [argv]: %s" % (name, case))
                    failed += 1
                else:
                    run_case(case)
                images.release()
        finally:
            images.release()

    qmp.kill_all()
    if skipped:
        print("%d skipped" % skipped)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
