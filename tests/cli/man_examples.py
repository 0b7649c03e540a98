#!/usr/bin/python3
"""The EXAMPLES of the vdisk(1) man page, run.

Every command of the EXAMPLES section of docs/vdisk.1 is run as written
(offline: those that need no libvirt; live: the others),
in a directory holding the domain.xml the examples read (a copy of
examples/domain.xml); where a command is followed by lines of output,
the command's output (stdout and stderr) must be those lines exactly, and
every command must exit 0 unless its output is an error. The examples that
work on a running domain ('#' prompt) run against the libvirtd of
qemu:///system: "web1" stands for a domain defined and started for the run (a
virtio disk and a sata cdrom), the pool "default" for a directory pool of
the run's own, and "qemu+ssh://root@host2/system" for qemu:///system (the
test has no second host); the paths they name are the run's.

Usage: man_examples.py VDISK MANPAGE EXAMPLES_DIR [offline|live]
Exit status 0 when every example ran as the page says, 77 (skipped) for
live without libvirtd.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

URI = "qemu:///system"


def roff_examples(page):
    """[(prompt, command, [expected output lines])] of the EXAMPLES section."""
    with open(page) as f:
        text = f.read()
    section = text.split(".SH EXAMPLES", 1)[1].split("\n.SH ", 1)[0]
    out = []
    for block in re.findall(r"^\.EX\n(.*?)^\.EE", section, re.S | re.M):
        lines = [l.replace("\\-", "-").replace("\\e", "\\") for l in block.splitlines()]
        cmd = None
        for line in lines:
            if cmd is not None and cmd[1].endswith("\\"):
                # a shell line continuation, kept for the shell
                cmd[1] = cmd[1] + "\n" + line
                continue
            m = re.match(r"^([$#]) (.*)$", line)
            if m:
                cmd = [m.group(1), m.group(2), []]
                out.append(cmd)
            elif cmd is not None:
                cmd[2].append(line)
    return [tuple(c) for c in out]


def virsh(*args, check=True):
    p = subprocess.run(["virsh", "-c", URI] + list(args), capture_output=True, text=True)
    if check and p.returncode:
        raise RuntimeError("virsh %s: %s" % (" ".join(args), p.stderr.strip()))
    return p


DOMAIN = """<domain type='qemu'>
  <name>%(name)s</name>
  <memory unit='MiB'>160</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type>%(boot)s</os>
  <features><acpi/></features>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='%(dir)s/boot.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <target dev='sda' bus='scsi'/>
      <readonly/>
    </disk>
    <controller type='scsi' index='0' model='virtio-scsi'/>
    <serial type='file'><source path='%(dir)s/serial.log'/><target port='0'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
"""

POOL = """<pool type='dir'><name>%(name)s</name><target><path>%(dir)s</path></target></pool>"""


def main():
    vdisk, page, examples, mode = sys.argv[1:5]
    vdisk = os.path.abspath(vdisk)
    # the examples that need libvirt: root's, and those naming a connection
    cases = [c for c in roff_examples(page)
             if bool(c[0] == "#" or re.search(r"(^|\s)(-c|--connect)[ =]", c[1]))
             == (mode == "live")]
    if not cases:
        print("no %s examples in %s" % (mode, page))
        return 1
    tmp = tempfile.mkdtemp(prefix="vdtest-man-", dir="/var/lib/libvirt/images"
                           if mode == "live" else None)
    os.chmod(tmp, 0o755)
    shutil.copy(os.path.join(examples, "domain.xml"), os.path.join(tmp, "domain.xml"))
    subst = {}
    made = []
    failures = 0
    try:
        if mode == "live":
            if subprocess.run(["virsh", "-c", URI, "version"], capture_output=True).returncode:
                print("skipped: no libvirtd on %s" % URI)
                return 77
            tag = "clitest-man-%d" % os.getpid()
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2",
                            os.path.join(tmp, "boot.qcow2"), "16M"], check=True)
            open(os.path.join(tmp, "debian.iso"), "wb").write(b"\0" * 1048576)
            # the booted test guest (VDTEST_GUEST_DIR), so that a virtio disk
            # is released when it is detached, as on a real "web1"
            guest = os.environ.get("VDTEST_GUEST_DIR")
            boot = ""
            if guest:
                for f in ("vmlinuz", "initrd.gz"):
                    shutil.copy(os.path.join(guest, f), os.path.join(tmp, f))
                boot = ("<kernel>%s/vmlinuz</kernel><initrd>%s/initrd.gz</initrd>"
                        "<cmdline>console=ttyS0 quiet vdtest.mode=watch</cmdline>" % (tmp, tmp))
            with open(os.path.join(tmp, "dom.xml"), "w") as f:
                f.write(DOMAIN % {"name": tag, "dir": tmp, "boot": boot})
            with open(os.path.join(tmp, "pool.xml"), "w") as f:
                f.write(POOL % {"name": tag + "-pool", "dir": tmp})
            virsh("pool-create", os.path.join(tmp, "pool.xml"))
            made.append(("pool-destroy", tag + "-pool"))
            # persistent: the examples change its configuration too
            virsh("define", os.path.join(tmp, "dom.xml"))
            made.append(("undefine", tag))
            virsh("start", tag)
            made.append(("destroy", tag))
            if guest:
                end = time.monotonic() + 120
                while "VDTEST ready" not in open(os.path.join(tmp, "serial.log"),
                                                 errors="replace").read():
                    if time.monotonic() > end:
                        raise RuntimeError("the test guest did not boot")
                    time.sleep(0.25)
            subst = {"web1": tag, " default ": " %s-pool " % tag,
                     "qemu+ssh://root@host2/system": URI,
                     "/var/lib/libvirt/images/": tmp + "/"}
        for prompt, command, expected in cases:
            run = command
            for k, v in subst.items():
                run = run.replace(k, v)
            run = re.sub(r"(^|\s|\|\s)vdisk ", lambda m: m.group(1) + vdisk + " ", run)
            p = subprocess.run(["/bin/bash", "-c", run], cwd=tmp, capture_output=True,
                               text=True, stdin=subprocess.DEVNULL, timeout=120)
            got = (p.stdout + p.stderr).splitlines()
            want = []
            for line in expected:
                for k, v in subst.items():
                    line = line.replace(k, v)
                want.append(line)
            problem = None
            if want and got != want:
                problem = "printed %r, the page says %r" % (got, want)
            elif not want and p.returncode != 0:
                problem = "exit %d: %s" % (p.returncode, (p.stdout + p.stderr).strip())
            elif want and p.returncode != 0 and not any(l.startswith("vdisk: ") for l in want):
                problem = "exit %d, but the page shows no error" % p.returncode
            print("%s %s%s" % ("FAIL" if problem else "ok  ", command.replace("\n", " "),
                               "\n     " + problem if problem else ""))
            failures += bool(problem)
    finally:
        for what, name in reversed(made):
            virsh(what, name, check=False)
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d examples, %d failed" % (len(cases), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
