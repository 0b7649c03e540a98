"""qemu_args(connection=...): secrets and type='volume' sources read from a
real libvirtd (qemu:///system), compared with `virsh domxml-to-native
qemu-argv` of the same domain. The objects made are named conntest-py-*
and removed again; the cases skip themselves where libvirt cannot run."""

import base64
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import uuid

import pytest

import vdisk
from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
from test_qemu_golden import normalize_text  # noqa: E402

pytestmark = pytest.mark.skipif(not vdisk.HAVE_HOTPLUG, reason="built without hotplug")

URI = "qemu:///system"
PREFIX = "conntest-py-%d-" % os.getpid()
CEPH_KEY = b"ceph key read through the connection"

DOMAIN = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    %s
    <memballoon model='none'/>
  </devices>
</domain>
"""


def golden_tools():
    spec = importlib.util.spec_from_file_location(
        "gen_qemu_golden", os.path.join(ROOT, "scripts", "gen-qemu-golden.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def libvirt():
    return pytest.importorskip("libvirt")


@pytest.fixture(scope="module")
def objects(conn):
    """A ceph secret with a value and a dir pool with a qcow2 volume:
    (secret uuid, pool name)."""
    made = []
    sid = str(uuid.uuid4())
    pool_name = PREFIX + "dir"
    d = tempfile.mkdtemp(prefix=PREFIX, dir="/var/lib/libvirt/images")
    try:
        sec = conn.secretDefineXML(
            "<secret ephemeral='no' private='no'><uuid>%s</uuid>"
            "<usage type='ceph'><name>%sceph</name></usage></secret>" % (sid, PREFIX))
        made.append(sec.undefine)
        sec.setValue(CEPH_KEY)
        pool = conn.storagePoolCreateXML(
            "<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>"
            % (pool_name, d), 0)
        made.append(pool.destroy)
        pool.createXML("<volume><name>a.qcow2</name><capacity>1048576</capacity>"
                       "<target><format type='qcow2'/></target></volume>", 0)
        yield sid, pool_name
    finally:
        for undo in reversed(made):
            try:
                undo()
            except Exception:  # noqa: BLE001 - cleanup goes on
                pass
        shutil.rmtree(d, ignore_errors=True)


def domain_xml(name, sid, pool):
    return DOMAIN % (PREFIX + name, "\n    ".join([
        "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
        "<source pool='%s' volume='a.qcow2'/><target dev='vda' bus='virtio'/></disk>" % pool,
        "<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
        "<source protocol='rbd' name='rbdpool/image'><host name='mon1.example.org'/></source>"
        "<auth username='admin'><secret type='ceph' uuid='%s'/></auth>"
        "<target dev='vdb' bus='virtio'/></disk>" % sid,
    ]))


def libvirt_disk_args(xml):
    gen = golden_tools()
    with tempfile.NamedTemporaryFile("w", suffix=".xml") as f:
        f.write(xml)
        f.flush()
        return gen.disk_args(gen.native_argv(f.name))


def normalized(lines):
    """As tests/oracle/test_qemu_golden.py compares: the encrypted payloads
    of secret objects only have to be present."""
    return normalize_text("".join(line + "\n" for line in lines))


@pytest.mark.parametrize("how", ["virconnect", "uri"])
def test_qemu_args_reads_secrets_and_volumes_like_domxml_to_native(conn, objects, how):
    sid, pool = objects
    xml = domain_xml("ok-" + how, sid, pool)
    dom = vdisk.Domain.from_xml(xml)
    connection = conn if how == "virconnect" else URI
    got = dom.qemu_args(connection=connection, master_key=os.urandom(32))
    assert normalized(got) == normalized(libvirt_disk_args(xml))
    # the value libvirt holds, in plain base64 without a master key
    plain = dom.qemu_args(connection=connection)
    secrets = [json.loads(a) for a in plain if a.startswith('{"qom-type":"secret"')]
    assert [base64.b64decode(s["data"]) for s in secrets] == [CEPH_KEY]


def test_disk_qemu_args_takes_a_connection(conn, objects):
    sid, pool = objects
    dom = vdisk.Domain.from_xml(domain_xml("disk", sid, pool))
    args = dom.find_disk("vda").qemu_args(dom, connection=conn)
    assert any('"filename":"' in a and a.endswith('a.qcow2","node-name":"libvirt-1-storage",'
                                                  '"auto-read-only":true,"discard":"unmap"}')
               for a in args)
    assert dom.find_disk("vdb").qmp_commands(dom, connection=conn)[0]["execute"] == "object-add"


def test_given_secret_wins_over_the_stored_value(conn, objects):
    sid, pool = objects
    dom = vdisk.Domain.from_xml(domain_xml("given", sid, pool))
    plain = dom.qemu_args(connection=conn, secrets={sid: b"given"})
    data = [json.loads(a)["data"] for a in plain if a.startswith('{"qom-type":"secret"')]
    assert [base64.b64decode(d) for d in data] == [b"given"]


def test_missing_secret_and_volume_raise_libvirts_refusal(conn, objects):
    sid, pool = objects
    missing = str(uuid.uuid4())
    dom = vdisk.Domain.from_xml(domain_xml("missing", missing, pool))
    with pytest.raises(vdisk.NotFoundError) as ei:
        dom.qemu_args(connection=conn)
    assert "target 'vdb'" in str(ei.value)
    assert "Secret not found: no secret with matching uuid '%s'" % missing in str(ei.value)
    dom = vdisk.Domain.from_xml(domain_xml("novol", sid, pool).replace("a.qcow2", "nosuch"))
    with pytest.raises(vdisk.NotFoundError) as ei:
        dom.qemu_args(connection=URI)
    assert "target 'vda'" in str(ei.value)
    assert "Storage volume not found: no storage vol with matching name 'nosuch'" in str(ei.value)


def test_connection_argument_is_checked():
    dom = vdisk.Domain.from_xml(DOMAIN % (PREFIX + "x", ""))
    with pytest.raises(TypeError):
        dom.qemu_args(connection=42)
