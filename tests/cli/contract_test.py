#!/usr/bin/env python3
"""The contract every vdisk subcommand keeps with --json: exactly one JSON
object on stdout ({"ok": true, ...} or {"ok": false, "error": {"code",
"message", "exit"}}), valid UTF-8, the exit status the error code calls for
(docs/vdisk.1, EXIT STATUS), and for a failure one "vdisk: " line on
stderr holding the same message.

Usage: contract_test.py VDISK DATA_DIR CASE   (CASE: offline or live)
The live case needs libvirtd on qemu:///system; it creates a transient
clitest- domain and removes it.
"""
import json
import os
import subprocess
import sys
import tempfile

VDISK, DATA, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
URI = "qemu:///system"
# error code -> exit status, as docs/vdisk.1 and include/vdisk/common.h say
EXIT_FOR = {"usage": 2, "invalid-argument": 3, "xml": 3, "invalid": 3, "unsupported": 3,
            "not-found": 3, "exists": 3, "transient": 3, "pending": 4, "internal": 1,
            "no-memory": 1, "libvirt": 1, "system": 1}
failures = []


def run(args, want_exit, want_code=None, want_in_message=None):
    """Runs vdisk ARGS... --json, checks the contract, returns the object."""
    args = [os.fsencode(a) for a in args]
    # --json right after the subcommand: an option missing its argument at
    # the end stays one
    res = subprocess.run([VDISK.encode()] + args[:1] + [b"--json"] + args[1:],
                         stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=120)
    what = b" ".join(args).decode("utf-8", "surrogateescape")

    def fail(msg):
        failures.append("vdisk %s --json: %s\n  stdout: %r\n  stderr: %r" %
                        (what, msg, res.stdout[:2000], res.stderr[:2000]))
        return None

    try:
        text = res.stdout.decode("utf-8")
    except UnicodeDecodeError as e:
        return fail("stdout is not UTF-8: %s" % e)
    try:
        obj, end = json.JSONDecoder().raw_decode(text)
    except ValueError as e:
        return fail("stdout is not JSON: %s" % e)
    if text[end:].strip():
        return fail("more than one JSON value on stdout")
    if not isinstance(obj, dict) or not isinstance(obj.get("ok"), bool):
        return fail("not an object with a boolean 'ok'")
    if res.returncode != want_exit:
        return fail("exit status %d, expected %d" % (res.returncode, want_exit))
    if obj["ok"] != (want_exit == 0):
        return fail("'ok' is %s with exit status %d" % (obj["ok"], res.returncode))
    if obj["ok"]:
        return obj
    err = obj.get("error")
    if not isinstance(err, dict) or not {"code", "message", "exit"} <= set(err):
        return fail("error object lacks code, message or exit")
    if err["exit"] != res.returncode or EXIT_FOR.get(err["code"]) != res.returncode:
        return fail("code %r with exit %r: the table says %r" %
                    (err["code"], err["exit"], EXIT_FOR.get(err["code"])))
    if want_code and err["code"] != want_code:
        return fail("code %r, expected %r" % (err["code"], want_code))
    lines = [l for l in res.stderr.decode("utf-8", "surrogateescape").splitlines()
             if l.startswith(("vdisk:", "libvirt:"))]
    if len(lines) != 1 or not lines[0].startswith("vdisk: "):
        return fail("stderr holds %d vdisk:/libvirt: lines, expected one vdisk: line" %
                    len(lines))
    if not lines[0].endswith(err["message"]):
        return fail("stderr says %r, JSON says %r" % (lines[0], err["message"]))
    if want_in_message and want_in_message not in err["message"]:
        return fail("message does not name %r" % want_in_message)
    return obj


def data(name):
    return os.path.join(DATA, name)


def offline():
    disk = data("disk-file.xml")
    # success
    obj = run(["xml", disk], 0)
    if obj and "<disk" not in obj.get("xml", ""):
        failures.append("xml --json: no disk XML in 'xml'")
    obj = run(["check", disk], 0)
    if obj and obj.get("valid") is not True:
        failures.append("check --json: 'valid' is not true")
    obj = run(["qemu-args", disk], 0)
    if obj and not (isinstance(obj.get("argv"), list) and "-blockdev" in obj["argv"]):
        failures.append("qemu-args --json: no -blockdev in 'argv'")
    obj = run(["qemu-args", "--qmp", disk], 0)
    if obj and not (obj.get("qmp") and obj["qmp"][0].get("execute") == "blockdev-add"):
        failures.append("qemu-args --qmp --json: 'qmp' holds no blockdev-add object")
    run(["qemu-args", "--shell", disk], 0)
    # usage errors, for every subcommand and at the top
    run([], 2, "usage")
    run(["frobnicate"], 2, "usage", "frobnicate")
    for sub in ("xml", "check", "qemu-args", "list", "attach", "detach", "change-media",
                "next-target", "set-iotune", "recover", "volume-create"):
        run([sub, "--bogus-option"], 2, "usage", "--bogus-option")
        run([sub], 2, "usage")
    run(["list", "d", "--connect"], 2, "usage", "requires an argument")
    # an option of another subcommand is named, not its value
    run(["list", "--wait", "5", "d"], 2, "usage", "'--wait'")
    run(["next-target", "dom", "virtoi"], 2, "usage", "virtio")
    run(["attach", "--bus", "virtoi", "dom", "/x"], 2, "usage", "virtio")
    run(["attach", "--cache", "fast", "dom", "/x"], 2, "usage", "writeback")
    run(["attach", "--format", "qcow3", "dom", "/x"], 2, "usage", "qcow2")
    run(["volume-create", "--format", "qcow3", "p", "n", "1M"], 2, "usage", "qcow2")
    # unreadable input, refused input
    run(["xml", data("no-such-file.xml")], 2, "usage", "no-such-file.xml")
    run(["check", DATA], 2, "usage")
    run(["check", data("disk-bad-cache.xml")], 3, "invalid", "fast")
    run(["xml", data("not-xml.xml")], 3, "xml")
    run(["qemu-args", "--machine=bogus", disk], 3, "invalid-argument", "pc-q35-")
    # a libvirt failure: a URI nobody answers, and one that is not QEMU's
    for sub in (["list", "d"], ["recover", "d"], ["next-target", "d", "scsi"]):
        run(sub + ["--connect", "qemu+tcp://127.0.0.1:1/system"], 1, "libvirt")
    run(["list", "--connect", "bogus:///x", "d"], 3, "invalid-argument")
    run(["qemu-args", "--connect", "qemu+tcp://127.0.0.1:1/system", disk], 1, "libvirt")
    # a path that is not UTF-8: in messages and in results
    with tempfile.TemporaryDirectory(prefix="clitest-") as tmp:
        bad = os.path.join(os.fsencode(tmp), b"disk-\xff\xfe.xml")
        obj = run(["check", os.fsdecode(bad)], 2, "usage")
        if obj and "\udcff" not in obj["error"]["message"]:
            failures.append("the byte 0xff is not \\udcff in the message")
        with open(bad, "wb") as f:
            f.write(b"<disk type='file' device='disk'><source file='/img-\xff.raw'/>"
                    b"<target dev='vda' bus='virtio'/></disk>")
        for sub in ("xml", "qemu-args"):
            run([sub, os.fsdecode(bad)], 3)  # not UTF-8 XML: refused, as JSON still
        with open(bad, "wb") as f:
            f.write(b"<disk type='file' device='disk'><source file='/img-\xc3\xa9.raw'/>"
                    b"<target dev='vda' bus='virtio'/></disk>")
        obj = run(["xml", os.fsdecode(bad)], 0)
        if obj and "/img-\u00e9.raw" not in obj["xml"]:
            failures.append("UTF-8 in a path did not come through")


DOMAIN_XML = """<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features><devices>
<controller type='scsi' model='virtio-scsi'/>
<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>
<memballoon model='none'/></devices></domain>"""


def virsh(*args):
    return subprocess.run(["virsh", "-c", URI] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def live():
    name = "clitest-contract-%d" % os.getpid()
    tmp = tempfile.mkdtemp(prefix="clitest-contract-", dir="/var/lib/libvirt/images")
    os.chmod(tmp, 0o755)
    try:
        xml = os.path.join(tmp, "dom.xml")
        with open(xml, "w") as f:
            f.write(DOMAIN_XML % name)
        res = virsh("create", xml)
        if res.returncode != 0:
            failures.append("cannot create the test domain: " + res.stderr)
            return
        img = os.path.join(tmp, "a.raw")
        with open(img, "wb") as f:
            f.truncate(1 << 20)
        os.mkdir(os.path.join(tmp, "adir"))
        missing = os.path.join(tmp, "missing.img")
        adir = os.path.join(tmp, "adir")

        obj = run(["list", name], 0)
        if obj and not (obj.get("domain") == name and isinstance(obj.get("disks"), list)):
            failures.append("list --json: not {'domain': NAME, 'disks': [...]}")
        run(["next-target", name, "scsi"], 0)
        obj = run(["attach", "--target", "sda", "--bus", "scsi", "--format", "raw", name, img], 0)
        run(["set-iotune", "--total-iops-sec", "100", name, "sda"], 0)
        run(["detach", name, "sda"], 0)
        run(["recover", name], 0)
        # pending: a virtio disk the guest (none runs here) never releases
        run(["attach", "--target", "vdb", "--bus", "virtio", "--format", "raw", name, img], 0)
        run(["detach", "--wait=1", name, "vdb"], 4, "pending", "vdb")
        # not found
        run(["list", "clitest-no-such-domain"], 3, "not-found", "clitest-no-such-domain")
        run(["detach", name, "sdz"], 3, "not-found", "sdz")
        run(["set-iotune", "--total-iops-sec", "1", name, "sdz"], 3, "not-found", "sdz")
        # one cause, one status: a missing image, a directory
        for src, code in ((missing, "not-found"), (adir, "invalid-argument")):
            run(["attach", name, src], 3, code, src)
            run(["attach", "--format=auto", name, src], 3, code, src)
            run(["attach", "--format=raw", name, src], 3, code, src)
            run(["change-media", name, "hdc", "--insert", src], 3, code, src)
        # refused: a transient domain has no persistent definition
        run(["attach", "--config", "--format", "raw", name, img], 3, "transient")
        run(["change-media", name, "hdc"], 2, "usage")
    finally:
        virsh("destroy", name)
        subprocess.run(["rm", "-rf", tmp])


{"offline": offline, "live": live}[CASE]()
for f in failures:
    print("FAIL:", f)
print("%s: %d failure(s)" % (CASE, len(failures)))
sys.exit(1 if failures else 0)
