/*
 * test-source-parse.c: storage sources are checked, spelled and ordered as
 * libvirt 9.0 does it. Expected outputs are what `virsh dumpxml --inactive
 * --security-info` printed for the same input (less <address> and the
 * defaults libvirt's qemu driver adds, which parsing without defaults does
 * not apply).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "vdisk/disk.h"
#include "util/error.h"
#include "conf/source_priv.h"

/* read as live XML: the tests read indexes and mirrors a definition drops */
#define RAW_FLAGS (VDISK_PARSE_NO_DEFAULTS | VDISK_PARSE_NO_VALIDATE | VDISK_PARSE_LIVE)

static void
expect_canonical(const char *in, const char *want)
{
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;
    char *out = NULL;

    if (vdisk_disk_from_xml_flags(&disk, in, RAW_FLAGS, &err) < 0)
        fail_msg("parse failed: %s", vdisk_error_get_message(err));
    assert_int_equal(vdisk_disk_to_xml(&out, disk, &err), 0);
    if (strcmp(out, want) != 0)
        fail_msg("got:\n%s\nwanted:\n%s", out, want);
    vdisk_free(out);
    vdisk_disk_free(disk);
}

static void
expect_refused(const char *in, const char *needle)
{
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;

    assert_int_equal(vdisk_disk_from_xml_flags(&disk, in, RAW_FLAGS, &err), -1);
    assert_null(disk);
    assert_non_null(err);
    if (vdisk_error_get_code(err) != VDISK_ERR_INVALID)
        fail_msg("code %s for '%s'", vdisk_error_code_name(vdisk_error_get_code(err)),
                 vdisk_error_get_message(err));
    if (!strstr(vdisk_error_get_message(err), needle))
        fail_msg("message '%s' lacks '%s'", vdisk_error_get_message(err), needle);
    vdisk_error_free(err);
}

/* wraps a <source> (and more) into a network disk vda */
#define NET(inner)                                                                                 \
    "<disk type='network' device='disk'><driver name='qemu' type='raw'/>" inner                    \
    "<target dev='vda' bus='virtio'/></disk>"
#define FILEDISK(inner)                                                                            \
    "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>" inner                     \
    "<target dev='vda' bus='virtio'/></disk>"

static void
test_rbd_hosts_auth_config_snapshot_canonical(void **state)
{
    expect_canonical(
        NET("<source name='pool/img' protocol='rbd'><config file='/etc/ceph.conf'/>"
            "<snapshot name='snap'/><host port='06789' name='mon1' transport='tcp'/>"
            "<host name='mon2'/><auth username='admin'><secret "
            "uuid='C9A4E0F4-1234-5678-9ABC-DEF012345678' type='ceph'/></auth></source>"),
        "<disk type='network' device='disk'>\n"
        "  <driver name='qemu' type='raw'/>\n"
        "  <source protocol='rbd' name='pool/img'>\n"
        "    <host name='mon1' port='6789'/>\n"
        "    <host name='mon2'/>\n"
        "    <snapshot name='snap'/>\n"
        "    <config file='/etc/ceph.conf'/>\n"
        "    <auth username='admin'>\n"
        "      <secret type='ceph' uuid='c9a4e0f4-1234-5678-9abc-def012345678'/>\n"
        "    </auth>\n"
        "  </source>\n"
        "  <target dev='vda' bus='virtio'/>\n"
        "</disk>\n");
}

static void
test_https_cookies_ssl_readahead_timeout_canonical(void **state)
{
    expect_canonical(
        NET("<source protocol='https' name='/x.iso' query='a=b'><timeout seconds='10'/>"
            "<readahead size='65536'/><cookies><cookie name='c2'>v2</cookie>"
            "<cookie name='c1'>\"v1\"</cookie></cookies><ssl verify='no'/>"
            "<host name='web' port='443'/></source>"),
        "<disk type='network' device='disk'>\n"
        "  <driver name='qemu' type='raw'/>\n"
        "  <source protocol='https' name='/x.iso' query='a=b'>\n"
        "    <host name='web' port='443'/>\n"
        "    <ssl verify='no'/>\n"
        "    <cookies>\n"
        "      <cookie name='c2'>v2</cookie>\n"
        "      <cookie name='c1'>&quot;v1&quot;</cookie>\n"
        "    </cookies>\n"
        "    <readahead size='65536'/>\n"
        "    <timeout seconds='10'/>\n"
        "  </source>\n"
        "  <target dev='vda' bus='virtio'/>\n"
        "</disk>\n");
}

static void
test_backing_chain_slices_encryption_canonical(void **state)
{
    expect_canonical(
        FILEDISK("<source file='/a.qcow2' startupPolicy='optional'>"
                 "<encryption format='luks'><secret type='passphrase' usage='luks-sec'/>"
                 "</encryption><slices><slice type='storage' size='1024' offset='0'/></slices>"
                 "</source><backingStore index='3' type='block'><source dev='/dev/sdb'/>"
                 "<format type='qcow2'/><backingStore type='file'><format type='raw'/>"
                 "<source file='/c.raw'/><backingStore/></backingStore></backingStore>"),
        "<disk type='file' device='disk'>\n"
        "  <driver name='qemu' type='qcow2'/>\n"
        "  <source file='/a.qcow2' startupPolicy='optional'>\n"
        "    <slices>\n"
        "      <slice type='storage' offset='0' size='1024'/>\n"
        "    </slices>\n"
        "    <encryption format='luks'>\n"
        "      <secret type='passphrase' usage='luks-sec'/>\n"
        "    </encryption>\n"
        "  </source>\n"
        "  <backingStore type='block' index='3'>\n"
        "    <format type='qcow2'/>\n"
        "    <source dev='/dev/sdb'/>\n"
        "    <backingStore type='file'>\n"
        "      <format type='raw'/>\n"
        "      <source file='/c.raw'/>\n"
        "      <backingStore/>\n"
        "    </backingStore>\n"
        "  </backingStore>\n"
        "  <target dev='vda' bus='virtio'/>\n"
        "</disk>\n");
}

static void
test_iscsi_initiator_chap_nbd_unix_nfs_canonical(void **state)
{
    expect_canonical(
        NET("<source protocol='iscsi' name='iqn.2013-07.com.example:iscsi-nopool/1'>"
            "<initiator><iqn name='iqn.2013-07.com.example:client'/></initiator>"
            "<auth username='myuser' type='chap'><secret type='iscsi' usage='libvirtiscsi'/>"
            "</auth><host name='example.com' port='3260'/></source>"),
        "<disk type='network' device='disk'>\n"
        "  <driver name='qemu' type='raw'/>\n"
        "  <source protocol='iscsi' name='iqn.2013-07.com.example:iscsi-nopool/1'>\n"
        "    <host name='example.com' port='3260'/>\n"
        "    <initiator>\n"
        "      <iqn name='iqn.2013-07.com.example:client'/>\n"
        "    </initiator>\n"
        "    <auth type='chap' username='myuser'>\n"
        "      <secret type='iscsi' usage='libvirtiscsi'/>\n"
        "    </auth>\n"
        "  </source>\n"
        "  <target dev='vda' bus='virtio'/>\n"
        "</disk>\n");
    expect_canonical(
        NET("<source tls='yes' protocol='nbd'><host socket='/tmp/nbd.sock' transport='unix'/>"
            "</source>"),
        "<disk type='network' device='disk'>\n"
        "  <driver name='qemu' type='raw'/>\n"
        "  <source protocol='nbd' tls='yes'>\n"
        "    <host transport='unix' socket='/tmp/nbd.sock'/>\n"
        "  </source>\n"
        "  <target dev='vda' bus='virtio'/>\n"
        "</disk>\n");
    expect_canonical(
        NET("<source protocol='nfs' name='/export/x.img'><identity group='g' user='u'/>"
            "<host name='nfs.example'/></source>"),
        "<disk type='network' device='disk'>\n"
        "  <driver name='qemu' type='raw'/>\n"
        "  <source protocol='nfs' name='/export/x.img'>\n"
        "    <host name='nfs.example'/>\n"
        "    <identity user='u' group='g'/>\n"
        "  </source>\n"
        "  <target dev='vda' bus='virtio'/>\n"
        "</disk>\n");
}

static void
test_volume_nvme_vhostuser_reservations_canonical(void **state)
{
    expect_canonical("<disk type='volume' device='disk'><driver name='qemu' type='raw'/>"
                     "<source volume='v1' mode='host' pool='p1'/>"
                     "<target dev='vdg' bus='virtio'/></disk>",
                     "<disk type='volume' device='disk'>\n"
                     "  <driver name='qemu' type='raw'/>\n"
                     "  <source pool='p1' volume='v1' mode='host'/>\n"
                     "  <target dev='vdg' bus='virtio'/>\n"
                     "</disk>\n");
    expect_canonical("<disk type='nvme' device='disk'><driver name='qemu' type='raw'/>"
                     "<source namespace='1' type='pci' managed='yes'><address slot='1' "
                     "domain='0' bus='0x01' function='0'/></source>"
                     "<target dev='vdh' bus='virtio'/></disk>",
                     "<disk type='nvme' device='disk'>\n"
                     "  <driver name='qemu' type='raw'/>\n"
                     "  <source type='pci' managed='yes' namespace='1'>\n"
                     "    <address domain='0x0000' bus='0x01' slot='0x01' function='0x0'/>\n"
                     "  </source>\n"
                     "  <target dev='vdh' bus='virtio'/>\n"
                     "</disk>\n");
    expect_canonical("<disk type='vhostuser' device='disk'><driver name='qemu' type='raw'/>"
                     "<source path='/tmp/vhost.sock' type='unix'><reconnect timeout='10' "
                     "enabled='yes'/></source><target dev='vdi' bus='virtio'/></disk>",
                     "<disk type='vhostuser' device='disk'>\n"
                     "  <driver name='qemu' type='raw'/>\n"
                     "  <source type='unix' path='/tmp/vhost.sock'>\n"
                     "    <reconnect enabled='yes' timeout='10'/>\n"
                     "  </source>\n"
                     "  <target dev='vdi' bus='virtio'/>\n"
                     "</disk>\n");
    expect_canonical("<disk type='block' device='lun'><driver name='qemu' type='raw'/>"
                     "<source dev='/dev/sdc'><reservations managed='no'><source mode='client' "
                     "path='/tmp/pr.sock' type='unix'/></reservations></source>"
                     "<target dev='sda' bus='scsi'/></disk>",
                     "<disk type='block' device='lun'>\n"
                     "  <driver name='qemu' type='raw'/>\n"
                     "  <source dev='/dev/sdc'>\n"
                     "    <reservations managed='no'>\n"
                     "      <source type='unix' path='/tmp/pr.sock' mode='client'/>\n"
                     "    </reservations>\n"
                     "  </source>\n"
                     "  <target dev='sda' bus='scsi'/>\n"
                     "</disk>\n");
}

static void
test_aio_empty_source_and_legacy_auth_kept_in_disk(void **state)
{
    expect_canonical("<disk type='file' device='cdrom'><driver name='qemu' type='aio'/>"
                     "<auth username='u'><secret type='iscsi' usage='x'/></auth>"
                     "<source file=''/><target dev='hdc' bus='ide'/><readonly/></disk>",
                     "<disk type='file' device='cdrom'>\n"
                     "  <driver name='qemu' type='raw'/>\n"
                     "  <auth username='u'>\n"
                     "    <secret type='iscsi' usage='x'/>\n"
                     "  </auth>\n"
                     "  <target dev='hdc' bus='ide'/>\n"
                     "  <readonly/>\n"
                     "</disk>\n");
}

static void
test_unknown_source_children_and_attrs_survive(void **state)
{
    expect_canonical(NET("<source x:a='1' xmlns:x='urn:x' name='pool/i' protocol='rbd'><x:extra/>"
                         "<host name='m'/></source>"),
                     "<disk type='network' device='disk'>\n"
                     "  <driver name='qemu' type='raw'/>\n"
                     "  <source xmlns:x='urn:x' x:a='1' protocol='rbd' name='pool/i'>\n"
                     "    <x:extra/>\n"
                     "    <host name='m'/>\n"
                     "  </source>\n"
                     "  <target dev='vda' bus='virtio'/>\n"
                     "</disk>\n");
}

static void
test_mirror_canonical(void **state)
{
    expect_canonical(FILEDISK("<source file='/a.qcow2'/><mirror ready='yes' job='copy' type='file'>"
                              "<source file='/m.qcow2'/><format type='qcow2'/></mirror>"),
                     "<disk type='file' device='disk'>\n"
                     "  <driver name='qemu' type='qcow2'/>\n"
                     "  <source file='/a.qcow2'/>\n"
                     "  <mirror type='file' job='copy' ready='yes'>\n"
                     "    <format type='qcow2'/>\n"
                     "    <source file='/m.qcow2'/>\n"
                     "  </mirror>\n"
                     "  <target dev='vda' bus='virtio'/>\n"
                     "</disk>\n");
}

static void
test_refuses_bad_types_and_formats(void **state)
{
    expect_refused("<disk type='floppy'><target dev='vda'/></disk>",
                   "target 'vda': unknown disk type 'floppy'");
    expect_refused("<disk type='none'><target dev='vda'/></disk>", "unknown disk type 'none'");
    expect_refused("<disk type='file'><driver name='qemu' type='qcow3'/><source file='/a'/>"
                   "<target dev='vda'/></disk>",
                   "target 'vda': unknown driver format value 'qcow3'");
    expect_refused("<disk type='file'><source file='/a' startupPolicy='sometimes'/>"
                   "<target dev='vda'/></disk>",
                   "target 'vda': unknown startup policy 'sometimes'");
    expect_refused("<disk type='file'><source file='/a' index='x1'/><target dev='vda'/></disk>",
                   "invalid disk index 'x1'");
}

static void
test_refuses_bad_network_sources(void **state)
{
    expect_refused(NET("<source name='x'/>"), "target 'vda': missing protocol");
    expect_refused(NET("<source protocol='smb' name='x'/>"), "unknown network disk protocol 'smb'");
    expect_refused(NET("<source protocol='rbd'/>"), "missing name for rbd disk source");
    expect_refused(NET("<source protocol='rbd' name='image'/>"),
                   "can't split path 'image' into pool name and image name");
    expect_refused(NET("<source protocol='gluster' name='/vol'/>"), "can't split path '/vol'");
    expect_refused(NET("<source protocol='nbd' tls='maybe'/>"),
                   "invalid value 'maybe' for attribute 'tls'");
    expect_refused(NET("<source protocol='nbd'><host name='h' port='99999'/></source>"),
                   "port '99999' out of range");
    expect_refused(NET("<source protocol='nbd'><host name='h' port='ssh'/></source>"),
                   "invalid port number 'ssh'");
    expect_refused(NET("<source protocol='nbd'><host transport='unix'/></source>"),
                   "missing socket for unix transport");
    expect_refused(NET("<source protocol='nbd'><host name='h' socket='/s'/></source>"),
                   "transport 'tcp' does not support socket attribute");
    expect_refused(NET("<source protocol='nbd'><host transport='udp' name='h'/></source>"),
                   "unknown host transport 'udp'");
    expect_refused(NET("<source protocol='nbd'><host port='10809'/></source>"),
                   "missing name for host");
    expect_refused(NET("<source protocol='https' name='/x'><ssl verify='sure'/></source>"),
                   "invalid value 'sure' for attribute 'verify'");
    expect_refused(NET("<source protocol='http' name='/x'><cookies><cookie name='a'>1</cookie>"
                       "<cookie name='a'>2</cookie></cookies></source>"),
                   "duplicate cookie 'a'");
    expect_refused(NET("<source protocol='http' name='/x'><cookies><cookie name='a'>x;y</cookie>"
                       "</cookies></source>"),
                   "cookie value contains invalid characters: cookie 'a'");
    expect_refused(NET("<source protocol='http' name='/x'><cookies><cookie name='a'/>"
                       "</cookies></source>"),
                   "missing value for cookie 'a'");
    expect_refused(NET("<source protocol='http' name='/x'><readahead size='lots'/></source>"),
                   "invalid readahead size 'lots'");
    expect_refused(NET("<source protocol='ftp' name='/x'><timeout seconds='-1'/></source>"),
                   "invalid timeout '-1'");
}

static void
test_refuses_bad_auth_and_encryption(void **state)
{
    expect_refused(NET("<source protocol='rbd' name='p/i'><auth><secret type='ceph' "
                       "usage='u'/></auth></source>"),
                   "missing username for auth");
    expect_refused(NET("<source protocol='rbd' name='p/i'><auth username='a'/></source>"),
                   "missing <secret> element in auth");
    expect_refused(NET("<source protocol='rbd' name='p/i'><auth username='a'><secret "
                       "type='ceph'/></auth></source>"),
                   "auth secret has neither uuid nor usage");
    expect_refused(NET("<source protocol='rbd' name='p/i'><auth username='a'><secret "
                       "type='ceph' uuid='1' usage='u'/></auth></source>"),
                   "has both uuid '1' and usage 'u'");
    expect_refused(NET("<source protocol='rbd' name='p/i'><auth username='a'><secret "
                       "type='ceph' uuid='not-a-uuid'/></auth></source>"),
                   "invalid auth secret uuid 'not-a-uuid'");
    expect_refused(NET("<source protocol='iscsi' name='i/1'><auth username='a' type='kerberos'>"
                       "<secret type='iscsi' usage='u'/></auth></source>"),
                   "unknown auth type 'kerberos'");
    expect_refused(NET("<auth username='a'><secret type='ceph' usage='u'/></auth>"
                       "<source protocol='rbd' name='p/i'><auth username='b'><secret "
                       "type='ceph' usage='v'/></auth></source>"),
                   "an <auth> definition already found for disk source");
    expect_refused(FILEDISK("<source file='/a'><encryption/></source>"),
                   "target 'vda': missing encryption format");
    expect_refused(FILEDISK("<source file='/a'><encryption format='aes'/></source>"),
                   "unknown encryption format 'aes'");
    expect_refused(FILEDISK("<source file='/a'><encryption format='luks' engine='default'/>"
                            "</source>"),
                   "unknown encryption engine 'default'");
    expect_refused(FILEDISK("<source file='/a'><encryption format='luks'><secret "
                            "type='password' usage='x'/></encryption></source>"),
                   "unknown encryption secret type 'password'");
    expect_refused(FILEDISK("<source file='/a'><encryption format='luks'><ivgen name='plain64'/>"
                            "</encryption></source>"),
                   "encryption has <ivgen> but no <cipher>");
    expect_refused(FILEDISK("<source file='/a'><encryption format='luks'><cipher name='aes' "
                            "size='big'/></encryption></source>"),
                   "invalid value 'big' for attribute 'size' of <cipher>");
    expect_refused(FILEDISK("<encryption format='qcow'/><source file='/a'>"
                            "<encryption format='qcow'/></source>"),
                   "an <encryption> definition already found");
}

static void
test_refuses_bad_typed_sources(void **state)
{
    expect_refused("<disk type='volume'><source pool='p'/><target dev='vda'/></disk>",
                   "'pool' and 'volume' must be given together");
    expect_refused("<disk type='volume'><source pool='p' volume='v' mode='default'/>"
                   "<target dev='vda'/></disk>",
                   "unknown source mode 'default' for volume type disk");
    expect_refused("<disk type='nvme'><source namespace='1'><address bus='1'/></source>"
                   "<target dev='vda'/></disk>",
                   "missing 'type' attribute of NVMe disk source");
    expect_refused("<disk type='nvme'><source type='usb' namespace='1'/><target dev='vda'/>"
                   "</disk>",
                   "unsupported NVMe disk source type 'usb'");
    expect_refused("<disk type='nvme'><source type='pci'/><target dev='vda'/></disk>",
                   "missing 'namespace'");
    expect_refused("<disk type='nvme'><source type='pci' namespace='x'/><target dev='vda'/>"
                   "</disk>",
                   "malformed namespace 'x'");
    expect_refused("<disk type='nvme'><source type='pci' namespace='1'/><target dev='vda'/>"
                   "</disk>",
                   "NVMe disk source is missing address");
    expect_refused("<disk type='nvme'><source type='pci' namespace='1'><address bus='1' "
                   "slot='0x20'/></source><target dev='vda'/></disk>",
                   "invalid PCI address slot='0x20'");
    expect_refused("<disk type='vhostuser'><source path='/s'/><target dev='vda'/></disk>",
                   "missing 'type' attribute for vhostuser disk source");
    expect_refused("<disk type='vhostuser'><source type='tcp' path='/s'/><target dev='vda'/>"
                   "</disk>",
                   "invalid 'type' attribute 'tcp' for vhostuser disk source");
    expect_refused("<disk type='vhostuser'><source type='unix'/><target dev='vda'/></disk>",
                   "missing 'path' attribute for vhostuser disk source");
    expect_refused("<disk type='vhostuser'><source type='unix' path='/s'><reconnect "
                   "enabled='yes'/></source><target dev='vda'/></disk>",
                   "missing attribute 'timeout' of <reconnect>");
    expect_refused("<disk type='block'><source dev='/dev/sda'><reservations/></source>"
                   "<target dev='sda'/></disk>",
                   "<reservations> has no 'managed' attribute");
    expect_refused("<disk type='block'><source dev='/dev/sda'><reservations managed='no'/>"
                   "</source><target dev='sda'/></disk>",
                   "missing connection type for <reservations>");
    expect_refused("<disk type='block'><source dev='/dev/sda'><reservations managed='no'>"
                   "<source type='unix' path='/p' mode='server'/></reservations></source>"
                   "<target dev='sda'/></disk>",
                   "unsupported connection mode 'server'");
    expect_refused(FILEDISK("<source file='/a'><slices><slice type='storage' offset='0'/>"
                            "</slices></source>"),
                   "missing offset or size attribute of slice");
    expect_refused(FILEDISK("<source file='/a'><slices><slice type='storage' offset='x' "
                            "size='1'/></slices></source>"),
                   "malformed slice offset 'x'");
    expect_refused(FILEDISK("<source file='/a'><seclabel model='dac' relabel='no'>"
                            "<label>x</label></seclabel></source>"),
                   "cannot specify a label if relabelling is turned off (model 'dac')");
    expect_refused(FILEDISK("<source file='/a'><seclabel model='dac' relabel='no'/>"
                            "<seclabel model='dac' relabel='no'/></source>"),
                   "seclabel for model 'dac' is already provided");
    expect_refused(FILEDISK("<source file='/a'><seclabel relabel='never'/></source>"),
                   "invalid value 'never' for attribute 'relabel' of <seclabel>");
}

static void
test_refuses_bad_backing_chains_naming_depth(void **state)
{
    expect_refused(FILEDISK("<source file='/a'/><backingStore type='file'>"
                            "<source file='/b'/></backingStore>"),
                   "missing disk backing store format (backing store 1)");
    expect_refused(FILEDISK("<source file='/a'/><backingStore type='file'>"
                            "<format type='raw'/></backingStore>"),
                   "missing disk backing store source");
    expect_refused(FILEDISK("<source file='/a'/><backingStore type='file'><format "
                            "type='qcow2'/><source file='/b'/><backingStore type='tape'><format "
                            "type='raw'/><source file='/c'/></backingStore></backingStore>"),
                   "target 'vda': unknown storage source type 'tape' (backing store 2)");
    expect_refused(FILEDISK("<source file='/a'/><backingStore type='file'>"
                            "<format type='none'/><source file='/b'/></backingStore>"),
                   "unknown storage source format 'none'");
    expect_refused(FILEDISK("<source file='/a'/><backingStore type='file' index='-2'>"
                            "<format type='raw'/><source file='/b'/></backingStore>"),
                   "invalid storage source index '-2'");
    expect_refused(FILEDISK("<source file='/a'/><backingStore type='network'><format "
                            "type='raw'/><source protocol='nbd'><host transport='unix'/>"
                            "</source></backingStore>"),
                   "missing socket for unix transport (backing store 1)");
}

static void
test_refuses_bad_mirrors(void **state)
{
    expect_refused(FILEDISK("<source file='/a'/><mirror job='pull' file='/m'/>"),
                   "unknown mirror job type 'pull' (mirror)");
    expect_refused(FILEDISK("<source file='/a'/><mirror job='active-commit' file='/m'/>"),
                   "mirror without type only supported by copy job");
    expect_refused(FILEDISK("<source file='/a'/><mirror job='copy'/>"),
                   "mirror requires file name");
    expect_refused(FILEDISK("<source file='/a'/><mirror type='file' job='copy'/>"),
                   "mirror requires source element");
    expect_refused(FILEDISK("<source file='/a'/><mirror type='file' job='copy' ready='maybe'>"
                            "<source file='/m'/></mirror>"),
                   "unknown mirror ready state 'maybe'");
    expect_refused(FILEDISK("<source file='/a'/><mirror file='/m' format='qcow9'/>"),
                   "unknown storage source format 'qcow9'");
}

/* What libvirt writes of a copy it is setting up: job='' (no type yet),
 * read as it stands; the mirror's job and state read back. */
static void
test_mirror_of_a_copy_being_set_up(void **state)
{
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;

    (void)state;
    assert_int_equal(
        vdisk_disk_from_xml_flags(&disk,
                                  FILEDISK("<source file='/a'/><mirror type='file' job=''>"
                                           "<format type='qcow2'/><source file='/m'/></mirror>"),
                                  RAW_FLAGS, &err),
        0);
    assert_string_equal(vdisk_disk_get_mirror_job(disk), "");
    assert_null(vdisk_disk_get_mirror_ready(disk));
    vdisk_disk_free(disk);
    assert_int_equal(vdisk_disk_from_xml_flags(
                         &disk,
                         FILEDISK("<source file='/a'/><mirror type='file' job='active-commit' "
                                  "ready='yes'><format type='qcow2'/><source file='/m'/></mirror>"),
                         RAW_FLAGS, &err),
                     0);
    assert_string_equal(vdisk_disk_get_mirror_job(disk), "active-commit");
    assert_string_equal(vdisk_disk_get_mirror_ready(disk), "yes");
    vdisk_disk_free(disk);
    assert_int_equal(vdisk_disk_from_xml_flags(
                         &disk, FILEDISK("<source file='/a'/><mirror file='/m' format='raw'/>"),
                         RAW_FLAGS, &err),
                     0);
    assert_string_equal(vdisk_disk_get_mirror_job(disk), "copy");
    vdisk_disk_free(disk);
    assert_int_equal(
        vdisk_disk_from_xml_flags(&disk, FILEDISK("<source file='/a'/>"), RAW_FLAGS, &err), 0);
    assert_null(vdisk_disk_get_mirror_job(disk));
    vdisk_disk_free(disk);
}

static void
test_default_ports_are_libvirts_and_only_for_tcp_hosts(void **state)
{
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;
    char *out = NULL;

    assert_int_equal(vdisk_disk_from_xml_flags(
                         &disk,
                         NET("<source protocol='nbd'><host name='a'/><host name='b' port='0'/>"
                             "<host transport='unix' socket='/s'/></source>"
                             "<backingStore type='network'><format type='raw'/>"
                             "<source protocol='rbd' name='p/i'><host name='m'/></source>"
                             "</backingStore>"),
                         RAW_FLAGS, &err),
                     0);
    vd_source_apply_default_ports(disk);
    assert_int_equal(vdisk_disk_to_xml(&out, disk, &err), 0);
    if (!strstr(out, "<host name='a' port='10809'/>\n    <host name='b' port='10809'/>\n"
                     "    <host transport='unix' socket='/s'/>") ||
        !strstr(out, "<host name='m'/>"))
        fail_msg("unexpected ports:\n%s", out);
    assert_int_equal(vd_source_default_port(VDISK_PROTOCOL_GLUSTER), 24007);
    assert_int_equal(vd_source_default_port(VDISK_PROTOCOL_NFS), 0);
    vdisk_free(out);
    vdisk_disk_free(disk);
}

/* a definition is read as libvirt reads one (VIR_DOMAIN_DEF_PARSE_INACTIVE):
 * indexes, <mirror> and labelskip are dropped */
static void
test_definition_drops_status_data(void **state)
{
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;
    char *out = NULL;

    (void)state;
    assert_int_equal(
        vdisk_disk_from_xml_flags(
            &disk,
            "<disk type='block' device='disk'><driver name='qemu' type='raw'/>"
            "<source dev='/dev/a' index='2'><seclabel model='selinux' labelskip='yes'/></source>"
            "<backingStore type='block' index='1'><format type='raw'/><source dev='/dev/b'/>"
            "</backingStore><mirror type='block' job='copy'><format type='raw'/>"
            "<source dev='/dev/c'/></mirror><target dev='vda' bus='virtio'/></disk>",
            VDISK_PARSE_NO_VALIDATE, &err),
        0);
    assert_int_equal(vdisk_disk_to_xml(&out, disk, &err), 0);
    assert_null(strstr(out, "index="));
    assert_null(strstr(out, "<mirror"));
    assert_null(strstr(out, "labelskip"));
    assert_non_null(strstr(out, "<backingStore type='block'>"));
    g_free(out);
    vdisk_disk_free(disk);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_definition_drops_status_data),
        cmocka_unit_test(test_rbd_hosts_auth_config_snapshot_canonical),
        cmocka_unit_test(test_https_cookies_ssl_readahead_timeout_canonical),
        cmocka_unit_test(test_backing_chain_slices_encryption_canonical),
        cmocka_unit_test(test_iscsi_initiator_chap_nbd_unix_nfs_canonical),
        cmocka_unit_test(test_volume_nvme_vhostuser_reservations_canonical),
        cmocka_unit_test(test_aio_empty_source_and_legacy_auth_kept_in_disk),
        cmocka_unit_test(test_unknown_source_children_and_attrs_survive),
        cmocka_unit_test(test_mirror_canonical),
        cmocka_unit_test(test_refuses_bad_types_and_formats),
        cmocka_unit_test(test_refuses_bad_network_sources),
        cmocka_unit_test(test_refuses_bad_auth_and_encryption),
        cmocka_unit_test(test_refuses_bad_typed_sources),
        cmocka_unit_test(test_refuses_bad_backing_chains_naming_depth),
        cmocka_unit_test(test_refuses_bad_mirrors),
        cmocka_unit_test(test_mirror_of_a_copy_being_set_up),
        cmocka_unit_test(test_default_ports_are_libvirts_and_only_for_tcp_hosts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
