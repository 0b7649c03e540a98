"""Shared helpers for the libvirt oracle: wrap corpus disks in a test domain,
define it in a real libvirtd, read libvirt's own view of the disks back.

Python 3 standard library plus the virsh and virt-xml-validate programs only.
"""

import os
import re
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "data")
DISKS_DIR = os.path.join(DATA, "disks")
REFUSE_DIR = os.path.join(DATA, "refuse")
WRAPPER = os.path.join(DATA, "domains", "wrapper.xml")
URI = os.environ.get("VDISK_LIBVIRT_URI", "qemu:///system")

# A corpus file may carry directives in XML comments before its root element:
#   <!-- vdisk-test: machine=q35 -->    wrap in a q35 machine instead of pc
#   <!-- vdisk-test: validate=no -->    skip virt-xml-validate (see below)
#   <!-- vdisk-test: expect=VALUE -->   (refusals) the value vdisk check must
#                                       name; alternatives separated by |
#   <!-- vdisk-test: libvirt-drops=WHAT --> libvirt 9.0 drops WHAT (content it
#                                       does not know), which libvdisk keeps:
#                                       our output is not libvirt's own view
DIRECTIVE_RE = re.compile(r"<!--\s*vdisk-test:\s*(.*?)\s*-->")
DISK_RE = re.compile(r"<disk\b.*?</disk>", re.S)
XMLDECL_RE = re.compile(r"<\?xml[^>]*\?>\s*")
NAME_RE = re.compile(r"<name>[^<]*</name>")
USB_MODEL = {"pc": "piix3-uhci", "q35": "qemu-xhci"}


class VirshError(Exception):
    """virsh failed; the message is libvirt's error text."""


def corpus_files(directory):
    """The corpus inputs of a directory (NNN-name.xml), sorted, outputs excluded."""
    return sorted(
        os.path.join(directory, f)
        for f in os.listdir(directory)
        if f.endswith(".xml") and not f.endswith(".libvirt.xml")
    )


def golden_path(path):
    return path[: -len(".xml")] + ".libvirt.xml"


def start_error_path(path):
    return path[: -len(".xml")] + ".libvirt-start-error"


# domxml-to-native failures that depend on the host's objects (secrets, pools),
# not on the disk's configuration.
HOST_DEPENDENT_RE = re.compile(r"^(Secret|Storage pool|Storage volume) not found")


def error_path(path):
    return path[: -len(".xml")] + ".libvirt-error"


def directives(text):
    """key=value settings from the file's vdisk-test comments."""
    out = {}
    for m in DIRECTIVE_RE.finditer(text):
        for item in m.group(1).split():
            key, _, value = item.partition("=")
            out[key] = value
    return out


def directives_quoted(text):
    """Like directives(), values may be quoted: expect="iothread '5'"."""
    import shlex
    out = {}
    for m in DIRECTIVE_RE.finditer(text):
        for item in shlex.split(m.group(1)):
            key, _, value = item.partition("=")
            out[key] = value
    return out


def strip_header(text):
    """The file text without an XML declaration and vdisk-test comments."""
    text = XMLDECL_RE.sub("", text)
    text = DIRECTIVE_RE.sub("", text)
    return text.strip() + "\n"


def wants_validation(text):
    """False for files marked validate=no: they hold elements that libvirt 9.0
    parses (or silently drops) but its RelaxNG schema does not describe."""
    return directives(text).get("validate", "yes") != "no"


def is_domain(text):
    return re.match(r"\s*<domain\b", strip_header(text)) is not None


def indent(text, prefix):
    return "".join(prefix + line if line.strip() else line
                   for line in text.splitlines(True))


def wrap(text, name, disks=None):
    """A complete domain XML for a corpus file.

    text is the corpus file; a <disk> file is placed into the wrapper domain, a
    <domain> file is used as it is.  With disks (a list of <disk> texts) the
    file's own disks are replaced by those.
    """
    opts = directives(text)
    body = strip_header(text)
    if is_domain(text):
        dom = NAME_RE.sub("<name>%s</name>" % name, body, count=1)
        if disks is not None:
            first = DISK_RE.search(dom)
            if first is None:
                raise ValueError("domain file holds no <disk>")
            start = first.start()
            dom = DISK_RE.sub("", dom)
            dom = dom[:start] + "\n".join(d.strip() for d in disks) + dom[start:]
        return dom
    machine = opts.get("machine", "pc")
    if disks is not None:
        body = "\n".join(d.strip() for d in disks) + "\n"
    with open(WRAPPER) as f:
        tmpl = f.read()
    return (tmpl.replace("@NAME@", name)
            .replace("@MACHINE@", machine)
            .replace("@USB@", USB_MODEL.get(machine, "qemu-xhci"))
            .replace("@DISKS@\n", indent(body, "    ")))


def virsh(*args, stdin=None):
    """Run virsh; return stdout or raise VirshError with libvirt's message."""
    p = subprocess.run(["virsh", "-q", "-c", URI] + list(args), input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if p.returncode != 0:
        raise VirshError(clean_error(p.stderr))
    return p.stdout


def clean_error(stderr):
    """libvirt's message without virsh's own 'Failed to define' preamble."""
    lines = [l.strip() for l in stderr.splitlines() if l.strip()]
    lines = [l for l in lines
             if not re.match(r"error: (Failed to define domain|"
                             r"Failed to convert domain)", l)]
    msg = "\n".join(lines)
    return re.sub(r"^error: ", "", msg, flags=re.M)


def with_tempfile(text, fn, suffix=".xml"):
    fd, path = tempfile.mkstemp(prefix="vdisk-oracle-", suffix=suffix)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return fn(path)
    finally:
        os.unlink(path)


def undefine(name):
    try:
        virsh("undefine", name)
    except VirshError:
        pass


def define_and_dump(domxml, name):
    """Define domxml as name, return the inactive dumpxml (with the secure
    parts such as cookies, which libvirt hides otherwise), undefine again."""
    undefine(name)
    with_tempfile(domxml, lambda p: virsh("define", p))
    try:
        return virsh("dumpxml", "--inactive", "--security-info", name)
    finally:
        undefine(name)


def to_native(domxml):
    """virsh domxml-to-native qemu-argv (start-time validation)."""
    return with_tempfile(domxml, lambda p: virsh("domxml-to-native", "qemu-argv", p))


def validate(domxml):
    """virt-xml-validate the domain; return None when valid, else the message."""
    def run(path):
        p = subprocess.run(["virt-xml-validate", path, "domain"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        if p.returncode != 0:
            return p.stdout.strip().replace(path, "<domain>")
        return None
    return with_tempfile(domxml, run)


def dumped_disks(dumpxml):
    """Each <disk> element of a dumpxml, libvirt's text re-indented to column 0."""
    out = []
    lines = dumpxml.splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)<disk\b", lines[i])
        if not m:
            i += 1
            continue
        pad = m.group(1)
        block = []
        while True:
            line = lines[i]
            block.append(line[len(pad):] if line.startswith(pad) else line.lstrip())
            i += 1
            if line.strip() == "</disk>" and line.startswith(pad) and \
                    not line[len(pad)].isspace():
                break
        out.append("\n".join(block) + "\n")
    return out


def libvirt_available():
    """None when the QEMU driver answers, else the reason."""
    try:
        virsh("version")
        return None
    except VirshError as e:
        return str(e)
    except OSError as e:
        return str(e)
