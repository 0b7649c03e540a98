"""Hotplug against a real libvirtd and QEMU (qemu:///system), through
libvirt-python's own virDomain objects. Skipped where libvirt cannot run."""

import os
import shutil
import subprocess
import tempfile

import pytest

import vdisk
from conftest import ROOT

libvirt = pytest.importorskip("libvirt")

pytestmark = pytest.mark.skipif(not vdisk.HAVE_HOTPLUG, reason="built without hotplug")

URI = "qemu:///system"
IMAGES = "/var/lib/libvirt/images"

DOMAIN = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <features><acpi/></features>
  <devices>
    <controller type='scsi' index='0' model='virtio-scsi'/>
    <controller type='usb' index='0' model='piix3-uhci'/>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <target dev='hdc' bus='ide'/>
      <readonly/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>
"""


@pytest.fixture(scope="module")
def imgdir():
    os.makedirs(IMAGES, exist_ok=True)
    d = tempfile.mkdtemp(prefix="vdtest-python-", dir=IMAGES)
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def make_image(imgdir, name, fmt="qcow2", size="16M"):
    path = os.path.join(imgdir, name)
    subprocess.run(["qemu-img", "create", "-q", "-f", fmt, path, size], check=True)
    os.chmod(path, 0o666)
    return path


def _transient(conn, request, flags):
    name = "vdtest-python-%d-%s" % (os.getpid(), request.node.name[5:40].replace("_", "-"))
    d = conn.createXML(DOMAIN % name, flags)
    yield d
    try:
        d.destroy()
    except libvirt.libvirtError:
        pass


@pytest.fixture
def dom(conn, request):
    yield from _transient(conn, request, 0)


@pytest.fixture
def paused_dom(conn, request):
    """A domain whose firmware never runs: nothing probes (or locks) its
    cdrom, so the tray moves exactly when libvirt asks."""
    yield from _transient(conn, request, libvirt.VIR_DOMAIN_START_PAUSED)


def disk_for(path, target, bus, fmt="qcow2"):
    return vdisk.Disk(type="file", source=path, format=fmt, target=target, bus=bus,
                      driver_name="qemu")


def test_list_disks_reads_the_live_domain(dom):
    ctx = vdisk.list_disks(dom)
    assert isinstance(ctx, vdisk.Domain)
    assert ctx.name == dom.name()
    assert [d.target for d in ctx.disks] == ["hdc"]
    assert ctx.disks[0].device is vdisk.Device.CDROM
    # a transient domain has no persistent definition to list
    with pytest.raises(vdisk.TransientError) as ei:
        vdisk.list_disks(dom, inactive=True)
    assert ei.value.code is vdisk.ErrorCode.TRANSIENT


def test_next_target_takes_enum_or_string(dom):
    assert vdisk.next_target(dom, "virtio") == "vda"
    assert vdisk.next_target(dom, vdisk.Bus.SCSI) == "sda"
    assert vdisk.next_target(dom, vdisk.Bus.IDE) == "hda"
    with pytest.raises(ValueError):
        vdisk.next_target(dom, "nvme0")


def test_scsi_attach_is_idempotent_and_detach_completes(dom, imgdir):
    img = make_image(imgdir, "scsi.qcow2")
    disk = disk_for(img, vdisk.next_target(dom, "scsi"), "scsi")
    vdisk.attach(dom, disk)
    live = vdisk.list_disks(dom).find_disk("sda")
    assert live is not None and live.path == img
    vdisk.attach(dom, disk)  # the same disk again: nothing to do
    assert [d.target for d in vdisk.list_disks(dom).disks].count("sda") == 1
    assert vdisk.next_target(dom, "scsi") == "sdb"
    vdisk.detach(dom, "sda", wait=20)
    assert vdisk.list_disks(dom).find_disk("sda") is None


def test_taken_target_raises_exists_error(dom, imgdir):
    a = make_image(imgdir, "taken-a.qcow2")
    b = make_image(imgdir, "taken-b.qcow2")
    vdisk.attach(dom, disk_for(a, "sda", "scsi"))
    with pytest.raises(vdisk.ExistsError) as ei:
        vdisk.attach(dom, disk_for(b, "sda", "scsi"))
    assert ei.value.code is vdisk.ErrorCode.EXISTS
    assert "vdisk_hotplug_attach_auto: target 'sda'" in ei.value.message


def test_virtio_detach_not_acknowledged_raises_pending_error(dom, imgdir):
    img = make_image(imgdir, "virtio.qcow2")
    vdisk.attach(dom, disk_for(img, "vdb", "virtio"))
    # A guest without an OS normally never acknowledges the PCI unplug; while
    # the firmware has not yet enabled ACPI, QEMU may release it at once.
    try:
        vdisk.detach(dom, "vdb", wait=1.5)
    except vdisk.PendingError as e:
        assert e.code is vdisk.ErrorCode.PENDING
        assert "vdisk_hotplug_detach: target 'vdb'" in e.message
        assert vdisk.list_disks(dom).find_disk("vdb") is not None
    else:
        assert vdisk.list_disks(dom).find_disk("vdb") is None


def test_detach_missing_target_raises_not_found(dom):
    with pytest.raises(vdisk.NotFoundError):
        vdisk.detach(dom, "sdq", wait=1)


def test_live_ide_attach_is_unsupported(dom, imgdir):
    img = make_image(imgdir, "ide.qcow2")
    with pytest.raises(vdisk.UnsupportedError):
        vdisk.attach(dom, disk_for(img, "hdb", "ide"))


def test_change_media_inserts_and_ejects(paused_dom, imgdir):
    dom = paused_dom
    iso = make_image(imgdir, "media.iso", fmt="raw", size="1M")
    vdisk.change_media(dom, "hdc", iso)
    assert vdisk.list_disks(dom).find_disk("hdc").path == iso
    vdisk.change_media(dom, "hdc", None, force=True)
    hdc = vdisk.list_disks(dom).find_disk("hdc")
    # libvirt keeps an empty <source index=.../> for the ejected tray
    assert hdc.path is None


def test_set_iotune_applies_limits(dom, imgdir):
    img = make_image(imgdir, "iotune.qcow2")
    vdisk.attach(dom, disk_for(img, "sda", "scsi"))
    limits = vdisk.Disk(iotune={"total_bytes_sec": 10485760, "read_iops_sec": 400})
    vdisk.set_iotune(dom, "sda", limits)
    live = vdisk.list_disks(dom).find_disk("sda")
    assert live.iotune["total_bytes_sec"] == 10485760
    assert live.iotune["read_iops_sec"] == 400


def test_freed_libvirt_domain_is_refused(conn):
    name = "vdtest-python-%d-freed" % os.getpid()
    d = conn.createXML(DOMAIN % name, 0)
    try:
        d2 = conn.lookupByName(name)
        d2._o = None
        with pytest.raises(TypeError):
            vdisk.list_disks(d2)
    finally:
        d.destroy()


def test_attach_without_target_keeps_the_target_a_source_has(dom, imgdir):
    img = make_image(imgdir, "by-source.raw", fmt="raw", size="8M")
    first = vdisk.attach(dom, vdisk.Disk(type="file", source=img, format="raw", bus="scsi",
                                         driver_name="qemu"))
    assert isinstance(first, vdisk.AttachResult)
    assert first.target == "sda" and first.changed and first.live and not first.config
    again = vdisk.attach(dom, vdisk.Disk(type="file", source=img, format="raw", bus="scsi",
                                         driver_name="qemu"))
    assert again.target == "sda" and not again.changed
    with pytest.raises(vdisk.ExistsError) as ei:
        vdisk.attach(dom, disk_for(img, "sdc", "scsi", fmt="raw"))
    assert "as target 'sda'" in ei.value.message
    assert [d.target for d in vdisk.list_disks(dom).disks].count("sda") == 1


def test_attach_without_format_reads_the_header(dom, imgdir):
    qcow = make_image(imgdir, "noformat.qcow2")
    disk = vdisk.Disk(type="file", source=qcow, bus="scsi", driver_name="qemu")
    with pytest.raises(vdisk.InvalidArgumentError) as ei:
        vdisk.attach(dom, disk)
    assert "qcow2 header" in ei.value.message and "--format raw" in ei.value.message
    assert vdisk.list_disks(dom).find_disk("sda") is None
    res = vdisk.attach(dom, disk, probe_format=True)
    assert res.format is vdisk.Format.QCOW2 and res.format_probed and not res.format_guessed
    raw = make_image(imgdir, "noformat.raw", fmt="raw", size="8M")
    res = vdisk.attach(dom, vdisk.Disk(type="file", source=raw, bus="scsi", driver_name="qemu"))
    assert res.format is vdisk.Format.RAW and res.format_probed and res.format_guessed


def test_transient_domain_and_persistent(dom, imgdir):
    img = make_image(imgdir, "transient.raw", fmt="raw", size="8M")
    disk = vdisk.Disk(type="file", source=img, format="raw", bus="scsi", driver_name="qemu")
    with pytest.raises(vdisk.TransientError):
        vdisk.attach(dom, disk, live=True, config=True)
    with pytest.raises(ValueError):
        vdisk.attach(dom, disk, persistent=True, config=True)
    res = vdisk.attach(dom, disk, persistent=True)
    assert res.live and res.live_only and not res.config
    vdisk.detach(dom, res.target, wait=20, persistent=True)
    assert vdisk.recover(dom) is None
