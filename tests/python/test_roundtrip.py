"""Every model field survives set -> to_xml() -> from_xml() -> get, and
reading a field back right after setting it gives the value set."""

import pytest

import vdisk
from vdisk import (Auth, BlockIO, CCWAddress, DriveAddress, Encryption, Geometry, Host,
                   PCIAddress, Reservations, Slice, USBAddress)


def reparse(disk):
    """The disk's XML parsed again, as written (no defaults, no define-time
    checks: values are still checked by the parser), as live XML, which
    keeps the status-only parts (source index, <mirror>)."""
    return vdisk.Disk.from_xml(disk.to_xml(), defaults=False, validate=False, live=True)


def file_disk(**kw):
    base = dict(type="file", source="/var/lib/images/a.img", target="vda", bus="virtio")
    base.update(kw)
    return vdisk.Disk(**base)


# (property, value set, value read back or None for "the same", base disk keywords)
DISK_FIELDS = [
    ("device", vdisk.Device.CDROM, None, {}),
    ("device", "lun", vdisk.Device.LUN, {"type": "block", "source": "/dev/sdb",
                                         "bus": "scsi", "target": "sda"}),
    ("model", vdisk.Model.VIRTIO_TRANSITIONAL, None, {}),
    ("snapshot", vdisk.Snapshot.EXTERNAL, None, {}),
    ("rawio", True, None, {"type": "block", "device": "lun", "source": "/dev/sdb",
                           "bus": "scsi", "target": "sda"}),
    ("rawio", False, None, {"type": "block", "device": "lun", "source": "/dev/sdb",
                            "bus": "scsi", "target": "sda"}),
    ("sgio", vdisk.SGIO.UNFILTERED, None, {"type": "block", "device": "lun",
                                           "source": "/dev/sdb", "bus": "scsi",
                                           "target": "sda"}),
    ("driver_name", "qemu", None, {}),
    ("cache", "directsync", vdisk.Cache.DIRECTSYNC, {}),
    ("error_policy", vdisk.ErrorPolicy.ENOSPACE, None, {}),
    ("rerror_policy", vdisk.ErrorPolicy.REPORT, None, {}),
    ("io", vdisk.IO.IO_URING, None, {}),
    ("ioeventfd", False, None, {}),
    ("event_idx", True, None, {}),
    ("copy_on_read", True, None, {}),
    ("discard", vdisk.Discard.UNMAP, None, {}),
    ("detect_zeroes", vdisk.DetectZeroes.UNMAP, None, {}),
    ("iothread", 2, None, {}),
    ("queues", 4, None, {}),
    ("queue_size", 256, None, {}),
    ("metadata_cache_max_size", 1048576, None, {"format": "qcow2"}),
    ("target", "vdq", None, {}),
    ("bus", vdisk.Bus.SATA, None, {"target": "sdb"}),
    ("tray", vdisk.Tray.OPEN, None, {"device": "cdrom", "bus": "ide", "target": "hdc"}),
    ("removable", True, None, {"bus": "usb", "target": "sdc"}),
    ("rotation_rate", 7200, None, {"bus": "sata", "target": "sdb"}),
    ("readonly", True, None, {}),
    ("shareable", True, None, {}),
    ("transient", True, None, {}),
    ("transient_share_backing", True, None, {"transient": True}),
    ("serial", "WD-1234", None, {}),
    ("wwn", "0x5000c50015ea71ac", None, {"bus": "scsi", "target": "sda"}),
    ("vendor", "ACME", None, {"bus": "scsi", "target": "sda"}),
    ("product", "Disk 9", None, {"bus": "scsi", "target": "sda"}),
    ("boot_order", 3, None, {}),
    ("alias", "ua-disk0", None, {}),
    ("backend_domain", "dom0", None, {}),
    ("address", PCIAddress(0, 0, 7, 0), None, {}),
    ("address", DriveAddress(0, 0, 0, 1), None, {"bus": "scsi", "target": "sda"}),
    ("address", USBAddress(0, "1.2"), None, {"bus": "usb", "target": "sda"}),
    ("address", CCWAddress(0xfe, 1, 0x1a), None, {}),
    ("geometry", Geometry(16383, 16, 63, vdisk.Trans.LBA), None, {"bus": "ide",
                                                                  "target": "hda"}),
    ("geometry", Geometry(100, 2, 10, None), None, {"bus": "ide", "target": "hda"}),
    ("blockio", BlockIO(512, 4096), None, {}),
    ("iotune_group", "group1", None, {"iotune": {"total_bytes_sec": 1000}}),
    ("type", vdisk.Type.BLOCK, None, {}),
    ("format", vdisk.Format.QCOW2, None, {}),
]


@pytest.mark.parametrize("field,value,expect,base", DISK_FIELDS,
                         ids=["%s=%s" % (f[0], f[1]) for f in DISK_FIELDS])
def test_disk_field_round_trips(field, value, expect, base):
    expect = value if expect is None else expect
    disk = file_disk(**base)
    setattr(disk, field, value)
    assert getattr(disk, field) == expect
    again = reparse(disk)
    assert getattr(again, field) == expect
    assert again == disk
    # and it comes out the same way again
    assert again.to_xml() == disk.to_xml()


@pytest.mark.parametrize("field,value", [
    ("cache", vdisk.Cache.NONE), ("iothread", 1), ("serial", "x"), ("rawio", True),
    ("address", PCIAddress(0, 0, 9, 0)), ("geometry", Geometry(1, 1, 1, None)),
    ("blockio", BlockIO(512, 512)), ("readonly", True), ("ioeventfd", True),
])
def test_setting_none_removes_a_field(field, value):
    disk = file_disk()
    before = disk.to_xml()
    setattr(disk, field, value)
    assert disk.to_xml() != before
    setattr(disk, field, False if field == "readonly" else None)
    assert disk.to_xml() == before


@pytest.mark.parametrize("field", [f.value for f in vdisk.IOTuneField])
def test_every_iotune_field_round_trips(field):
    disk = file_disk()
    disk.iotune[field] = 123456
    assert disk.iotune[field] == 123456
    assert dict(reparse(disk).iotune) == {field: 123456}
    del disk.iotune[field]
    assert len(disk.iotune) == 0


def test_iotune_mapping_assignment_replaces_all_fields():
    disk = file_disk(iotune={"total_bytes_sec": 10, "read_iops_sec": 20})
    assert dict(disk.iotune) == {"total_bytes_sec": 10, "read_iops_sec": 20}
    disk.iotune = {vdisk.IOTuneField.WRITE_BYTES_SEC: 5}
    assert dict(disk.iotune) == {"write_bytes_sec": 5}
    disk.iotune = None
    assert dict(disk.iotune) == {}
    with pytest.raises(KeyError):
        disk.iotune["total_bytes_sec"]
    with pytest.raises(KeyError):
        disk.iotune["no_such_field"]


def network_disk(protocol="nbd", **kw):
    d = vdisk.Disk(type="network", target="vdb", bus="virtio")
    d.source.protocol = protocol
    for k, v in kw.items():
        setattr(d.source, k, v)
    return d


SOURCE_FIELDS = [
    ("path", "/var/lib/images/b.img", "file", {}),
    ("format", vdisk.Format.RAW, "file", {}),
    ("startup_policy", vdisk.StartupPolicy.OPTIONAL, "file", {}),
    ("index", 3, "file", {}),
    ("protocol", vdisk.Protocol.ISCSI, "network", {"name": "iqn.2013-07.com.example:iscsi/1"}),
    ("name", "export1", "network", {"protocol": "nbd"}),
    ("query", "a=b", "network", {"protocol": "http", "name": "/img.iso"}),
    ("hosts", [Host("example.org", 10809, None, None)], "network",
     {"protocol": "nbd", "name": "e"}),
    ("hosts", [Host(None, None, vdisk.Transport.UNIX, "/run/nbd.sock")], "network",
     {"protocol": "nbd"}),
    ("hosts", [Host("mon1", 6789, None, None), Host("mon2", 6790, None, None)], "network",
     {"protocol": "rbd", "name": "pool/image"}),
    ("tls", True, "network", {"protocol": "nbd", "name": "e"}),
    ("ssl_verify", False, "network", {"protocol": "https", "name": "/a.iso"}),
    ("cookies", {"session": "abc", "user": "me"}, "network",
     {"protocol": "https", "name": "/a.iso"}),
    ("readahead", 65536, "network", {"protocol": "http", "name": "/a.iso"}),
    ("timeout", 30, "network", {"protocol": "http", "name": "/a.iso"}),
    ("initiator", "iqn.2013-07.com.example:client", "network",
     {"protocol": "iscsi", "name": "iqn.2013-07.com.example:iscsi/1"}),
    ("snapshot_name", "snap1", "network", {"protocol": "rbd", "name": "pool/image"}),
    ("config_file", "/etc/ceph/ceph.conf", "network", {"protocol": "rbd", "name": "pool/i"}),
    ("auth", Auth("admin", "ceph", "b5c6ad5e-3bd6-4e97-a63a-5a20b3a2f3b1", None), "network",
     {"protocol": "rbd", "name": "pool/image"}),
    ("auth", Auth("user", "iscsi", None, "libvirtiscsi"), "network",
     {"protocol": "iscsi", "name": "iqn.2013-07.com.example:iscsi/1"}),
    ("encryption", Encryption(vdisk.EncryptionFormat.LUKS, None,
                              "0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f", None), "file", {}),
    ("reservations", Reservations(True, None), "block", {}),
    ("reservations", Reservations(False, "/run/pr.sock"), "block", {}),
    ("slice", Slice(512, 1048576), "file", {}),
    ("vhostuser_path", "/tmp/vhost-user-blk.sock", "vhostuser", {}),
]


@pytest.mark.parametrize("field,value,type_,extra", SOURCE_FIELDS,
                         ids=["%s-%d" % (f[0], i) for i, f in enumerate(SOURCE_FIELDS)])
def test_source_field_round_trips(field, value, type_, extra):
    if type_ == "network":
        disk = network_disk(**extra)
    else:
        disk = vdisk.Disk(type=type_, target="vdb", bus="virtio")
        if type_ == "block":
            disk.source.path = "/dev/sdb"
            disk.device = "lun"
            disk.bus = "scsi"
            disk.target = "sda"
        elif type_ == "file":
            disk.source = "/var/lib/images/a.img"
        for k, v in extra.items():
            setattr(disk.source, k, v)
    setattr(disk.source, field, value)
    assert getattr(disk.source, field) == value
    again = reparse(disk)
    assert getattr(again.source, field) == value
    assert again == disk


def test_volume_source_round_trips():
    disk = vdisk.Disk(type="volume", target="vdb")
    disk.source.set_volume("default", "vol1.qcow2", vdisk.PoolMode.HOST)
    again = reparse(disk)
    assert (again.source.pool, again.source.volume, again.source.pool_mode) == \
        ("default", "vol1.qcow2", vdisk.PoolMode.HOST)


def test_nvme_source_round_trips():
    disk = vdisk.Disk(type="nvme", target="vdb")
    disk.source.nvme = vdisk.NVMe(1, True, PCIAddress(0, 1, 0, 0))
    again = reparse(disk)
    assert again.source.nvme == vdisk.NVMe(1, True, PCIAddress(0, 1, 0, 0))


def test_backing_chain_round_trips():
    disk = file_disk(format="qcow2")
    mid = disk.source.new_backing("file", "qcow2", "/var/lib/images/mid.qcow2")
    base = mid.new_backing(vdisk.Type.BLOCK, vdisk.Format.RAW, "/dev/vg/base")
    base.backing_terminated = True
    again = reparse(disk)
    chain = []
    src = again.source
    while src is not None:
        chain.append((src.type, src.format, src.path))
        last = src
        src = src.backing
    assert chain == [
        (vdisk.Type.FILE, vdisk.Format.QCOW2, "/var/lib/images/a.img"),
        (vdisk.Type.FILE, vdisk.Format.QCOW2, "/var/lib/images/mid.qcow2"),
        (vdisk.Type.BLOCK, vdisk.Format.RAW, "/dev/vg/base"),
    ]
    assert last.backing_terminated is True
    assert again.source.backing_terminated is False


def test_mirror_is_read_only():
    xml = """<disk type='file' device='disk'>
  <driver name='qemu' type='raw'/>
  <source file='/a.img'/>
  <mirror type='file' job='copy'>
    <format type='raw'/>
    <source file='/b.img'/>
  </mirror>
  <target dev='vda' bus='virtio'/>
</disk>"""
    disk = vdisk.Disk.from_xml(xml, live=True)
    assert disk.mirror.path == "/b.img"
    # a definition has no mirror: libvirt drops it when it defines a domain
    assert vdisk.Disk.from_xml(xml).mirror is None
    with pytest.raises(AttributeError):
        disk.mirror.path = "/c.img"
    assert vdisk.Disk.from_xml(xml.replace("<mirror", "<!-- ").replace("</mirror>", "-->")
                               .replace("<format type='raw'/>", "")
                               .replace("<source file='/b.img'/>", "")).mirror is None


def test_keyword_construction_equals_parsed_xml():
    d = vdisk.Disk(type="file", device="disk", source="/var/lib/images/a.qcow2",
                   target="vda", bus="virtio", format="qcow2", cache="none", readonly=True)
    xml = """<disk type='file' device='disk'>
  <driver type='qcow2' cache='none'/>
  <source file='/var/lib/images/a.qcow2'/>
  <target dev='vda' bus='virtio'/>
  <readonly/>
</disk>"""
    assert d == vdisk.Disk.from_xml(xml, defaults=False)
    assert d != vdisk.Disk.from_xml(xml.replace("none", "unsafe"), defaults=False)


def test_copy_is_deep_and_standalone():
    d = file_disk(cache="none")
    c = d.copy()
    assert c == d and c is not d
    c.cache = "unsafe"
    assert d.cache is vdisk.Cache.NONE
    import copy
    assert copy.deepcopy(d) == d


def test_source_accepts_path_like():
    import pathlib
    d = vdisk.Disk(type="file", source=pathlib.Path("/var/lib/images/p.img"))
    assert d.path == "/var/lib/images/p.img"
    d.source = None
    assert d.source.present is False
