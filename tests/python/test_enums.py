"""The Python enums carry exactly libvirt 9.0's XML strings."""

import enum

import pytest

import vdisk
from vdisk import _vdisk

# Copied from libvirt 9.0's VIR_ENUM_IMPL tables (src/conf/domain_conf.c,
# src/conf/storage_source_conf.c, src/conf/storage_encryption_conf.c), without
# the entry for the unset value where libvirt has one.
LIBVIRT = {
    "Type": ["file", "block", "dir", "network", "volume", "nvme", "vhostuser"],
    "Device": ["disk", "cdrom", "floppy", "lun"],
    "Bus": ["ide", "fdc", "scsi", "virtio", "xen", "usb", "uml", "sata", "sd"],
    "Cache": ["none", "writethrough", "writeback", "directsync", "unsafe"],
    "ErrorPolicy": ["stop", "report", "ignore", "enospace"],
    "IO": ["native", "threads", "io_uring"],
    "Discard": ["unmap", "ignore"],
    "DetectZeroes": ["off", "on", "unmap"],
    "Snapshot": ["no", "internal", "external", "manual"],
    "SGIO": ["filtered", "unfiltered"],
    "Model": ["virtio", "virtio-transitional", "virtio-non-transitional"],
    "Tray": ["closed", "open"],
    "Trans": ["none", "auto", "lba"],
    "StartupPolicy": ["mandatory", "requisite", "optional"],
    "Format": ["raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd",
               "ploop", "cow", "qcow", "qcow2", "qed", "vmdk"],
    "Protocol": ["nbd", "rbd", "sheepdog", "gluster", "iscsi", "http", "https", "ftp", "ftps",
                 "tftp", "ssh", "vxhs", "nfs"],
    "Transport": ["tcp", "unix", "rdma"],
    "PoolMode": ["host", "direct"],
    "AuthType": ["chap", "ceph"],
    "EncryptionFormat": ["qcow", "luks", "luks2"],
    "EncryptionEngine": ["qemu", "librbd"],
    "AddressType": ["pci", "drive", "usb", "ccw", "virtio-mmio"],
    "IOTuneField": [
        "total_bytes_sec", "read_bytes_sec", "write_bytes_sec", "total_iops_sec",
        "read_iops_sec", "write_iops_sec", "total_bytes_sec_max", "read_bytes_sec_max",
        "write_bytes_sec_max", "total_iops_sec_max", "read_iops_sec_max",
        "write_iops_sec_max", "size_iops_sec", "total_bytes_sec_max_length",
        "read_bytes_sec_max_length", "write_bytes_sec_max_length",
        "total_iops_sec_max_length", "read_iops_sec_max_length",
        "write_iops_sec_max_length"],
    "ControllerType": ["ide", "fdc", "scsi", "sata", "virtio-serial", "ccid", "usb", "pci",
                       "xenbus", "isa"],
}

ENUM_NAMES = sorted(LIBVIRT)


@pytest.mark.parametrize("name", ENUM_NAMES)
def test_enum_values_are_libvirts_strings_in_libvirts_order(name):
    cls = getattr(vdisk, name)
    assert issubclass(cls, enum.Enum)
    assert [m.value for m in cls] == LIBVIRT[name]


@pytest.mark.parametrize("name", [n for n in ENUM_NAMES if n != "ControllerType"])
def test_enum_values_match_vdisk_enum_to_string(name):
    which = vdisk._ENUM_ORDER.index(name)
    cls = getattr(vdisk, name)
    c_strings = []
    for value in range(0, 64):
        s = _vdisk._enum_to_string(which, value)
        if s is not None:
            c_strings.append(s)
            assert _vdisk._enum_from_string(which, s) == value
    assert [m.value for m in cls] == c_strings
    for m in cls:
        assert vdisk.enum_to_string(m) == m.value


def test_enum_member_names_follow_the_strings():
    assert vdisk.Cache.NONE.value == "none"
    assert vdisk.IO.IO_URING.value == "io_uring"
    assert vdisk.Model.VIRTIO_NON_TRANSITIONAL.value == "virtio-non-transitional"
    assert vdisk.Format.QCOW2.value == "qcow2"
    assert str(vdisk.Bus.VIRTIO) == "virtio"


def test_error_codes_are_the_c_codes():
    assert [c.name for c in vdisk.ErrorCode] == [
        "OK", "INTERNAL", "NO_MEMORY", "INVALID_ARGUMENT", "XML", "INVALID", "UNSUPPORTED",
        "NOT_FOUND", "EXISTS", "LIBVIRT", "PENDING", "SYSTEM", "TRANSIENT",
        "CANCELLED"]
    assert [int(c) for c in vdisk.ErrorCode] == list(range(14))


def test_enum_to_string_refuses_foreign_enums():
    class Other(enum.Enum):
        A = "a"
    with pytest.raises(TypeError):
        vdisk.enum_to_string(Other.A)


def test_properties_return_members_and_setters_take_members_or_strings():
    d = vdisk.Disk(cache="writeback")
    assert d.cache is vdisk.Cache.WRITEBACK
    d.cache = vdisk.Cache.UNSAFE
    assert d.cache is vdisk.Cache.UNSAFE
    d.cache = None
    assert d.cache is None
    with pytest.raises(ValueError, match="fast"):
        d.cache = "fast"
    with pytest.raises(TypeError):
        d.cache = vdisk.Bus.VIRTIO
    with pytest.raises(TypeError):
        d.cache = 1
