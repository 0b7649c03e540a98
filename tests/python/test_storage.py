"""Image format probing, and storage volumes and connections against a real
libvirtd (qemu:///system) through libvirt-python's own objects. The libvirt
cases skip themselves where libvirt cannot run."""

import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

import vdisk
from conftest import ROOT

pytestmark = pytest.mark.skipif(not vdisk.HAVE_HOTPLUG, reason="built without hotplug")

URI = "qemu:///system"
IMAGES = "/var/lib/libvirt/images"
MIB = 1024 * 1024

POOL = """<pool type='dir'>
  <name>%s</name>
  <target><path>%s</path></target>
</pool>
"""

DOMAIN = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    %s
    <memballoon model='none'/>
  </devices>
</domain>
"""


def qemu_img(*args):
    if shutil.which("qemu-img") is None:
        pytest.skip("qemu-img not installed")
    return subprocess.run(["qemu-img", *args], check=True, stdout=subprocess.PIPE,
                          universal_newlines=True).stdout


def make_image(directory, name, fmt, size="1M"):
    path = os.path.join(str(directory), name)
    qemu_img("create", "-q", "-f", fmt, path, size)
    return path


# ---- probing (no libvirt needed) -----------------------------------------------------


def test_probe_format_recognises_qcow2(tmp_path):
    p = vdisk.probe_format(make_image(tmp_path, "a.qcow2", "qcow2"))
    assert isinstance(p, vdisk.ProbedFormat)
    assert p == (vdisk.Format.QCOW2, "qcow2", False)
    assert p.format is vdisk.Format.QCOW2 and p.guessed is False


def test_probe_format_takes_unrecognised_images_as_guessed_raw(tmp_path):
    p = vdisk.probe_format(make_image(tmp_path, "a.img", "raw"))
    assert p.format is vdisk.Format.RAW
    assert p.name == "raw"
    assert p.guessed is True


def test_probe_format_accepts_path_objects(tmp_path):
    path = pathlib.Path(make_image(tmp_path, "p.qcow2", "qcow2"))
    assert vdisk.probe_format(path).format is vdisk.Format.QCOW2
    assert vdisk.probe_format_name(path).name == "qcow2"


def test_probe_format_refuses_vhdx_which_libvirt_cannot_name(tmp_path):
    path = make_image(tmp_path, "a.vhdx", "vhdx")
    with pytest.raises(vdisk.UnsupportedError) as ei:
        vdisk.probe_format(path)
    assert "vhdx" in str(ei.value) and path in str(ei.value)
    assert ei.value.code == vdisk.ErrorCode.UNSUPPORTED


def test_probe_format_name_reports_vhdx_without_a_format(tmp_path):
    p = vdisk.probe_format_name(make_image(tmp_path, "b.vhdx", "vhdx"))
    assert p == (None, "vhdx", False)
    q = vdisk.probe_format_name(make_image(tmp_path, "b.img", "raw"))
    assert q == (vdisk.Format.RAW, "raw", True)


def test_probe_format_of_a_missing_file_raises_not_found(tmp_path):
    with pytest.raises(vdisk.NotFoundError):
        vdisk.probe_format(str(tmp_path / "missing.qcow2"))
    with pytest.raises(vdisk.NotFoundError):
        vdisk.probe_format_name(str(tmp_path / "missing.qcow2"))


def test_probe_format_checks_its_argument():
    with pytest.raises(TypeError):
        vdisk.probe_format(None)
    with pytest.raises(TypeError):
        vdisk.probe_format(b"/tmp/x")
    with pytest.raises(ValueError):
        vdisk.probe_format("/tmp/a\0b")


# ---- libvirt ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def libvirt():
    return pytest.importorskip("libvirt")


@pytest.fixture(scope="module")
def pool(conn, libvirt):
    """A transient dir pool in a temporary directory: (name, directory, virStoragePool)."""
    os.makedirs(IMAGES, exist_ok=True)
    d = tempfile.mkdtemp(prefix="vdtest-pystorage-", dir=IMAGES)
    os.chmod(d, 0o755)
    name = os.path.basename(d)
    p = conn.storagePoolCreateXML(POOL % (name, d), 0)
    yield name, d, p
    try:
        for v in p.listAllVolumes():
            v.delete()
        p.destroy()
    except libvirt.libvirtError:
        pass
    shutil.rmtree(d, ignore_errors=True)


def volume_names(p):
    p.refresh()
    return sorted(p.listVolumes())


def test_volume_create_returns_a_file_disk_on_the_new_volume(conn, pool):
    name, d, p = pool
    disk = vdisk.volume_create(conn, name, "create.qcow2", 16 * MIB, vdisk.Format.QCOW2)
    assert isinstance(disk, vdisk.Disk)
    assert disk.type is vdisk.Type.FILE
    assert disk.path == os.path.join(d, "create.qcow2")
    assert disk.format is vdisk.Format.QCOW2
    assert disk.target is None
    assert vdisk.probe_format(disk.path).format is vdisk.Format.QCOW2
    assert p.storageVolLookupByName("create.qcow2").info()[1] >= 16 * MIB
    assert "create.qcow2" in volume_names(p)


def test_volume_create_takes_format_strings_and_a_backing_image(conn, pool):
    name, d, p = pool
    base = vdisk.volume_create(conn, name, "base.raw", 4 * MIB, "raw")
    assert base.format is vdisk.Format.RAW
    top = vdisk.volume_create(conn, name, "top.qcow2", 4 * MIB, "qcow2", backing=base.path)
    info = qemu_img("info", "--output=json", "-U", top.path)
    assert '"backing-filename": "%s"' % base.path in info
    assert '"backing-filename-format": "raw"' in info


def test_volume_create_as_volume_then_resolve_in_place(conn, pool):
    name, d, p = pool
    disk = vdisk.volume_create(conn, name, "vol.qcow2", 4 * MIB, "qcow2", as_volume=True)
    assert disk.type is vdisk.Type.VOLUME
    assert disk.source.pool == name
    assert disk.source.volume == "vol.qcow2"
    same = disk
    assert vdisk.volume_resolve(disk, conn) is None
    assert same is disk
    assert disk.type is vdisk.Type.FILE
    assert disk.path == os.path.join(d, "vol.qcow2")
    assert disk.source.pool is None
    # nothing left to resolve: unchanged
    vdisk.volume_resolve(disk, conn)
    assert disk.path == os.path.join(d, "vol.qcow2")


def test_volume_resolve_of_a_missing_volume_leaves_the_disk_unchanged(conn, pool):
    name, d, p = pool
    disk = vdisk.Disk(type="volume", device="disk", target="vdb")
    disk.source.set_volume(name, "absent.qcow2")
    before = disk.to_xml()
    with pytest.raises(vdisk.Error):
        vdisk.volume_resolve(disk, conn)
    assert disk.to_xml() == before


def test_volume_create_twice_fails_with_libvirts_reason(conn, pool):
    name, d, p = pool
    vdisk.volume_create(conn, name, "twice.raw", MIB, "raw")
    with pytest.raises(vdisk.Error) as ei:
        vdisk.volume_create(conn, name, "twice.raw", MIB, "raw")
    assert "twice.raw" in str(ei.value)


def test_volume_create_checks_its_arguments(conn, pool):
    name, d, p = pool
    with pytest.raises(TypeError):
        vdisk.volume_create(object(), name, "x.raw", MIB)
    with pytest.raises(ValueError):
        vdisk.volume_create(conn, name, "x.raw", -1)
    with pytest.raises(ValueError):
        vdisk.volume_create(conn, name, "x.raw", MIB, "qcow9")
    with pytest.raises(TypeError):
        vdisk.volume_create(conn, name, "x.raw", None)
    with pytest.raises(TypeError):
        vdisk.volume_create(conn, name, "x.raw", MIB, "raw", None, True)
    assert "x.raw" not in volume_names(p)


def test_volume_delete_removes_the_volume(conn, pool):
    name, d, p = pool
    disk = vdisk.volume_create(conn, name, "gone.qcow2", MIB, "qcow2")
    vdisk.volume_delete(conn, name, "gone.qcow2")
    assert "gone.qcow2" not in volume_names(p)
    assert not os.path.exists(disk.path)
    with pytest.raises(vdisk.Error):
        vdisk.volume_delete(conn, name, "gone.qcow2")


def test_volume_delete_is_refused_while_a_domain_uses_the_volume(conn, pool, libvirt):
    name, d, p = pool
    disk = vdisk.volume_create(conn, name, "busy.qcow2", 16 * MIB, "qcow2")
    disk.target = "vdb"
    disk.bus = "virtio"
    dom = conn.createXML(DOMAIN % ("vdtest-pystorage-%d" % os.getpid(), disk.to_xml()),
                         libvirt.VIR_DOMAIN_START_PAUSED)
    try:
        with pytest.raises(vdisk.ExistsError) as ei:
            vdisk.volume_delete(conn, name, "busy.qcow2", dom)
        assert "vdb" in str(ei.value)
        assert "busy.qcow2" in volume_names(p)
        assert os.path.exists(disk.path)
        with pytest.raises(vdisk.ExistsError):
            vdisk.volume_delete(conn, name, "busy.qcow2", dom=dom)
    finally:
        dom.destroy()
    # a domain that does not use it does not stop the deletion
    vdisk.volume_delete(conn, name, "busy.qcow2")
    assert "busy.qcow2" not in volume_names(p)


def test_storage_functions_refuse_a_closed_connection(libvirt, conn, pool):
    name, d, p = pool
    c = libvirt.open(URI)
    c.close()
    with pytest.raises(TypeError):
        vdisk.volume_create(c, name, "closed.raw", MIB)
    with pytest.raises(TypeError):
        vdisk.volume_delete(conn, name, "closed.raw", dom="not a domain")


def test_connect_open_returns_a_libvirt_connection(conn, libvirt, pool):
    name, d, p = pool
    c = vdisk.connect_open(URI)
    try:
        assert isinstance(c, libvirt.virConnect)
        assert c.getURI() == URI
        disk = vdisk.volume_create(c, name, "opened.raw", MIB, "raw")
        assert os.path.exists(disk.path)
        vdisk.volume_delete(c, name, "opened.raw")
    finally:
        assert c.close() == 0


def test_connect_open_readonly_refuses_changes(conn, libvirt, pool):
    name, d, p = pool
    c = vdisk.connect_open(URI, readonly=True)
    try:
        assert c.storagePoolLookupByName(name).name() == name
        with pytest.raises(vdisk.LibvirtError) as ei:
            vdisk.volume_create(c, name, "readonly.raw", MIB, "raw")
        assert ei.value.libvirt_code == libvirt.VIR_ERR_OPERATION_DENIED
    finally:
        c.close()
    assert "readonly.raw" not in volume_names(p)


def test_connect_open_refuses_uris_of_other_drivers(conn):
    with pytest.raises(vdisk.InvalidArgumentError):
        vdisk.connect_open("test:///default")


def test_connect_open_first_returns_the_host_that_answered(conn, libvirt):
    dead = "qemu+tcp://127.0.0.1:1/system"
    c, which = vdisk.connect_open_first([dead, URI])
    try:
        assert which == 1
        assert isinstance(c, libvirt.virConnect)
        assert c.getURI() == URI
    finally:
        c.close()
    with pytest.raises(vdisk.Error) as ei:
        vdisk.connect_open_first([dead])
    assert dead in str(ei.value)
    with pytest.raises(ValueError):
        vdisk.connect_open_first([])
    with pytest.raises(TypeError):
        vdisk.connect_open_first(URI)
