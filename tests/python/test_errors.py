"""Failures raise the vdisk.Error subclass of their code, with the
library's message."""

import os

import pytest

import vdisk

DISK = "<disk type='file' device='disk'><source file='/a.img'/><target dev='vda'/></disk>"


def test_malformed_xml_raises_xml_error_with_position():
    with pytest.raises(vdisk.XMLError) as ei:
        vdisk.Disk.from_xml("<disk type='file'>\n<source")
    e = ei.value
    assert e.code is vdisk.ErrorCode.XML
    assert isinstance(e, vdisk.Error)
    assert e.message.startswith("vdisk_disk_from_xml")
    assert str(e) == e.message
    assert e.line >= 1
    assert e.libvirt_code == 0


def test_unknown_value_raises_invalid_error_naming_target_and_value():
    with pytest.raises(vdisk.InvalidError) as ei:
        vdisk.Disk.from_xml(DISK.replace("<source", "<driver cache='fast'/><source"))
    assert ei.value.code is vdisk.ErrorCode.INVALID
    assert "fast" in ei.value.message and "vda" in ei.value.message


def test_define_time_refusal_raises_unsupported_error():
    xml = DISK.replace("device='disk'", "device='lun'").replace("type='file'", "type='file'")
    with pytest.raises(vdisk.Error) as ei:
        vdisk.Disk.from_xml(xml)
    assert ei.value.code in (vdisk.ErrorCode.UNSUPPORTED, vdisk.ErrorCode.INVALID)
    assert type(ei.value) is {vdisk.ErrorCode.UNSUPPORTED: vdisk.UnsupportedError,
                              vdisk.ErrorCode.INVALID: vdisk.InvalidError}[ei.value.code]


def test_validate_raises_and_changes_nothing():
    d = vdisk.Disk.from_xml(DISK)
    d.validate()
    d.device = "lun"
    before = d.to_xml()
    with pytest.raises(vdisk.Error):
        d.validate()
    assert d.to_xml() == before


def domain():
    with open(os.path.join(os.environ.get("VDISK_TEST_DATA", ""), "qemu",
                           "001-virtio-raw.addressed.xml")) as f:
        return vdisk.Domain.from_xml(f.read())


def test_remove_missing_disk_raises_not_found():
    with pytest.raises(vdisk.NotFoundError) as ei:
        domain().remove_disk("vdz")
    assert ei.value.code is vdisk.ErrorCode.NOT_FOUND
    assert "vdz" in ei.value.message
    assert isinstance(ei.value, LookupError)


def test_adding_a_taken_target_raises():
    dom = domain()
    with pytest.raises(vdisk.Error) as ei:
        dom.add_disk(dom.disks[0].copy())
    assert ei.value.code in (vdisk.ErrorCode.EXISTS, vdisk.ErrorCode.INVALID,
                             vdisk.ErrorCode.UNSUPPORTED)
    assert "vda" in ei.value.message
    assert len(dom.disks) == 1


def test_bad_option_raises_invalid_argument_error():
    d = vdisk.Disk.from_xml(DISK)
    with pytest.raises(vdisk.InvalidArgumentError) as ei:
        d.qemu_args(master_key=b"short")
    assert ei.value.code is vdisk.ErrorCode.INVALID_ARGUMENT
    assert isinstance(ei.value, ValueError)
    with pytest.raises(vdisk.InvalidArgumentError):
        d.qemu_args(first_node_index=0)


def test_missing_secret_raises_not_found():
    xml = """<disk type='network' device='disk'>
  <source protocol='rbd' name='pool/image'>
    <host name='mon1' port='6789'/>
    <auth username='admin'><secret type='ceph' usage='mysecret'/></auth>
  </source>
  <target dev='vdb' bus='virtio'/>
</disk>"""
    d = vdisk.Disk.from_xml(xml)
    with pytest.raises(vdisk.NotFoundError):
        d.qemu_args()
    assert d.qemu_args(secrets={"mysecret": b"AQCVn5hO6HzFAhAAzSbZ8fNbMBOHcUWw2k2qJw=="})


def test_error_classes_cover_every_code():
    for code in vdisk.ErrorCode:
        if code is vdisk.ErrorCode.OK:
            continue
        e = vdisk._make_error(int(code), "m", 0, 0, 0)
        assert isinstance(e, vdisk.Error) and e.code is code
        assert type(e) is not vdisk.Error


def test_setter_errors_leave_the_disk_unchanged():
    d = vdisk.Disk.from_xml(DISK)
    before = d.to_xml()
    with pytest.raises(vdisk.InvalidArgumentError) as ei:
        d.address = vdisk.CCWAddress(0xfe, 4, 0x1a)  # ssid is 0..3
    assert "ccw" in ei.value.message
    assert d.to_xml() == before
