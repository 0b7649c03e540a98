#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/disk-xml/, fuzz/corpus/domain-xml/ and
fuzz/corpus/qemu-translate/ (the domains of tests/data/qemu, which the real
libvirt defined or refused, plus the domain seeds).

Seeds are small valid disks and domains plus hostile inputs (DTD and
external entities, entity expansion bombs, deep nesting, a huge attribute,
invalid UTF-8, truncated documents).  Inputs found by fuzzing are added to
the corpus directories by hand (named crash-*, oom-* or found-*); this
script never deletes them.
"""

import glob
import os

HERE = os.path.dirname(os.path.abspath(__file__))

DISKS = {
    "file-qcow2": """<disk type='file' device='disk'>
  <driver name='qemu' type='qcow2' cache='none' io='native' discard='unmap'/>
  <source file='/var/lib/libvirt/images/a.qcow2'/>
  <target dev='vda' bus='virtio'/>
</disk>
""",
    "file-backing-chain": """<disk type='file' device='disk'>
  <driver name='qemu' type='qcow2'/>
  <source file='/var/lib/libvirt/images/top.qcow2'/>
  <backingStore type='file'>
    <format type='qcow2'/>
    <source file='/var/lib/libvirt/images/mid.qcow2'/>
    <backingStore type='file'>
      <format type='raw'/>
      <source file='/var/lib/libvirt/images/base.img'/>
      <backingStore/>
    </backingStore>
  </backingStore>
  <target dev='vdb'/>
</disk>
""",
    "block-lun": """<disk type='block' device='lun' sgio='unfiltered'>
  <driver name='qemu' type='raw'/>
  <source dev='/dev/sdz'/>
  <target dev='sda' bus='scsi'/>
  <address type='drive' controller='0' bus='0' target='0' unit='0'/>
</disk>
""",
    "cdrom-empty": """<disk type='file' device='cdrom'>
  <driver name='qemu' type='raw'/>
  <target dev='sdc' bus='sata' tray='open'/>
  <readonly/>
</disk>
""",
    "network-rbd": """<disk type='network' device='disk'>
  <driver name='qemu' type='raw' cache='writeback'/>
  <auth username='admin'>
    <secret type='ceph' uuid='2ec115d7-3a88-3ceb-bc12-0ac909a6fd87'/>
  </auth>
  <source protocol='rbd' name='pool/image'>
    <host name='mon1.example.org' port='6789'/>
    <host name='mon2.example.org' port='6789'/>
  </source>
  <target dev='vdc' bus='virtio'/>
</disk>
""",
    "network-nbd-unix": """<disk type='network' device='disk'>
  <driver name='qemu' type='raw'/>
  <source protocol='nbd' name='export'>
    <host transport='unix' socket='/run/nbd.sock'/>
  </source>
  <target dev='vdd'/>
</disk>
""",
    "network-https-cookies": """<disk type='network' device='cdrom'>
  <driver name='qemu' type='raw'/>
  <source protocol='https' name='/images/install.iso' query='token=abc'>
    <host name='mirror.example.org' port='443'/>
    <ssl verify='no'/>
    <cookies>
      <cookie name='session'>0123456789</cookie>
    </cookies>
    <readahead size='65536'/>
    <timeout seconds='10'/>
  </source>
  <target dev='sdd' bus='scsi'/>
  <readonly/>
</disk>
""",
    "volume": """<disk type='volume' device='disk'>
  <driver name='qemu' type='raw'/>
  <source pool='default' volume='data.img' mode='host'/>
  <target dev='vde'/>
</disk>
""",
    "iotune-serial": """<disk type='file' device='disk'>
  <driver name='qemu' type='raw' error_policy='stop' rerror_policy='report'/>
  <source file='/srv/x.img'/>
  <target dev='vdf' bus='virtio'/>
  <iotune>
    <total_bytes_sec>10000000</total_bytes_sec>
    <read_iops_sec>400</read_iops_sec>
    <write_iops_sec>100</write_iops_sec>
    <group_name>tenant</group_name>
  </iotune>
  <serial>WD-WMAP9A966149</serial>
  <boot order='1'/>
</disk>
""",
    "encrypted-luks": """<disk type='file' device='disk'>
  <driver name='qemu' type='qcow2'/>
  <source file='/var/lib/libvirt/images/luks.qcow2'>
    <encryption format='luks'>
      <secret type='passphrase' uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f'/>
    </encryption>
  </source>
  <target dev='vdg' bus='virtio'/>
</disk>
""",
    "nvme": """<disk type='nvme' device='disk'>
  <driver name='qemu' type='raw'/>
  <source type='pci' managed='yes' namespace='1'>
    <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
  </source>
  <target dev='vdh' bus='virtio'/>
</disk>
""",
    "unknown-elements-kept": """<disk type='file' device='disk' xmlns:x='urn:example'>
  <source file='/a b/&amp;&lt;c&gt;.img'/>
  <target dev='hda' bus='ide'/>
  <x:meta x:k='v'>text</x:meta>
  <future-element attr='1'/>
</disk>
""",
    "bad-cache-value": """<disk type='file'><driver name='qemu' cache='fast'/>
<source file='/x'/><target dev='vda'/></disk>
""",
    "bad-target-name": """<disk type='file'><source file='/x'/><target dev='vd'/></disk>
""",
}

DOMAIN_HEAD = """<domain type='kvm'>
  <name>fuzz</name>
  <memory unit='KiB'>524288</memory>
  <os>
    <type arch='x86_64' machine='%s'>hvm</type>
  </os>
  <devices>
"""
DOMAIN_TAIL = """  </devices>
</domain>
"""


def domain(machine, body):
    return DOMAIN_HEAD % machine + body + DOMAIN_TAIL


DOMAINS = {
    "q35-two-disks": domain("pc-q35-7.2", DISKS["file-qcow2"] + DISKS["cdrom-empty"] +
                            "    <controller type='scsi' index='0' model='virtio-scsi'/>\n"),
    "pc-ide": domain("pc", DISKS["unknown-elements-kept"] +
                     "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>\n"),
    "iothreads": """<domain type='kvm'>
  <name>io</name>
  <memory>1024</memory>
  <iothreads>2</iothreads>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <disk type='file'><driver name='qemu' type='raw' iothread='2'/>
      <source file='/x.img'/><target dev='vda' bus='virtio'/></disk>
    <controller type='pci' index='0' model='pcie-root'/>
  </devices>
</domain>
""",
    "no-devices": domain("pc", ""),
    "duplicate-target": domain("pc", DISKS["file-qcow2"] + DISKS["file-qcow2"]),
    "many-disks": domain("pc-q35-7.2", "".join(
        DISKS["file-qcow2"].replace("vda", "vd" + chr(ord("a") + i)).replace("a.qcow2", "%d.qcow2" % i)
        for i in range(20))),
}

# Hostile inputs, valid for both targets.
HOSTILE = {
    "xxe-system-entity": """<?xml version="1.0"?>
<!DOCTYPE disk [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<disk type='file'><source file='&xxe;'/><target dev='vda'/></disk>
""",
    "xxe-parameter-entity": """<?xml version="1.0"?>
<!DOCTYPE disk [ <!ENTITY % ext SYSTEM "http://127.0.0.1:1/evil.dtd"> %ext; ]>
<disk type='file'><source file='/x'/><target dev='vda'/></disk>
""",
    "external-dtd": """<?xml version="1.0"?>
<!DOCTYPE disk SYSTEM "file:///etc/libvirt/disk.dtd">
<disk type='file'><source file='/x'/><target dev='vda'/></disk>
""",
    "billion-laughs": "<?xml version='1.0'?>\n<!DOCTYPE disk [\n <!ENTITY l0 'lol'>\n" +
        "".join(" <!ENTITY l%d '%s'>\n" % (i, ("&l%d;" % (i - 1)) * 10) for i in range(1, 10)) +
        "]>\n<disk type='file'><serial>&l9;</serial><source file='/x'/><target dev='vda'/></disk>\n",
    "quadratic-blowup": "<?xml version='1.0'?>\n<!DOCTYPE disk [<!ENTITY a '" + "x" * 20000 +
        "'>]>\n<disk type='file'><serial>" + "&a;" * 2000 + "</serial><target dev='vda'/></disk>\n",
    "deep-nesting": "<disk type='file'><target dev='vda'/>" + "<a>" * 5000 + "</a>" * 5000 +
        "</disk>\n",
    "deep-backing-chain": "<disk type='file'><driver name='qemu' type='qcow2'/><source file='/t'/>" +
        "".join("<backingStore type='file'><format type='qcow2'/><source file='/b%d'/>" % i
                for i in range(200)) + "</backingStore>" * 200 + "<target dev='vda'/></disk>\n",
    "huge-attribute": "<disk type='file'><source file='/" + "A" * 100000 +
        "'/><target dev='vda'/></disk>\n",
    "many-attributes": "<disk type='file' " + " ".join("a%d='%d'" % (i, i) for i in range(3000)) +
        "><target dev='vda'/></disk>\n",
    "truncated": "<disk type='file' device='disk'>\n  <driver name='qemu' type='qcow2'/>\n  <source file='/var/lib/li",
    "truncated-in-tag": "<disk type='file'><target dev='vda",
    "unclosed-root": "<disk type='file'><target dev='vda'/>\n",
    "empty": "",
    "whitespace-only": " \n\t\n",
    "two-roots": "<disk type='file'><target dev='vda'/></disk><disk type='file'><target dev='vdb'/></disk>\n",
    "processing-instruction": "<?xml-stylesheet href='x'?><!-- c --><disk type='file'><?pi data?><target dev='vda'/></disk>\n",
    "cdata-and-comments": "<disk type='file'><!-- a --><serial><![CDATA[<x>&]]></serial><target dev='vda'/></disk>\n",
    "xinclude": "<disk type='file' xmlns:xi='http://www.w3.org/2001/XInclude'><xi:include href='/etc/passwd' parse='text'/><target dev='vda'/></disk>\n",
    "numeric-overflow": "<disk type='file'><source file='/x'/><target dev='vda'/><iotune><total_bytes_sec>" +
        "9" * 40 + "</total_bytes_sec></iotune><boot order='-1'/><blockio logical_block_size='99999999999999'/></disk>\n",
    "char-refs": "<disk type='file'><source file='/x&#0;y&#xD800;&#x110000;'/><target dev='vda'/></disk>\n",
}
HOSTILE_BYTES = {
    "invalid-utf8": b"<disk type='file'><source file='/\xff\xfe\xc3\x28\xe2\x82'/><target dev='vda'/></disk>\n",
    "overlong-utf8": b"<disk type='file'><source file='/\xc0\xaf\xe0\x80\xaf'/><target dev='vda'/></disk>\n",
    "utf16-bom": "\ufeff<disk type='file'><target dev='vda'/></disk>".encode("utf-16"),
    "nul-inside": b"<disk type='file'>\x00<target dev='vda'/></disk>\n",
    "latin1-declared": "<?xml version='1.0' encoding='ISO-8859-1'?><disk type='file'><serial>caf\xe9</serial><target dev='vda'/></disk>\n".encode("latin-1"),
}


def as_domain(text):
    """The same hostile construct, with the <disk> moved into a <domain>."""
    if not isinstance(text, str):
        return text
    start, end = text.find("<disk"), text.rfind("</disk>")
    if start < 0 or end < 0 or text.count("<disk") > 1:
        return text
    end += len("</disk>")
    return (text[:start].replace("<!DOCTYPE disk", "<!DOCTYPE domain") +
            domain("pc", text[start:end] + "\n") + text[end:].lstrip("\n"))


def write(directory, name, content):
    os.makedirs(directory, exist_ok=True)
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def main():
    disk_dir = os.path.join(HERE, "corpus", "disk-xml")
    dom_dir = os.path.join(HERE, "corpus", "domain-xml")
    for name, text in DISKS.items():
        write(disk_dir, "seed-" + name + ".xml", text)
    for name, text in DOMAINS.items():
        write(dom_dir, "seed-" + name + ".xml", text)
    for name, text in list(HOSTILE.items()) + list(HOSTILE_BYTES.items()):
        write(disk_dir, "hostile-" + name, text)
        write(dom_dir, "hostile-" + name, as_domain(text))
    qemu_dir = os.path.join(HERE, "corpus", "qemu-translate")
    for name, text in DOMAINS.items():
        write(qemu_dir, "seed-" + name + ".xml", text)
    golden = os.path.join(HERE, "..", "tests", "data", "qemu")
    for path in sorted(glob.glob(os.path.join(golden, "[0-9]*.xml"))):
        if path.endswith(".addressed.xml"):
            continue
        with open(path, "rb") as f:
            write(qemu_dir, "golden-" + os.path.basename(path), f.read())


if __name__ == "__main__":
    main()
