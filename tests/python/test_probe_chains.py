"""qemu_args(probe_chains=True) reads the backing chain from the images, as
libvirt does when it starts a domain; without it nothing is read."""

import json
import os
import struct
import subprocess

import pytest

import vdisk


def disk_xml(path, target="vda"):
    return ("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
            "<source file='%s'/><target dev='%s' bus='virtio'/></disk>" % (path, target))


def qemu_img(*args):
    subprocess.run(["qemu-img"] + list(args), check=True, capture_output=True)


@pytest.fixture
def chain(tmp_path):
    os.mkdir(tmp_path / "sub")
    qemu_img("create", "-q", "-f", "raw", str(tmp_path / "base.raw"), "1M")
    qemu_img("create", "-q", "-f", "qcow2", "-b", "../base.raw", "-F", "raw",
             str(tmp_path / "sub" / "mid.qcow2"))
    qemu_img("create", "-q", "-f", "qcow2", "-b", "sub/mid.qcow2", "-F", "qcow2",
             str(tmp_path / "top.qcow2"))
    return tmp_path


def blockdevs(argv):
    return [json.loads(argv[i + 1]) for i in range(0, len(argv), 2) if argv[i] == "-blockdev"]


def test_the_chain_comes_from_the_headers_bottom_up(chain):
    disk = vdisk.Disk.from_xml(disk_xml(chain / "top.qcow2"))
    nodes = blockdevs(disk.qemu_args(probe_chains=True))
    # relative names from the directory of the image naming them, joined as written
    assert [n.get("filename") for n in nodes[::2]] == [
        "%s/sub/../base.raw" % chain, "%s/sub/mid.qcow2" % chain, "%s/top.qcow2" % chain]
    assert [n["node-name"] for n in nodes[1::2]] == [
        "libvirt-3-format", "libvirt-2-format", "libvirt-1-format"]
    assert nodes[3]["backing"] == "libvirt-3-format" and "backing" not in nodes[1]
    assert nodes[5]["backing"] == "libvirt-2-format"


def test_pure_translation_reads_nothing(chain):
    disk = vdisk.Disk.from_xml(disk_xml(chain / "top.qcow2"))
    assert len(blockdevs(disk.qemu_args())) == 2


def test_a_qcow2_at_the_bottom_ends_in_backing_null(tmp_path):
    qemu_img("create", "-q", "-f", "qcow2", str(tmp_path / "leaf.qcow2"), "1M")
    qemu_img("create", "-q", "-f", "qcow2", "-b", str(tmp_path / "leaf.qcow2"), "-F", "qcow2",
             str(tmp_path / "top.qcow2"))
    nodes = blockdevs(vdisk.Disk.from_xml(disk_xml(tmp_path / "top.qcow2"))
                      .qemu_args(probe_chains=True))
    assert nodes[1]["backing"] is None


def test_missing_backing_format_over_a_backing_file_is_refused(chain):
    # the top's header names no format for sub/mid.qcow2, which has a
    # backing file of its own: libvirt 9.0 refuses to probe it
    with open(chain / "top.qcow2", "r+b") as f:
        head = f.read(4096)
        f.seek(head.find(struct.pack(">I", 0xE2792ACA)))
        f.write(struct.pack(">I", 0x7FFF0001))
    disk = vdisk.Disk.from_xml(disk_xml(chain / "top.qcow2"))
    with pytest.raises(vdisk.InvalidError, match="format of backing image 'sub/mid.qcow2' of "
                       "image '.*top.qcow2' was not specified in the image metadata"):
        disk.qemu_args(probe_chains=True)


def test_a_missing_image_is_refused(tmp_path):
    disk = vdisk.Disk.from_xml(disk_xml(tmp_path / "none.qcow2"))
    with pytest.raises(vdisk.NotFoundError, match="Cannot access storage file"):
        disk.qemu_args(probe_chains=True)


def test_a_loop_ends_at_libvirts_depth_limit(tmp_path):
    a, b = str(tmp_path / "a.qcow2"), str(tmp_path / "b.qcow2")
    qemu_img("create", "-q", "-f", "qcow2", b, "1M")
    qemu_img("create", "-q", "-f", "qcow2", "-b", b, "-F", "qcow2", a)
    qemu_img("rebase", "-u", "-b", a, "-F", "qcow2", b)
    with pytest.raises(vdisk.InternalError, match="self-referential or too deeply nested"):
        vdisk.Disk.from_xml(disk_xml(a)).qemu_args(probe_chains=True)


def test_domain_numbers_found_images_after_every_declared_node(chain, tmp_path):
    qemu_img("create", "-q", "-f", "qcow2", "-b", str(chain / "base.raw"), "-F", "raw",
             str(tmp_path / "other.qcow2"))
    dom = vdisk.Domain.from_xml(
        "<domain type='qemu'><name>d</name><os><type arch='x86_64' machine='pc'>hvm</type>"
        "</os><devices>%s%s</devices></domain>"
        % (disk_xml(chain / "top.qcow2", "vda"), disk_xml(tmp_path / "other.qcow2", "vdb")))
    names = [n["node-name"] for n in blockdevs(dom.qemu_args(probe_chains=True))[1::2]]
    # vdb 1, vda 2 (declared); then vdb's base 3, vda's mid 4 and base 5
    assert names == ["libvirt-5-format", "libvirt-4-format", "libvirt-2-format",
                     "libvirt-3-format", "libvirt-1-format"]
