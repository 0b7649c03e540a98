#!/usr/bin/python3
"""`vdisk qemu-args --connect URI` against `virsh domxml-to-native qemu-argv`.

Secrets (ceph, iscsi and volume usage, with values; one without a value;
one private), a dir pool with volumes and an inactive pool are defined in
the running libvirtd, then for each case domain both commands translate
the same XML: libvirt reads the secrets and volumes inside its daemon,
vdisk through the connection.
  ok cases:     vdisk exits 0 and prints exactly libvirt's disk arguments
                (tests/oracle/test_qemu_golden.py's comparison: the "data"
                and "iv" of secret objects, encrypted under a random master
                key, only have to be present); run again without a master
                key, each secret object carries the value the secret holds;
  refusals:     libvirt refuses the domain, and vdisk exits 3 with libvirt's
                message, naming the disk's target;
  vdisk-only:   libvirt accepts, vdisk refuses clearly (exit 3) what it
                cannot read (a private secret's value), and translates it
                when the value is given with --secret.
Every object is named conntest-<pid>-... and removed again, also on failure.

Usage: test_qemu_connect.py --vdisk PATH [-k SUBSTRING] [-v]
Prints `N passed, N failed` last; exit 0 all passed, 1 a failure, 77 when
libvirt does not answer.
"""

import argparse
import base64
import difflib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import libvirt_oracle as lo  # noqa: E402
from test_qemu_golden import normalize_text  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "gen_qemu_golden", os.path.join(ROOT, "scripts", "gen-qemu-golden.py"))
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

URI = lo.URI
PREFIX = "conntest-%d-" % os.getpid()
TIMEOUT = 120

DOMAIN = """<domain type='qemu'>
  <name>%(name)s</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
%(disks)s
    <memballoon model='none'/>
  </devices>
</domain>
"""


class Env:
    """The libvirt objects of one run; remove() undoes whatever was made."""

    def __init__(self):
        self.secrets = {}   # key -> (uuid, usage type, usage id, value or None)
        self.pools = []
        self.dirs = []

    def secret(self, key, usage_type, usage_id, value, private=False):
        sid = str(uuid.uuid4())
        elem = {"ceph": "name", "iscsi": "target", "volume": "volume"}[usage_type]
        xml = ("<secret ephemeral='no' private='%s'>\n  <uuid>%s</uuid>\n"
               "  <usage type='%s'><%s>%s</%s></usage>\n</secret>\n"
               % ("yes" if private else "no", sid, usage_type, elem, usage_id, elem))
        self.secrets[key] = (sid, usage_type, usage_id, value)
        lo.with_tempfile(xml, lambda p: lo.virsh("secret-define", p))
        if value is not None:
            lo.virsh("secret-set-value", sid, "--base64",
                     base64.b64encode(value).decode("ascii"))

    def pool(self, name, start=True):
        path = tempfile.mkdtemp(prefix=name + "-", dir="/var/lib/libvirt/images")
        self.dirs.append(path)
        xml = ("<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>\n"
               % (name, path))
        lo.with_tempfile(xml, lambda p: lo.virsh("pool-define", p))
        self.pools.append(name)
        if start:
            lo.virsh("pool-start", name)
        return path

    def volume(self, pool, name, fmt):
        lo.virsh("vol-create-as", pool, name, "1M", "--format", fmt)

    def remove(self):
        for sid, _, _, _ in self.secrets.values():
            try:
                lo.virsh("secret-undefine", sid)
            except lo.VirshError:
                pass
        for name in self.pools:
            for cmd in (("pool-destroy", name), ("pool-undefine", name)):
                try:
                    lo.virsh(*cmd)
                except lo.VirshError:
                    pass
        for path in self.dirs:
            shutil.rmtree(path, ignore_errors=True)


def setup(env):
    env.secret("ceph", "ceph", PREFIX + "ceph", b"ceph-key-from-libvirt")
    env.secret("ceph2", "ceph", PREFIX + "ceph2", b"second ceph key")
    env.secret("iscsi", "iscsi", PREFIX + "iscsi", b"chap-password")
    env.secret("private", "ceph", PREFIX + "private", b"private ceph key", private=True)
    pool = PREFIX + "dir"
    path = env.pool(pool)
    env.pool(PREFIX + "inactive", start=False)
    env.volume(pool, "a.qcow2", "qcow2")
    env.volume(pool, "b.raw", "raw")
    env.volume(pool, "c.qcow2", "qcow2")
    env.volume(pool, "luks.raw", "raw")
    env.secret("luks", "volume", os.path.join(path, "luks.raw"), b"luks passphrase")
    env.secret("novalue", "volume", os.path.join(path, "novalue.img"), None)
    return pool, path


def cases(env, pool, path):
    s = {k: v[0] for k, v in env.secrets.items()}
    rbd = ("<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
           "<source protocol='rbd' name='rbdpool/image'><host name='mon1.example.org'/>"
           "</source>")
    iscsi = ("<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
             "<source protocol='iscsi' name='iqn.2013-07.com.example:iscsi-nopool/1'>"
             "<host name='iscsi.example.org' port='3260'/></source>")

    def vol(volume, target, bus="virtio", device="disk", fmt=None, extra="", src_extra=""):
        drv = "<driver name='qemu' type='%s'/>" % fmt if fmt else ""
        return ("<disk type='volume' device='%s'>%s<source pool='%s' volume='%s'%s>%s</source>"
                "<target dev='%s' bus='%s'/>%s</disk>"
                % (device, drv, pool, volume, src_extra[0] if src_extra else "",
                   src_extra[1] if src_extra else "", target, bus, extra))

    def ceph_auth(ref):
        return "<auth username='admin'><secret type='ceph' %s/></auth>" % ref

    luks_file = ("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                 "<source file='%s'><encryption format='luks'>"
                 "<secret type='passphrase' %%s/></encryption></source>"
                 "<target dev='vdd' bus='virtio'/></disk>" % os.path.join(path, "luks.raw"))
    return [
        # (name, kind, disks, extra vdisk options)
        ("volumes", "ok", [
            vol("a.qcow2", "vda", fmt="qcow2"),
            vol("b.raw", "vdb"),
            # libvirt does not take the volume's own format: no type is raw
            vol("c.qcow2", "vdc"),
            vol("b.raw", "sda", bus="sata", device="cdrom", extra="<readonly/>"),
        ], []),
        ("volume-luks", "ok", [
            vol("luks.raw", "vda", fmt="raw",
                src_extra=("", "<encryption format='luks'><secret type='passphrase' "
                               "uuid='%s'/></encryption>" % s["luks"])),
        ], []),
        ("secrets", "ok", [
            rbd + ceph_auth("uuid='%s'" % s["ceph"]) + "<target dev='vda' bus='virtio'/></disk>",
            rbd + ceph_auth("usage='%s'" % (PREFIX + "ceph2")) +
            "<target dev='vdb' bus='virtio'/></disk>",
            iscsi + "<auth username='chap'><secret type='iscsi' usage='%s'/></auth>"
            % (PREFIX + "iscsi") + "<target dev='vdc' bus='virtio'/></disk>",
            luks_file % ("usage='%s'" % os.path.join(path, "luks.raw")),
        ], []),
        ("optional-missing-volumes", "ok", [
            vol("b.raw", "vda"),
            vol("missing.img", "vdb", src_extra=(" startupPolicy='optional'", "")),
            vol("missing.iso", "hdc", bus="ide", device="cdrom",
                src_extra=(" startupPolicy='optional'", ""), extra="<readonly/>"),
        ], []),
        ("refuse-wrong-usage", "refuse", [
            rbd + ceph_auth("uuid='%s'" % s["iscsi"]) + "<target dev='vda' bus='virtio'/></disk>",
        ], []),
        ("refuse-wrong-usage-by-usage", "refuse", [
            rbd + ceph_auth("usage='%s'" % (PREFIX + "iscsi")) +
            "<target dev='vda' bus='virtio'/></disk>",
        ], []),
        ("refuse-missing-secret", "refuse", [
            rbd + ceph_auth("uuid='%s'" % uuid.uuid4()) + "<target dev='vda' bus='virtio'/></disk>",
        ], []),
        ("refuse-missing-secret-usage", "refuse", [
            rbd + ceph_auth("usage='%s'" % (PREFIX + "nosuch")) +
            "<target dev='vda' bus='virtio'/></disk>",
        ], []),
        ("refuse-secret-without-value", "refuse", [
            luks_file % ("uuid='%s'" % s["novalue"]),
        ], []),
        ("refuse-unknown-pool", "refuse", [
            vol("a.qcow2", "vda").replace("pool='%s'" % pool, "pool='%snosuch'" % PREFIX),
        ], []),
        ("refuse-unknown-volume", "refuse", [vol("nosuch.img", "vda")], []),
        ("refuse-inactive-pool", "refuse", [
            vol("a.qcow2", "vda").replace("pool='%s'" % pool, "pool='%sinactive'" % PREFIX),
        ], []),
        ("private-secret", "vdisk-refuses", [
            rbd + ceph_auth("uuid='%s'" % s["private"]) +
            "<target dev='vda' bus='virtio'/></disk>",
        ], []),
        ("private-secret-given", "ok", [
            rbd + ceph_auth("uuid='%s'" % s["private"]) +
            "<target dev='vda' bus='virtio'/></disk>",
        ], [("secret", s["private"], env.secrets["private"][3])]),
    ]


def run_vdisk(vdisk, xml_path, opts):
    p = subprocess.run([vdisk, "qemu-args", "--connect", URI] + opts + [xml_path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=TIMEOUT)
    return p.returncode, p.stdout, p.stderr


def secret_values(out):
    """The plain values of the secret objects vdisk printed, by id."""
    got = {}
    for line in out.splitlines():
        if line.startswith('{"qom-type":"secret"'):
            obj = json.loads(line)
            got[obj["id"]] = base64.b64decode(obj["data"])
    return got


def expected_values(env, disks_xml):
    """The values the disks' secret objects must carry, sorted: one per
    reference (by uuid= or usage=) to a secret that holds a value."""
    vals = []
    for sid, _, usage_id, value in env.secrets.values():
        refs = disks_xml.count("uuid='%s'" % sid) + disks_xml.count("usage='%s'" % usage_id)
        if value is not None:
            vals.extend([value] * refs)
    return sorted(vals)


def check(vdisk, env, tmp, case, verbose):
    name, kind, disks, extra = case
    disks_xml = "\n".join("    " + d for d in disks)
    xml = DOMAIN % {"name": PREFIX + name, "disks": disks_xml}
    xml_path = os.path.join(tmp, name + ".xml")
    with open(xml_path, "w") as f:
        f.write(xml)
    opts = []
    for what, key, value in extra:
        vpath = os.path.join(tmp, name + "-" + key)
        with open(vpath, "wb") as f:
            f.write(value)
        opts += ["--%s" % what, "%s=%s" % (key, vpath)]
    key_path = os.path.join(tmp, "master-key.aes")

    try:
        want = gen.disk_args(gen.native_argv(xml_path))
        lv_error = None
    except gen.VirshError as e:
        want, lv_error = None, str(e)

    rc, out, err = run_vdisk(vdisk, xml_path, opts + ["--master-key", key_path])
    if kind == "refuse":
        if lv_error is None:
            return "libvirt accepts the domain; the case expects a refusal"
        if rc != 3:
            return "libvirt refuses (%s), vdisk exit %d: %s" % (lv_error, rc, err.strip())
        if lv_error not in err or "target '" not in err:
            return "vdisk's message lacks libvirt's %r or the target: %s" % (lv_error, err.strip())
        if verbose:
            print("  %s: %s" % (name, err.strip()))
        return None
    if lv_error is not None:
        return "libvirt refuses: %s" % lv_error
    if kind == "vdisk-refuses":
        if rc != 3 or "private" not in err or "target 'vda'" not in err:
            return "expected a clear refusal (exit 3), got exit %d: %s" % (rc, err.strip())
        if verbose:
            print("  %s: %s" % (name, err.strip()))
        return None
    if rc != 0:
        return "vdisk exit %d: %s" % (rc, err.strip())
    want_text = normalize_text("".join(a + "\n" for a in want))
    got_text = normalize_text(out)
    if want_text != got_text:
        return "argv differs:\n" + "".join(difflib.unified_diff(
            want_text.splitlines(True), got_text.splitlines(True),
            "virsh domxml-to-native", "vdisk qemu-args --connect"))
    # the values themselves, in plain base64 without a master key
    rc, out, err = run_vdisk(vdisk, xml_path, opts)
    if rc != 0:
        return "without a master key: vdisk exit %d: %s" % (rc, err.strip())
    got = sorted(secret_values(out).values())
    if got != expected_values(env, disks_xml):
        return "secret values %r, libvirt holds %r" % (got, expected_values(env, disks_xml))
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vdisk", required=True)
    ap.add_argument("-k", metavar="SUBSTRING")
    ap.add_argument("-v", "--verbose", action="store_true")
    opts = ap.parse_args()

    why = lo.libvirt_available()
    if why:
        print("test_qemu_connect: libvirt does not answer (%s); skipped" % why)
        return 77
    env = Env()
    failed = []
    total = 0
    tmp = tempfile.mkdtemp(prefix="vdisk-connect-")
    try:
        with open(os.path.join(tmp, "master-key.aes"), "wb") as f:
            f.write(os.urandom(32))
        pool, path = setup(env)
        for case in cases(env, pool, path):
            if opts.k and opts.k not in case[0]:
                continue
            total += 1
            problem = check(opts.vdisk, env, tmp, case, opts.verbose)
            if problem is None:
                if opts.verbose:
                    print("PASS %s" % case[0])
            else:
                failed.append(case[0])
                print("FAIL %s: %s" % (case[0], problem))
    finally:
        env.remove()
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (total - len(failed), len(failed)))
    return 1 if failed or not total else 0


if __name__ == "__main__":
    sys.exit(main())
