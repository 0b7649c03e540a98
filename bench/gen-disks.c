/*
 * gen-disks.c: generators of distinct, realistic disk XML for the benchmarks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gen-disks.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growable string ------------------------------------------------------------ */

void
gen_buf_add(gen_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            abort();
        if (b->s && b->len + (size_t)n < b->cap)
            break;
        b->cap = (b->cap + (size_t)n + 1) * 2;
        if (!(b->s = realloc(b->s, b->cap)))
            abort();
    }
    b->len += (size_t)n;
}

/* ---- generator ---------------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

unsigned int
gen_rnd(unsigned int n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned int)(rng_state % n);
}

const char *
gen_pick(const char *const *v, size_t n)
{
    return v[gen_rnd((unsigned int)n)];
}

/* libvirt's disk names: vda..vdz, vdaa, ... */
void
gen_target_name(char *out, size_t size, const char *prefix, unsigned int idx)
{
    char rev[16];
    size_t n = 0;
    size_t plen = strlen(prefix);
    size_t i;

    do {
        rev[n++] = (char)('a' + idx % 26);
        idx = idx / 26;
    } while (idx-- > 0 && n < sizeof(rev));
    if (plen + n + 1 > size)
        abort();
    memcpy(out, prefix, plen);
    for (i = 0; i < n; i++)
        out[plen + i] = rev[n - 1 - i];
    out[plen + n] = '\0';
}

static void
add_iotune(gen_buf *b, unsigned int i)
{
    if (gen_rnd(3) != 0)
        return;
    gen_buf_add(b, "  <iotune>\n");
    if (gen_rnd(2)) {
        gen_buf_add(b, "    <total_bytes_sec>%u</total_bytes_sec>\n", 10000000 + i * 1000);
    } else {
        gen_buf_add(b, "    <read_bytes_sec>%u</read_bytes_sec>\n", 20000000 + i * 100);
        gen_buf_add(b, "    <write_bytes_sec>%u</write_bytes_sec>\n", 10000000 + i * 100);
    }
    if (gen_rnd(2)) {
        gen_buf_add(b, "    <total_iops_sec>%u</total_iops_sec>\n", 1000 + i);
        if (gen_rnd(2))
            gen_buf_add(b,
                        "    <total_iops_sec_max>%u</total_iops_sec_max>\n"
                        "    <total_iops_sec_max_length>%u</total_iops_sec_max_length>\n",
                        4000 + i, 1 + gen_rnd(60));
    }
    if (gen_rnd(4) == 0)
        gen_buf_add(b, "    <group_name>tenant-%u</group_name>\n", i);
    gen_buf_add(b, "  </iotune>\n");
}

static void
add_backing_chain(gen_buf *b, unsigned int i, unsigned int depth)
{
    unsigned int d;

    for (d = 0; d < depth; d++) {
        const char *fmt = d + 1 == depth && gen_rnd(2) ? "raw" : "qcow2";

        gen_buf_add(b, "%*s<backingStore type='file'>\n", 2 + 2 * d, "");
        gen_buf_add(b, "%*s<format type='%s'/>\n", 4 + 2 * d, "", fmt);
        gen_buf_add(b, "%*s<source file='/var/lib/libvirt/images/base-%u-%u.%s'/>\n", 4 + 2 * d, "",
                    i, d, strcmp(fmt, "raw") == 0 ? "img" : "qcow2");
    }
    if (depth > 0)
        gen_buf_add(b, "%*s<backingStore/>\n", 2 + 2 * depth, "");
    for (d = depth; d-- > 0;)
        gen_buf_add(b, "%*s</backingStore>\n", 2 + 2 * d, "");
}

static void
add_driver(gen_buf *b, const char *format, int cdrom)
{
    static const char *const caches[] = {NULL,           "none",       "writeback",
                                         "writethrough", "directsync", "unsafe"};
    static const char *const policies[] = {NULL, "stop", "report", "ignore", "enospace"};
    const char *cache = GEN_PICK(caches);
    const char *policy = cdrom ? NULL : GEN_PICK(policies);

    gen_buf_add(b, "  <driver name='qemu' type='%s'", format);
    if (cache)
        gen_buf_add(b, " cache='%s'", cache);
    if (policy)
        gen_buf_add(b, " error_policy='%s'", policy);
    if (!cdrom && cache && (strcmp(cache, "none") == 0 || strcmp(cache, "directsync") == 0) &&
        gen_rnd(2))
        gen_buf_add(b, " io='native'");
    else if (gen_rnd(3) == 0)
        gen_buf_add(b, " io='%s'", gen_rnd(2) ? "threads" : "io_uring");
    if (!cdrom && gen_rnd(2)) {
        if (gen_rnd(2))
            gen_buf_add(b, " discard='unmap' detect_zeroes='unmap'");
        else
            gen_buf_add(b, " discard='ignore' detect_zeroes='%s'", gen_rnd(2) ? "on" : "off");
    }
    gen_buf_add(b, "/>\n");
}

static void
add_target(gen_buf *b, gen_target_counter *tc, const char *bus)
{
    char dev[32];

    if (strcmp(bus, "virtio") == 0)
        gen_target_name(dev, sizeof(dev), "vd", tc->vd++);
    else
        gen_target_name(dev, sizeof(dev), "sd", tc->sd++);
    gen_buf_add(b, "  <target dev='%s' bus='%s'/>\n", dev, bus);
}

/* One distinct, valid disk; @i makes paths, names and serials unique. */
char *
gen_disk(unsigned int i, gen_target_counter *tc)
{
    static const char *const hosts[] = {"storage1.example.org", "storage2.example.org", "10.0.12.7",
                                        "ceph-mon-a.lab.example.net"};
    static const char *const disk_buses[] = {"virtio", "virtio", "virtio", "scsi", "sata"};
    gen_buf b = {0};
    unsigned int kind = gen_rnd(10);

    switch (kind) {
    case 0: /* cdrom with an ISO, or empty */
        gen_buf_add(&b, "<disk type='file' device='cdrom'>\n");
        add_driver(&b, "raw", 1);
        if (gen_rnd(4))
            gen_buf_add(&b, "  <source file='/srv/iso/install-%u.iso'/>\n", i);
        add_target(&b, tc, gen_rnd(2) ? "sata" : "scsi");
        gen_buf_add(&b, "  <readonly/>\n");
        break;
    case 1: /* block device */
    case 2:
        /* libvirt 9.0 refuses sgio='unfiltered'; 'filtered' is the default. */
        gen_buf_add(&b, "<disk type='block' device='%s'%s>\n", kind == 1 ? "disk" : "lun",
                    kind == 2 && gen_rnd(2) ? " sgio='filtered'" : "");
        add_driver(&b, "raw", 0);
        gen_buf_add(&b, "  <source dev='/dev/mapper/vg%u-lv%u'/>\n", i % 7, i);
        add_target(&b, tc, kind == 1 ? GEN_PICK(disk_buses) : "scsi");
        break;
    case 3: { /* rbd */
        gen_buf_add(&b, "<disk type='network' device='disk'>\n");
        add_driver(&b, "raw", 0);
        gen_buf_add(&b,
                    "  <auth username='tenant%u'>\n"
                    "    <secret type='ceph' uuid='3e5a2ab0-7c4e-4d9b-8e1f-%012u'/>\n"
                    "  </auth>\n",
                    i % 13, i);
        gen_buf_add(&b, "  <source protocol='rbd' name='volumes/volume-%08x'>\n", i * 2654435761u);
        gen_buf_add(&b, "    <host name='%s' port='6789'/>\n", GEN_PICK(hosts));
        if (gen_rnd(2))
            gen_buf_add(&b, "    <host name='%s' port='6789'/>\n", GEN_PICK(hosts));
        gen_buf_add(&b, "  </source>\n");
        add_target(&b, tc, "virtio");
        break;
    }
    case 4: /* nbd, iscsi, gluster */
        gen_buf_add(&b, "<disk type='network' device='disk'>\n");
        add_driver(&b, gen_rnd(2) ? "raw" : "qcow2", 0);
        switch (gen_rnd(3)) {
        case 0:
            gen_buf_add(&b,
                        "  <source protocol='nbd' name='export-%u'>\n"
                        "    <host name='%s' port='%u'/>\n  </source>\n",
                        i, GEN_PICK(hosts), 10809 + i % 5);
            break;
        case 1:
            gen_buf_add(&b,
                        "  <source protocol='iscsi' name='iqn.2013-07.org.example:tgt%u/%u'>\n"
                        "    <host name='%s' port='3260'/>\n  </source>\n",
                        i / 8, i % 8, GEN_PICK(hosts));
            break;
        default:
            gen_buf_add(&b,
                        "  <source protocol='gluster' name='gv%u/images/vm-%u.img'>\n"
                        "    <host name='%s' port='24007'/>\n  </source>\n",
                        i % 3, i, GEN_PICK(hosts));
            break;
        }
        add_target(&b, tc, GEN_PICK(disk_buses));
        break;
    case 5: /* storage pool volume */
        gen_buf_add(&b, "<disk type='volume' device='disk'>\n");
        add_driver(&b, gen_rnd(2) ? "raw" : "qcow2", 0);
        gen_buf_add(&b, "  <source pool='pool-%u' volume='vm-%u-disk%u.qcow2'/>\n", i % 4, i,
                    i % 3);
        add_target(&b, tc, GEN_PICK(disk_buses));
        break;
    default: { /* file, qcow2 with a backing chain, or raw */
        int qcow2 = gen_rnd(4) != 0;

        gen_buf_add(&b, "<disk type='file' device='disk'>\n");
        add_driver(&b, qcow2 ? "qcow2" : "raw", 0);
        gen_buf_add(&b, "  <source file='/var/lib/libvirt/images/vm-%u-disk%u.%s'/>\n", i / 3,
                    i % 3, qcow2 ? "qcow2" : "img");
        if (qcow2)
            add_backing_chain(&b, i, gen_rnd(4));
        add_target(&b, tc, GEN_PICK(disk_buses));
        break;
    }
    }
    add_iotune(&b, i);
    if (kind != 2 && gen_rnd(2)) /* a scsi lun passes the device's own serial through */
        gen_buf_add(&b, "  <serial>SN-%06u-%04X</serial>\n", i, gen_rnd(65536));
    gen_buf_add(&b, "</disk>\n");
    return b.s;
}

/* ---- domains the QEMU translation accepts ------------------------------------------- */

/* Buses a disk of a gen_qemu_domain() can sit on. */
typedef enum {
    QBUS_VIRTIO,
    QBUS_SCSI,
    QBUS_IDE,
    QBUS_SATA,
    QBUS_USB,
} qbus;

/* Where the next device of each bus goes. */
typedef struct {
    int q35;
    unsigned int pci_next;  /* pc: next slot on pci.0; q35: next root port */
    unsigned int scsi_unit; /* next unit on the virtio-scsi controller */
    unsigned int ide_next;  /* pc: 0..3 = bus * 2 + unit */
    unsigned int sata_unit; /* q35: 0..5 on the built-in AHCI */
    unsigned int usb_port;  /* next port on the USB controller */
    unsigned int sd;        /* next sdX name */
    unsigned int vd;        /* next vdX name */
    unsigned int hd;        /* next hdX name */
    unsigned int boot;      /* last boot order given */
} qlayout;

#define PC_FIRST_SLOT 3 /* 00:01 is the PIIX3, 00:02 the SCSI controller */
#define PC_LAST_SLOT 0x1f
#define PC_USB_PORTS 2  /* piix3-uhci */
#define Q35_USB_PORTS 8 /* qemu-xhci: 4 USB 2 + 4 USB 3 ports */
#define Q35_SATA_UNITS 6
#define PC_IDE_UNITS 4

void
gen_qemu_secret(unsigned int k, char *key, size_t key_size, char *value, size_t value_size)
{
    /* Ceph keys are referred to by UUID, iSCSI CHAP passwords by usage. */
    if (k < GEN_QEMU_NSECRETS / 2)
        snprintf(key, key_size, "6b3e8f0a-1d2c-4e5f-9a7b-%012u", k);
    else
        snprintf(key, key_size, "bench-iscsi-%u", k - GEN_QEMU_NSECRETS / 2);
    snprintf(value, value_size, "AQBbench%02uSecretKeyMaterial==", k);
}

static qbus
qemu_pick_bus(qlayout *lay, int cdrom, int lun)
{
    unsigned int r = gen_rnd(16);
    int pci_full = lay->q35 ? lay->pci_next > 200 : lay->pci_next > PC_LAST_SLOT;

    if (lun)
        return QBUS_SCSI;
    if (cdrom) {
        /* libvirt refuses CD-ROMs on virtio; IDE on pc, SATA on q35. */
        if (r < 8)
            return QBUS_SCSI;
        if (!lay->q35 && lay->ide_next < PC_IDE_UNITS)
            return QBUS_IDE;
        if (lay->q35 && lay->sata_unit < Q35_SATA_UNITS)
            return QBUS_SATA;
        return QBUS_SCSI;
    }
    if (r < 9 && !pci_full)
        return QBUS_VIRTIO;
    if (r < 12)
        return QBUS_SCSI;
    if (r < 14 && !lay->q35 && lay->ide_next < PC_IDE_UNITS)
        return QBUS_IDE;
    if (r < 14 && lay->q35 && lay->sata_unit < Q35_SATA_UNITS)
        return QBUS_SATA;
    if (r >= 14 && lay->usb_port < (lay->q35 ? Q35_USB_PORTS : PC_USB_PORTS))
        return QBUS_USB;
    return pci_full ? QBUS_SCSI : QBUS_VIRTIO;
}

/* The <target> and <address> of one disk on @bus. */
static void
qemu_add_target(gen_buf *b, qlayout *lay, qbus bus, int plain_disk)
{
    char dev[32];

    switch (bus) {
    case QBUS_VIRTIO:
        gen_target_name(dev, sizeof(dev), "vd", lay->vd++);
        gen_buf_add(b, "  <target dev='%s' bus='virtio'/>\n", dev);
        return;
    case QBUS_SCSI:
        gen_target_name(dev, sizeof(dev), "sd", lay->sd++);
        gen_buf_add(b, "  <target dev='%s' bus='scsi'%s/>\n", dev,
                    plain_disk && gen_rnd(4) == 0 ? " rotation_rate='1'" : "");
        return;
    case QBUS_IDE:
        gen_target_name(dev, sizeof(dev), "hd", lay->hd++);
        gen_buf_add(b, "  <target dev='%s' bus='ide'/>\n", dev);
        return;
    case QBUS_SATA:
        gen_target_name(dev, sizeof(dev), "sd", lay->sd++);
        gen_buf_add(b, "  <target dev='%s' bus='sata'/>\n", dev);
        return;
    case QBUS_USB:
        gen_target_name(dev, sizeof(dev), "sd", lay->sd++);
        gen_buf_add(b, "  <target dev='%s' bus='usb'%s/>\n", dev,
                    plain_disk && gen_rnd(2) ? " removable='on'" : "");
        return;
    }
}

static void
qemu_add_address(gen_buf *b, qlayout *lay, qbus bus)
{
    unsigned int port;

    switch (bus) {
    case QBUS_VIRTIO:
        if (lay->q35) {
            port = lay->pci_next++; /* a root port of its own */
            gen_buf_add(b,
                        "  <address type='pci' domain='0x0000' bus='0x%02x' slot='0x00' "
                        "function='0x0'/>\n",
                        port);
        } else {
            gen_buf_add(b,
                        "  <address type='pci' domain='0x0000' bus='0x00' slot='0x%02x' "
                        "function='0x0'/>\n",
                        lay->pci_next++);
        }
        return;
    case QBUS_SCSI:
        gen_buf_add(b, "  <address type='drive' controller='0' bus='0' target='0' unit='%u'/>\n",
                    lay->scsi_unit++);
        return;
    case QBUS_IDE:
        gen_buf_add(b, "  <address type='drive' controller='0' bus='%u' target='0' unit='%u'/>\n",
                    lay->ide_next / 2, lay->ide_next % 2);
        lay->ide_next++;
        return;
    case QBUS_SATA:
        gen_buf_add(b, "  <address type='drive' controller='0' bus='0' target='0' unit='%u'/>\n",
                    lay->sata_unit++);
        return;
    case QBUS_USB:
        gen_buf_add(b, "  <address type='usb' bus='0' port='%u'/>\n", ++lay->usb_port);
        return;
    }
}

static void
qemu_add_driver(gen_buf *b, const char *format, int cdrom, int local, qbus bus)
{
    static const char *const caches[] = {NULL,           "none",       "writeback",
                                         "writethrough", "directsync", "unsafe"};
    static const char *const policies[] = {NULL, "stop", "report", "ignore", "enospace"};
    const char *cache = GEN_PICK(caches);
    const char *policy = cdrom ? NULL : GEN_PICK(policies);

    gen_buf_add(b, "  <driver name='qemu' type='%s'", format);
    if (cache)
        gen_buf_add(b, " cache='%s'", cache);
    if (policy)
        gen_buf_add(b, " error_policy='%s'", policy);
    if (local && cache && (strcmp(cache, "none") == 0 || strcmp(cache, "directsync") == 0) &&
        gen_rnd(2))
        gen_buf_add(b, " io='native'");
    else if (local && gen_rnd(3) == 0)
        gen_buf_add(b, " io='%s'", gen_rnd(2) ? "threads" : "io_uring");
    if (!cdrom && gen_rnd(2)) {
        if (gen_rnd(2))
            gen_buf_add(b, " discard='unmap' detect_zeroes='unmap'");
        else
            gen_buf_add(b, " discard='ignore' detect_zeroes='%s'", gen_rnd(2) ? "on" : "off");
    }
    if (bus == QBUS_VIRTIO) {
        if (gen_rnd(3) == 0)
            gen_buf_add(b, " iothread='%u'", 1 + gen_rnd(2));
        if (gen_rnd(3) == 0)
            gen_buf_add(b, " queues='%u' queue_size='256'", 1 + gen_rnd(4));
    }
    if (strcmp(format, "qcow2") == 0 && gen_rnd(4) == 0)
        gen_buf_add(b,
                    "><metadata_cache><max_size unit='KiB'>%u</max_size></metadata_cache>"
                    "</driver>\n",
                    1024u << gen_rnd(4));
    else
        gen_buf_add(b, "/>\n");
}

/* One disk: @i is its number across all domains, which keeps it distinct. */
static void
qemu_gen_disk(gen_buf *b, qlayout *lay, unsigned int i)
{
    static const char *const hosts[] = {"storage1.example.org", "storage2.example.org", "10.0.12.7",
                                        "ceph-mon-a.lab.example.net"};
    unsigned int kind = gen_rnd(20);
    int cdrom = kind == 0 || kind == 1;
    int lun = kind == 4;
    int readonly = 0;
    qbus bus = qemu_pick_bus(lay, cdrom, lun);
    int empty = 0;

    /* libvirt refuses read-only IDE and SATA disks (the http images). */
    if (kind == 10 && (bus == QBUS_IDE || bus == QBUS_SATA))
        bus = QBUS_SCSI;

    if (cdrom) {
        empty = gen_rnd(4) == 0;
        gen_buf_add(b, "<disk type='file' device='cdrom'>\n");
        qemu_add_driver(b, "raw", 1, 1, bus);
        if (!empty)
            gen_buf_add(b, "  <source file='/srv/iso/install-%u.iso'/>\n", i);
        readonly = 1;
    } else if (kind == 2 || kind == 3 || lun) {
        gen_buf_add(b, "<disk type='block' device='%s'%s>\n", lun ? "lun" : "disk",
                    lun && gen_rnd(2) ? " sgio='filtered'" : "");
        qemu_add_driver(b, "raw", 0, 1, bus);
        gen_buf_add(b, "  <source dev='/dev/mapper/vg%u-lv%u'/>\n", i % 7, i);
    } else if (kind == 5 || kind == 6) { /* rbd with cephx */
        gen_buf_add(b, "<disk type='network' device='disk'>\n");
        qemu_add_driver(b, "raw", 0, 0, bus);
        gen_buf_add(b, "  <source protocol='rbd' name='volumes/volume-%08x'>\n", i * 2654435761u);
        gen_buf_add(b, "    <host name='%s' port='6789'/>\n", GEN_PICK(hosts));
        if (gen_rnd(2))
            gen_buf_add(b, "    <host name='%s' port='6789'/>\n", GEN_PICK(hosts));
        gen_buf_add(b,
                    "    <auth username='tenant%u'>\n"
                    "      <secret type='ceph' uuid='6b3e8f0a-1d2c-4e5f-9a7b-%012u'/>\n"
                    "    </auth>\n  </source>\n",
                    i % 13, i % (GEN_QEMU_NSECRETS / 2));
    } else if (kind == 7) { /* nbd over TCP or a UNIX socket */
        gen_buf_add(b, "<disk type='network' device='disk'>\n");
        qemu_add_driver(b, gen_rnd(2) ? "raw" : "qcow2", 0, 0, bus);
        if (gen_rnd(3))
            gen_buf_add(b,
                        "  <source protocol='nbd' name='export-%u'>\n"
                        "    <host name='%s' port='%u'/>\n  </source>\n",
                        i, GEN_PICK(hosts), 10809 + i % 5);
        else
            gen_buf_add(b,
                        "  <source protocol='nbd' name='export-%u'>\n"
                        "    <host transport='unix' socket='/run/nbd/vm-%u.sock'/>\n"
                        "  </source>\n",
                        i, i / 4);
    } else if (kind == 8 || kind == 9) { /* iscsi, with CHAP or without */
        gen_buf_add(b, "<disk type='network' device='disk'>\n");
        qemu_add_driver(b, "raw", 0, 0, bus);
        gen_buf_add(b,
                    "  <source protocol='iscsi' name='iqn.2013-07.org.example:tgt%u/%u'>\n"
                    "    <host name='%s' port='3260'/>\n",
                    i / 8, i % 8, GEN_PICK(hosts));
        if (kind == 8)
            gen_buf_add(b,
                        "    <auth username='chap%u'>\n"
                        "      <secret type='iscsi' usage='bench-iscsi-%u'/>\n"
                        "    </auth>\n",
                        i % 5, i % (GEN_QEMU_NSECRETS - GEN_QEMU_NSECRETS / 2));
        gen_buf_add(b, "  </source>\n");
    } else if (kind == 10) { /* read-only image over http(s) */
        int https = gen_rnd(2);

        gen_buf_add(b, "<disk type='network' device='disk'>\n");
        qemu_add_driver(b, "raw", 1, 0, bus);
        gen_buf_add(b,
                    "  <source protocol='%s' name='/images/appliance-%u.img'>\n"
                    "    <host name='%s' port='%u'/>\n",
                    https ? "https" : "http", i, GEN_PICK(hosts), https ? 443 : 80);
        if (https && gen_rnd(2))
            gen_buf_add(b, "    <ssl verify='no'/>\n");
        if (gen_rnd(2))
            gen_buf_add(b, "    <readahead size='%u'/>\n    <timeout seconds='%u'/>\n",
                        65536u << gen_rnd(3), 5 + gen_rnd(30));
        gen_buf_add(b, "  </source>\n");
        readonly = 1;
    } else { /* local image file: qcow2 with a backing chain, or raw */
        int qcow2 = gen_rnd(4) != 0;

        gen_buf_add(b, "<disk type='file' device='disk'>\n");
        qemu_add_driver(b, qcow2 ? "qcow2" : "raw", 0, 1, bus);
        gen_buf_add(b, "  <source file='/var/lib/libvirt/images/vm-%u-disk%u.%s'/>\n", i / 3, i % 3,
                    qcow2 ? "qcow2" : "img");
        if (qcow2)
            add_backing_chain(b, i, gen_rnd(4));
    }
    qemu_add_target(b, lay, bus, !cdrom && !lun);
    /* Throttling needs a medium. */
    if (!empty)
        add_iotune(b, i);
    if (readonly)
        gen_buf_add(b, "  <readonly/>\n");
    if (!lun && gen_rnd(2)) /* a SCSI LUN passes the device's own serial through */
        gen_buf_add(b, "  <serial>SN-%06u-%04X</serial>\n", i, gen_rnd(65536));
    if (gen_rnd(8) == 0)
        gen_buf_add(b, "  <boot order='%u'/>\n", ++lay->boot);
    qemu_add_address(b, lay, bus);
    gen_buf_add(b, "</disk>\n");
}

static void
pci_address(gen_buf *b, unsigned int bus, unsigned int slot, unsigned int function, int multi)
{
    gen_buf_add(b,
                "      <address type='pci' domain='0x0000' bus='0x%02x' slot='0x%02x' "
                "function='0x%x'%s/>\n",
                bus, slot, function, multi ? " multifunction='on'" : "");
}

char *
gen_qemu_domain(unsigned int d, unsigned int first_disk, size_t ndisks)
{
    gen_buf b = {0};
    gen_buf disks = {0};
    qlayout lay = {0};
    unsigned int usb_port = 0;
    unsigned int scsi_port = 0;
    unsigned int nports;
    unsigned int p;
    size_t k;

    lay.q35 = d % 2;
    if (lay.q35) {
        /* Root ports 1 and 2 hold the USB and SCSI controllers. */
        usb_port = 1;
        scsi_port = 2;
        lay.pci_next = 3;
    } else {
        lay.pci_next = PC_FIRST_SLOT;
    }
    for (k = 0; k < ndisks; k++)
        qemu_gen_disk(&disks, &lay, first_disk + (unsigned int)k);

    gen_buf_add(&b,
                "<domain type='kvm'>\n  <name>bench-qemu-%u</name>\n"
                "  <uuid>5a1c0de0-0000-4000-9000-%012u</uuid>\n"
                "  <memory unit='KiB'>4194304</memory>\n"
                "  <currentMemory unit='KiB'>4194304</currentMemory>\n"
                "  <vcpu placement='static'>4</vcpu>\n  <iothreads>2</iothreads>\n"
                "  <os>\n    <type arch='x86_64' machine='%s'>hvm</type>\n  </os>\n"
                "  <features>\n    <acpi/>\n    <apic/>\n  </features>\n"
                "  <clock offset='utc'/>\n  <on_poweroff>destroy</on_poweroff>\n"
                "  <on_reboot>restart</on_reboot>\n  <on_crash>destroy</on_crash>\n"
                "  <devices>\n    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n",
                d, d, lay.q35 ? "pc-q35-7.2" : "pc-i440fx-7.2");
    gen_buf_add(&b, "%s", disks.s ? disks.s : "");

    if (lay.q35) {
        gen_buf_add(&b, "    <controller type='usb' index='0' model='qemu-xhci' ports='%u'>\n",
                    Q35_USB_PORTS);
        pci_address(&b, usb_port, 0, 0, 0);
        gen_buf_add(&b, "    </controller>\n");
        gen_buf_add(&b, "    <controller type='scsi' index='0' model='virtio-scsi'>\n");
        pci_address(&b, scsi_port, 0, 0, 0);
        gen_buf_add(&b, "    </controller>\n    <controller type='sata' index='0'>\n");
        pci_address(&b, 0, 0x1f, 2, 0);
        gen_buf_add(&b, "    </controller>\n"
                        "    <controller type='pci' index='0' model='pcie-root'/>\n");
        nports = lay.pci_next - 1;
        for (p = 1; p <= nports; p++) {
            unsigned int slot = 1 + (p - 1) / 8;
            unsigned int fn = (p - 1) % 8;

            gen_buf_add(&b,
                        "    <controller type='pci' index='%u' model='pcie-root-port'>\n"
                        "      <model name='pcie-root-port'/>\n"
                        "      <target chassis='%u' port='0x%x'/>\n",
                        p, p, slot * 8 + fn);
            pci_address(&b, 0, slot, fn, fn == 0);
            gen_buf_add(&b, "    </controller>\n");
        }
    } else {
        gen_buf_add(&b, "    <controller type='usb' index='0' model='piix3-uhci'>\n");
        pci_address(&b, 0, 1, 2, 0);
        gen_buf_add(&b, "    </controller>\n"
                        "    <controller type='scsi' index='0' model='virtio-scsi'>\n");
        pci_address(&b, 0, 2, 0, 0);
        gen_buf_add(&b, "    </controller>\n    <controller type='ide' index='0'>\n");
        pci_address(&b, 0, 1, 1, 0);
        gen_buf_add(&b, "    </controller>\n"
                        "    <controller type='pci' index='0' model='pci-root'/>\n");
    }
    gen_buf_add(&b, "    <input type='mouse' bus='ps2'/>\n"
                    "    <input type='keyboard' bus='ps2'/>\n"
                    "    <audio id='1' type='none'/>\n"
                    "    <memballoon model='none'/>\n  </devices>\n</domain>\n");
    free(disks.s);
    return b.s;
}
