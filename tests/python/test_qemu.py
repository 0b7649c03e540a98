"""qemu_args() gives what the vdisk program prints, for every golden case
of tests/data/qemu that libvirt 9.0 runs (NNN-name.argv)."""

import ast
import os
import re
import subprocess

import pytest

import vdisk
from conftest import DATA, ROOT

QEMU_DATA = os.path.join(DATA, "qemu")
SECRET_OBJECT_RE = re.compile(r'^\{"qom-type":"secret",')
SECRET_VOLATILE_RE = re.compile(r'"(data|iv)":"[^"]*"')


def normalize(lines):
    """Secret objects carry a fresh IV and ciphertext on every run."""
    return [SECRET_VOLATILE_RE.sub(r'"\1":"<any>"', l) if SECRET_OBJECT_RE.match(l) else l
            for l in lines]


def corpus_secrets():
    """(uuid, usage, value) of the secrets the corpus uses, as
    scripts/gen-qemu-golden.py gives them to libvirt."""
    gen = os.path.join(ROOT, "scripts", "gen-qemu-golden.py")
    with open(gen) as f:
        tree = ast.parse(f.read(), gen)
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and
                getattr(node.targets[0], "id", None) == "SECRETS"):
            return [(uuid, re.sub(r"<[^>]*>", "", usage), value)
                    for uuid, _, usage, value in ast.literal_eval(node.value)]
    raise RuntimeError("no SECRETS in " + gen)


def golden_cases():
    if not os.path.isdir(QEMU_DATA):
        return []
    return sorted(n[:-len(".argv")] for n in os.listdir(QEMU_DATA) if n.endswith(".argv"))


@pytest.fixture(scope="module")
def secrets(tmp_path_factory):
    """The corpus secrets for qemu_args() and the same as --secret options."""
    tmp = tmp_path_factory.mktemp("secrets")
    mapping, opts = {}, []
    for i, (uuid, usage, value) in enumerate(corpus_secrets()):
        mapping[uuid] = value
        mapping[usage] = value
        path = tmp / ("secret%d" % i)
        path.write_bytes(value)
        opts += ["--secret", "%s=%s" % (uuid, path), "--secret", "%s=%s" % (usage, path)]
    key = os.urandom(32)
    (tmp / "master.key").write_bytes(key)
    opts += ["--master-key", str(tmp / "master.key")]
    return mapping, key, opts


CASES = golden_cases()


def test_golden_corpus_is_there():
    assert len(CASES) > 50


@pytest.mark.parametrize("case", CASES)
def test_qemu_args_equal_the_cli(case, cli, secrets):
    mapping, key, opts = secrets
    path = os.path.join(QEMU_DATA, case + ".addressed.xml")
    with open(path) as f:
        xml = f.read()
    p = subprocess.run([cli, "qemu-args"] + opts + [path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    assert p.returncode == 0, p.stderr
    dom = vdisk.Domain.from_xml(xml)
    got = dom.qemu_args(secrets=mapping, master_key=key)
    assert all(isinstance(a, str) for a in got)
    assert normalize(got) == normalize(p.stdout.splitlines())
    # and what libvirt itself produced
    with open(os.path.join(QEMU_DATA, case + ".argv")) as f:
        assert normalize(got) == normalize(f.read().splitlines())


@pytest.mark.parametrize("case", CASES[:20])
def test_qmp_commands_equal_the_cli(case, cli, secrets):
    mapping, key, opts = secrets
    path = os.path.join(QEMU_DATA, case + ".addressed.xml")
    p = subprocess.run([cli, "qemu-args", "--qmp"] + opts[:-2] + [path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=60)
    assert p.returncode == 0, p.stderr
    import json
    with open(path) as f:
        cmds = vdisk.Domain.from_xml(f.read()).qmp_commands(secrets=mapping)
    want = [json.loads(l) for l in p.stdout.splitlines()]
    strip = re.compile(r'"(data|iv)": "[^"]*"')
    assert strip.sub("", json.dumps(cmds)) == strip.sub("", json.dumps(want))


def test_disk_qemu_args_every_argument_optional():
    d = vdisk.Disk.from_xml("<disk type='file' device='disk'><source file='/a.img'/>"
                            "<target dev='vda'/></disk>")
    args = d.qemu_args()
    assert args[0] == "-blockdev" and "-device" in args
    q35 = d.qemu_args(machine="q35")
    assert q35 != [] and d.qemu_args(first_node_index=5)[1].count("libvirt-5-") >= 1
    cmds = d.qmp_commands()
    assert [c["execute"] for c in cmds][-1] == "device_add"
    assert isinstance(cmds[0]["arguments"], dict)


def test_disk_qemu_args_in_a_domain():
    with open(os.path.join(QEMU_DATA, "001-virtio-raw.addressed.xml")) as f:
        dom = vdisk.Domain.from_xml(f.read())
    disk = dom.disks[0]
    # the domain's <os><boot> order adds a bootindex only to the domain's argv
    assert disk.qemu_args(dom)[:5] == dom.qemu_args()[:5]
    assert disk.qemu_args(dom)[5].rstrip("}") in dom.qemu_args()[5]
