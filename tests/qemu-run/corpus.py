# corpus.py: turns the domains of tests/data/qemu (*.addressed.xml) into
# runnable qemu-run cases: real images in place of the paths the domains
# name, and the controllers the domains declare as QEMU arguments.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import subprocess
import xml.etree.ElementTree as ET


class Unusable(Exception):
    """The domain needs something this test does not provide."""


def machine_kind(root):
    t = root.find("./os/type")
    machine = t.get("machine", "pc") if t is not None else "pc"
    return "q35" if "q35" in machine else "pc"


def _pci_addr(el, kind):
    a = el.find("address")
    if a is None or a.get("type") != "pci":
        raise Unusable("controller without a PCI address")
    bus = int(a.get("bus"), 16)
    if bus == 0:
        busname = "pcie.0" if kind == "q35" else "pci.0"
    else:
        busname = "pci.%d" % bus
    s = "bus=%s,addr=0x%x.0x%x" % (busname, int(a.get("slot"), 16), int(a.get("function"), 16))
    if a.get("multifunction") == "on":
        s += ",multifunction=on"
    return s


def controller_args(root):
    """The -object/-device arguments of the domain's controllers and iothreads,
    with the ids libvirt gives them."""
    kind = machine_kind(root)
    args = []
    n = root.findtext("iothreads")
    ids = [e.get("id") for e in root.findall("./iothreadids/iothread")]
    if not ids and n:
        ids = [str(i) for i in range(1, int(n) + 1)]
    for i in ids:
        args += ["-object", json.dumps({"qom-type": "iothread", "id": "iothread" + i})]
    # PCI controllers first: the others may sit on the buses they create.
    ctls = sorted(root.findall("./devices/controller"),
                  key=lambda c: (c.get("type") != "pci", int(c.get("index", "0"))))
    for c in ctls:
        ctype, idx, model = c.get("type"), int(c.get("index", "0")), c.get("model")
        if ctype == "usb":
            if model == "none":
                continue
            drv = {"piix3-uhci": "piix3-usb-uhci", "qemu-xhci": "qemu-xhci",
                   "nec-xhci": "nec-usb-xhci"}.get(model)
            if not drv or idx != 0:
                raise Unusable("usb controller model %s index %d" % (model, idx))
            args += ["-device", "%s,id=usb,%s" % (drv, _pci_addr(c, kind))]
        elif ctype == "scsi":
            drv = {"virtio-scsi": "virtio-scsi-pci", "lsilogic": "lsi"}.get(model)
            if not drv:
                raise Unusable("scsi controller model %s" % model)
            extra = ""
            d = c.find("driver")
            if d is not None and d.get("iothread"):
                extra += ",iothread=iothread" + d.get("iothread")
            if d is not None and d.get("queues"):
                extra += ",num_queues=" + d.get("queues")
            args += ["-device", "%s,id=scsi%d%s,%s" % (drv, idx, extra, _pci_addr(c, kind))]
        elif ctype == "pci":
            if model in ("pci-root", "pcie-root"):
                continue
            if model == "pcie-root-port":
                t = c.find("target")
                args += ["-device", "pcie-root-port,port=%s,chassis=%s,id=pci.%d,%s"
                         % (t.get("port"), t.get("chassis"), idx, _pci_addr(c, kind))]
            elif model == "pcie-to-pci-bridge":
                args += ["-device", "pcie-pci-bridge,id=pci.%d,%s" % (idx, _pci_addr(c, kind))]
            elif model == "pci-bridge":
                t = c.find("target")
                args += ["-device", "pci-bridge,chassis_nr=%s,id=pci.%d,%s"
                         % (t.get("chassisNr"), idx, _pci_addr(c, kind))]
            else:
                raise Unusable("pci controller model %s" % model)
        elif ctype == "sata":
            if idx == 0 and kind == "q35":
                continue  # the machine's own AHCI (bus ide.N)
            args += ["-device", "ich9-ahci,id=sata%d,%s" % (idx, _pci_addr(c, kind))]
        elif ctype == "ide":
            if kind != "pc" or idx != 0:
                raise Unusable("ide controller %d on %s" % (idx, kind))
        elif ctype == "fdc":
            if kind != "pc":
                args += ["-device", "isa-fdc"]  # pc has its own; q35 gets one on ISA
        else:
            continue  # virtio-serial, ccid, ...: no disk refers to them
    return args


def unusable_source(xml_text):
    for marker, what in (("type='network'", "network source"), ("<encryption", "encryption"),
                         ("<auth", "authentication"), ("type='volume'", "storage pool volume"),
                         ("type='nvme'", "NVMe source"), ("type='vhostuser'", "vhost-user"),
                         ("arch='s390x'", "s390x domain, this run starts x86_64 QEMU"),
                         # its properties are the writer's, whether QEMU has them or not
                         ("qemu:override>", "<qemu:override> device properties")):
        if marker in xml_text:
            return what
    return None


class Images:
    """Creates images and loop devices for the storage nodes of a translation."""

    def __init__(self, tmp, qemu_img, losetup_ok):
        self.tmp = tmp
        self.qemu_img = qemu_img
        self.losetup_ok = losetup_ok
        self.loops = []
        self.count = 0

    def release(self):
        for dev in self.loops:
            subprocess.run(["losetup", "-d", dev], capture_output=True)
        self.loops = []

    def _new_path(self, suffix):
        self.count += 1
        return os.path.join(self.tmp, "c%03d.%s" % (self.count, suffix))

    def materialize(self, objs):
        """Maps every path the -blockdev objects name to a new real one."""
        nodes = {o["node-name"]: o for opt, o in objs if opt == "-blockdev"}
        for opt, o in objs:
            if opt == "-device" and o.get("driver") in ("scsi-block", "scsi-generic"):
                raise Unusable("%s needs a host SCSI device that answers SG_IO; a loop "
                               "device does not" % o["driver"])
        fmt_of = {}     # storage node -> the format node on it
        for o in nodes.values():
            if isinstance(o.get("file"), str):
                fmt_of[o["file"]] = o
            elif isinstance(o.get("file"), dict):
                raise Unusable("inline file node")
        floppy = {o.get("drive") for opt, o in objs
                  if opt == "-device" and o.get("driver") == "floppy"}
        mapping = {}
        done = set()

        def make(storage):
            if storage in done:
                return
            done.add(storage)
            s = nodes[storage]
            f = fmt_of.get(storage)
            slice_node = None
            if f and f["driver"] == "raw" and "offset" in f and f["node-name"] in fmt_of:
                # a slice node between the storage and the real format
                slice_node, f = f, fmt_of[f["node-name"]]
            fmt = f["driver"] if f else "raw"
            backing = f.get("backing") if f else None
            bpath = bfmt = None
            if backing:
                b = nodes[backing]
                make(b["file"])
                bpath = mapping[nodes[b["file"]].get("filename") or nodes[b["file"]]["dir"]]
                bfmt = b["driver"]
            if s["driver"] == "vvfat":
                d = self._new_path("dir")
                os.mkdir(d)
                with open(os.path.join(d, "README"), "w") as fp:
                    fp.write("vvfat test directory\n")
                mapping[s["dir"]] = d
                return
            if s["driver"] not in ("file", "host_device"):
                raise Unusable("storage driver %s" % s["driver"])
            if fmt not in ("raw", "qcow2", "qed", "vmdk"):
                raise Unusable("format %s" % fmt)
            if f and "offset" in f and fmt != "raw":
                raise Unusable("%s image with an inline slice" % fmt)
            size = 64 << 20
            if f and f["node-name"] in floppy:
                size = 1440 << 10
            if f and "offset" in f:
                size = max(size, f["offset"] + f.get("size", 0))
            path = self._new_path(fmt)
            argv = [self.qemu_img, "create", "-q", "-f", fmt]
            if bpath:
                argv += ["-b", bpath, "-F", bfmt]
            argv += [path, str(size)]
            r = subprocess.run(argv, capture_output=True, text=True)
            if r.returncode != 0:
                raise Unusable("qemu-img create failed: %s" % r.stderr.strip())
            if slice_node:
                # The image sits at the slice's offset inside a larger file.
                with open(path, "rb") as fp:
                    data = fp.read()
                path = self._new_path("sliced")
                with open(path, "wb") as fp:
                    fp.truncate(slice_node["offset"] + slice_node.get("size", len(data)))
                    fp.seek(slice_node["offset"])
                    fp.write(data)
            if s["driver"] == "host_device":
                if not self.losetup_ok:
                    raise Unusable("block device needed, loop devices unavailable")
                r = subprocess.run(["losetup", "-f", "--show", path], capture_output=True,
                                   text=True)
                if r.returncode != 0:
                    raise Unusable("losetup failed: %s" % r.stderr.strip())
                path = r.stdout.strip()
                self.loops.append(path)
            mapping[s["filename"]] = path

        for name, o in nodes.items():
            if o["driver"] in ("file", "host_device", "vvfat"):
                make(name)
        return mapping


def rewrite(xml_text, mapping):
    for old in sorted(mapping, key=len, reverse=True):
        xml_text = xml_text.replace("'%s'" % old, "'%s'" % mapping[old])
    return xml_text


def corpus_files(data_dir):
    return sorted(os.path.join(data_dir, f) for f in os.listdir(data_dir)
                  if f.endswith(".addressed.xml"))

