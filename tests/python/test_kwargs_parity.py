"""Disk(**kwargs) accepts and refuses what Disk.from_xml() does, field by field.

For every scalar property of the schema table (vdisk._schema.DISK_FIELDS)
and a set of values per kind (every enum member, numbers at and past their
limits, on/off, invalid spellings), the same disk is built twice: from
keywords, and from the XML with that value where libvirt keeps it.  Both
must succeed, or both fail with the same vdisk.Error subclass.
"""

import xml.etree.ElementTree as ET

import pytest

import vdisk
from vdisk import _schema

BASE_KW = dict(type="file", device="disk", driver_name="qemu", format="raw",
               source="/var/lib/vdisk-test/x.img", target="vda", bus="virtio")


def base_tree():
    disk = ET.Element("disk", type="file", device="disk")
    ET.SubElement(disk, "driver", name="qemu", type="raw")
    ET.SubElement(disk, "source", file="/var/lib/vdisk-test/x.img")
    ET.SubElement(disk, "target", dev="vda", bus="virtio")
    return disk


def child(parent, name):
    found = parent.find(name)
    return found if found is not None else ET.SubElement(parent, name)


def place(disk, field, text):
    """The XML of the base disk with @field written as @text (None: absent)."""
    element, parents, item, kind, _, _ = _schema.DISK_FIELDS[field]
    if element == "disk":
        holder = disk
    elif element == "metadata_cache":
        holder = child(child(disk, "driver"), "metadata_cache")
    else:
        holder = child(disk, element)
    if kind == "flag":
        if text:
            ET.SubElement(holder, item)
    elif kind == "text" or element == "metadata_cache":
        node = ET.SubElement(holder, item)
        node.text = text
        if element == "metadata_cache":
            node.set("unit", "bytes")
    else:
        holder.set(item, text)
    return ET.tostring(disk, encoding="unicode")


def cases(field):
    """(python value, XML text) pairs for @field."""
    _, _, _, kind, enum_name, _ = _schema.DISK_FIELDS[field]
    if kind == "enum":
        members = [(m, m.value) for m in getattr(vdisk, enum_name)]
        return members + [("bogus", "bogus")]
    if kind == "onoff":
        return [(True, "on"), (False, "off"), (2, "maybe")]
    if kind == "yesno":
        return [(True, "yes"), (False, "no"), (2, "maybe")]
    if kind in ("uint", "ull"):
        big = 2 ** 32 if kind == "uint" else 2 ** 64
        return [(1, "1"), (7, "7"), (-1, "-1"), (big, str(big))]
    if kind == "flag":
        return [(True, True), (2, None)]
    if field == "wwn":
        return [("0x5000c50015ea71ad", "0x5000c50015ea71ad"), ("xyz", "xyz")]
    if field == "serial":
        return [("abc", "abc"), ("a,b", "a,b"), ("x" * 30, "x" * 30)]
    if field in ("vendor", "product"):
        return [("ACME", "ACME"), ("x" * 40, "x" * 40)]
    if field == "alias":
        return [("ua-disk1", "ua-disk1"), ("bad alias!", "bad alias!")]
    return [("value", "value")]


def outcome(call):
    try:
        call()
    except vdisk.Error as e:
        return type(e).__name__
    except (TypeError, ValueError) as e:
        # a value of the wrong Python type; only allowed where XML has none
        return "python:" + type(e).__name__
    return "ok"


FIELDS = [f for f, spec in _schema.DISK_FIELDS.items()
          if not spec[5] and f not in ("target", "driver_name")]


@pytest.mark.parametrize("field", FIELDS)
def test_keywords_validate_as_from_xml(field):
    for value, text in cases(field):
        kw = dict(BASE_KW)
        kw[field] = value
        xml = place(base_tree(), field, text) if text is not None else None
        got_kw = outcome(lambda: vdisk.Disk(**kw))
        if xml is None:
            # no XML spelling (a flag given as 2): the keyword must be refused
            assert got_kw != "ok", (field, value)
            assert got_kw.endswith("Error") and not got_kw.startswith("python:"), (field, got_kw)
            continue
        got_xml = outcome(lambda: vdisk.Disk.from_xml(xml))
        assert got_kw == got_xml, (field, value, xml, got_kw, got_xml)


@pytest.mark.parametrize("target,ok", [("vda", True), ("sdb", True), ("vdzzzzzzzzzz", False),
                                       ("hd", False)])
def test_target_names_as_from_xml(target, ok):
    kw = dict(BASE_KW, target=target)
    xml = ET.tostring(base_tree(), encoding="unicode").replace("dev=\"vda\"", f"dev=\"{target}\"")
    assert outcome(lambda: vdisk.Disk.from_xml(xml)) == ("ok" if ok else "InvalidError")
    assert outcome(lambda: vdisk.Disk(**kw)) == ("ok" if ok else "InvalidError")
    # before the disk is complete, a bad name is refused all the same
    assert outcome(lambda: vdisk.Disk(target=target)) == ("ok" if ok else "InvalidError")


def test_invalid_enum_strings_name_the_valid_ones():
    with pytest.raises(vdisk.InvalidError) as e:
        vdisk.Disk(bus="virtoi")
    assert "virtoi" in str(e.value) and "virtio" in str(e.value)
    assert isinstance(e.value, ValueError)


def test_incomplete_disks_are_still_built_step_by_step():
    d = vdisk.Disk(type="network", target="vdb", bus="virtio")
    d.source.protocol = "nbd"
    assert vdisk.Disk(cache="writeback").cache == vdisk.Cache.WRITEBACK
