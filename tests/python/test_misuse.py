"""Misuse raises TypeError, ValueError or vdisk.Error and never crashes."""

import gc
import os

import pytest

import vdisk

DOMAIN_XML = os.path.join(os.environ.get("VDISK_TEST_DATA", ""), "qemu",
                          "001-virtio-raw.addressed.xml")


def domain():
    with open(DOMAIN_XML) as f:
        return vdisk.Domain.from_xml(f.read())


def test_disk_constructor_takes_only_known_keywords():
    with pytest.raises(TypeError):
        vdisk.Disk("<disk/>")
    with pytest.raises(TypeError):
        vdisk.Disk(colour="red")
    with pytest.raises(TypeError):
        vdisk.Disk(path="/a.img")
    with pytest.raises(TypeError):
        vdisk.Disk(_iotune_get=1)


@pytest.mark.parametrize("field,value,exc", [
    ("cache", 1, TypeError), ("cache", "fast", ValueError), ("cache", b"none", TypeError),
    ("iothread", -1, ValueError), ("iothread", 2 ** 40, ValueError),
    ("iothread", "1", TypeError), ("iothread", 1.5, TypeError), ("iothread", True, TypeError),
    ("target", b"vda", TypeError), ("target", 5, TypeError), ("serial", "a\0b", ValueError),
    ("readonly", None, TypeError), ("readonly", "yes", TypeError),
    ("rawio", "yes", TypeError), ("address", (0, 0, 1, 0), TypeError),
    ("address", "pci", TypeError), ("geometry", "1,2,3", TypeError),
    ("blockio", 512, TypeError), ("iotune", 5, TypeError), ("iotune", {"x": 1}, ValueError),
    ("iotune", {"total_bytes_sec": -1}, ValueError), ("type", None, TypeError),
    ("source", 42, TypeError), ("path", "/a", AttributeError), ("mirror", None, AttributeError),
    ("domain", None, AttributeError),
])
def test_bad_property_values_raise(field, value, exc):
    d = vdisk.Disk(type="file", source="/a.img", target="vda")
    before = d.to_xml()
    with pytest.raises(exc):
        setattr(d, field, value)
    assert d.to_xml() == before


def test_wrong_argument_types_raise_type_error():
    d = vdisk.Disk(type="file", source="/a.img", target="vda", bus="virtio")
    with pytest.raises(TypeError):
        vdisk.Disk.from_xml(None)
    with pytest.raises(TypeError):
        vdisk.Disk.from_xml(b"<disk/>")
    with pytest.raises(ValueError):
        vdisk.Disk.from_xml("<disk\0/>")
    with pytest.raises(TypeError):
        d.validate("not a domain")
    with pytest.raises(TypeError):
        d.qemu_args(domain=d)
    with pytest.raises(TypeError):
        d.qemu_args(secrets=["a"])
    with pytest.raises(TypeError):
        d.qemu_args(secrets={"a": 1})
    with pytest.raises(TypeError):
        d.qemu_args(master_key="x" * 32)
    with pytest.raises(TypeError):
        d.qemu_args(machine=35)
    with pytest.raises(TypeError):
        vdisk.Domain()
    with pytest.raises(TypeError):
        vdisk.Source()
    with pytest.raises(TypeError):
        hash(d)
    dom = domain()
    with pytest.raises(TypeError):
        dom.add_disk("<disk/>")
    with pytest.raises(TypeError):
        dom.find_disk(None)
    with pytest.raises(TypeError):
        dom.remove_disk(3)
    with pytest.raises(IndexError):
        dom.disks[5]
    with pytest.raises(TypeError):
        dom.disks["vda"]
    with pytest.raises(ValueError):
        dom.remove_disk(vdisk.Disk(target="vda"))


def test_disks_of_a_domain_keep_it_alive():
    disk = domain().disks[0]
    gc.collect()
    assert disk.domain.name == "qemu-001-virtio-raw"
    assert disk.target == "vda"
    src = domain().disks[0].source
    gc.collect()
    assert src.path == "/var/lib/vdisk-test/a.img"


def test_borrowed_disk_changes_the_domain():
    dom = domain()
    dom.disks[0].cache = "unsafe"
    assert dom.find_disk("vda").cache is vdisk.Cache.UNSAFE
    assert "cache='unsafe'" in dom.to_xml()
    assert dom.disks[0] is dom.find_disk("vda")
    assert dom.find_disk("vdz") is None


def test_removed_disk_lives_on_as_a_standalone_copy():
    dom = domain()
    disk = dom.disks[0]
    src = disk.source
    dom.remove_disk(disk)
    assert disk.domain is None
    assert disk.target == "vda" and src.path == "/var/lib/vdisk-test/a.img"
    disk.cache = "none"
    assert len(dom.disks) == 0
    assert "<disk" not in dom.to_xml()
    again = dom.add_disk(disk)
    assert again.domain is dom and len(dom.disks) == 1
    with pytest.raises(ValueError):
        dom.remove_disk(disk)


def test_source_of_a_removed_backing_store_raises():
    d = vdisk.Disk(type="file", source="/a.qcow2", format="qcow2", target="vda")
    backing = d.source.new_backing("file", "raw", "/b.img")
    assert backing.path == "/b.img"
    d.source.backing_terminated = True
    with pytest.raises(ValueError):
        backing.path
    with pytest.raises(ValueError):
        backing.path = "/c.img"
    d.source.clear()
    assert d.source.present is False
    repr(backing)


def test_deleting_properties_unsets_them():
    d = vdisk.Disk(type="file", source="/a.img", target="vda", cache="none", serial="x")
    del d.cache
    del d.serial
    assert d.cache is None and d.serial is None


def test_hotplug_functions_refuse_other_objects():
    if not vdisk.HAVE_HOTPLUG:
        pytest.skip("built without hotplug")
    d = vdisk.Disk(type="file", source="/a.img", target="vdb", bus="virtio")
    for bad in (None, "vdtest", 42, d, object()):
        with pytest.raises(TypeError):
            vdisk.attach(bad, d)
        with pytest.raises(TypeError):
            vdisk.list_disks(bad)
        with pytest.raises(TypeError):
            vdisk.next_target(bad, "virtio")
        with pytest.raises(TypeError):
            vdisk.detach(bad, "vdb")
        with pytest.raises(TypeError):
            vdisk.change_media(bad, "hdc")
