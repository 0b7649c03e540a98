"""vdisk.hotplug_commands() and unplug_commands() against the vdisk CLI and
against what a real hot-plug then shows (qemu:///system; skipped where
libvirt cannot run)."""

import json
import os
import shutil
import subprocess
import tempfile

import pytest

import vdisk

libvirt = pytest.importorskip("libvirt")

pytestmark = pytest.mark.skipif(not vdisk.HAVE_HOTPLUG, reason="built without hotplug")

URI = "qemu:///system"
IMAGES = "/var/lib/libvirt/images"
CLI = os.environ.get("VDISK_CLI")

DOMAIN = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <features><acpi/></features>
  <devices>
    <controller type='scsi' index='0' model='virtio-scsi'/>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='%s'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>
"""


@pytest.fixture
def imgdir():
    os.makedirs(IMAGES, exist_ok=True)
    d = tempfile.mkdtemp(prefix="vdtest-pycmds-", dir=IMAGES)
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def image(imgdir, name, backing=None):
    path = os.path.join(imgdir, name)
    cmd = ["qemu-img", "create", "-q", "-f", "qcow2", path]
    cmd += ["-b", backing, "-F", "qcow2"] if backing else ["16M"]
    subprocess.run(cmd, check=True)
    os.chmod(path, 0o666)
    return path


@pytest.fixture
def dom(conn, imgdir, request):
    name = "vdtest-pycmds-%d-%s" % (os.getpid(), request.node.name[5:30].replace("_", "-"))
    d = conn.createXML(DOMAIN % (name, image(imgdir, "boot.qcow2")), 0)
    yield d
    try:
        d.destroy()
    except libvirt.libvirtError:
        pass


def cli(*args):
    if not CLI:
        pytest.skip("VDISK_CLI not set")
    p = subprocess.run([CLI] + list(args), capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return [json.loads(line) for line in p.stdout.splitlines() if line]


@pytest.mark.parametrize("bus,target", [("virtio", "vdb"), ("scsi", "sda")])
def test_hotplug_commands_are_the_cli_s_and_what_the_attach_shows(dom, imgdir, bus, target):
    base = image(imgdir, "base.qcow2")
    top = image(imgdir, "top.qcow2", backing=base)
    disk = vdisk.Disk(type="file", source=top, format="qcow2", target=target, bus=bus,
                      driver_name="qemu")
    path = os.path.join(imgdir, "disk.xml")
    with open(path, "w") as f:
        f.write(disk.to_xml())

    cmds = vdisk.hotplug_commands(dom, disk)
    assert cmds == cli("qemu-args", "--qmp", "-c", URI, "--hotplug", dom.name(), path)
    assert [c["execute"] for c in cmds][-1] == "device_add"
    # the probed backing image is a node of its own, read-only
    nodes = [c["arguments"] for c in cmds if c["execute"] == "blockdev-add"]
    assert any(n.get("filename") == base for n in nodes)

    vdisk.attach(dom, disk)
    live = vdisk.list_disks(dom)
    added = [d for d in live.disks if d.target == target][0]
    device = cmds[-1]["arguments"]
    assert device["id"] == added.alias
    if bus == "virtio":
        assert device["addr"] == "0x%x" % added.address.slot

    unplug = vdisk.unplug_commands(dom, target)
    assert unplug == cli("qemu-args", "--qmp", "-c", URI, "--hotplug", dom.name(),
                         "--unplug", target)
    assert unplug[0] == {"execute": "device_del", "arguments": {"id": added.alias}}


def test_unplug_commands_of_a_missing_target_raise_not_found(dom):
    with pytest.raises(vdisk.NotFoundError):
        vdisk.unplug_commands(dom, "vdz")
