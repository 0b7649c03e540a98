"""Objects are freed when dropped: creating and dropping many keeps RSS flat."""

import gc
import os

import vdisk

XML = """<disk type='file' device='disk'>
  <driver name='qemu' type='qcow2' cache='none'/>
  <source file='/var/lib/images/a.qcow2'/>
  <target dev='vda' bus='virtio'/>
</disk>"""


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def grows(fn, n, rounds=3):
    """RSS growth (KiB) from the end of the first round to the end of the last."""
    fn(n)
    gc.collect()
    start = rss_kib()
    for _ in range(rounds - 1):
        fn(n)
    gc.collect()
    return rss_kib() - start


def test_creating_and_dropping_100k_disks_keeps_rss_flat():
    def loop(n):
        for i in range(n):
            d = vdisk.Disk(type="file", source="/var/lib/images/x.img", target="vdb",
                           cache="none", iothread=1)
            d.serial = "s%d" % i
            d.source.new_backing("file", "raw", "/b.img")
            del d
    assert grows(loop, 100000) < 4096


def test_parse_format_copy_loop_keeps_rss_flat():
    def loop(n):
        for _ in range(n):
            d = vdisk.Disk.from_xml(XML)
            c = d.copy()
            assert c == d
            c.to_xml()
            c.qemu_args()
    assert grows(loop, 20000) < 4096


def test_domain_disk_views_are_freed():
    path = os.path.join(os.environ.get("VDISK_TEST_DATA", ""), "qemu",
                        "001-virtio-raw.addressed.xml")
    with open(path) as f:
        xml = f.read()

    def loop(n):
        for _ in range(n):
            dom = vdisk.Domain.from_xml(xml)
            disk = dom.disks[0]
            src = disk.source
            del dom
            assert src.path
            new = dom2 = vdisk.Domain.from_xml(xml)
            added = new.add_disk(vdisk.Disk(source="/x.img", target="vdc"))
            dom2.remove_disk("vdc")
            assert added.domain is None
    assert grows(loop, 10000) < 4096
