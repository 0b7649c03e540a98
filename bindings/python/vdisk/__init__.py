"""vdisk: virtual disks for libvirt/QEMU hosts.

The Python interface of libvdisk. It reads and writes libvirt's <disk> XML
the way libvirt 9.0 does, translates disks into the QEMU 7.2 arguments and
QMP commands libvirt would use, and attaches and detaches disks of running
domains through libvirt-python's own objects.

    >>> import vdisk
    >>> d = vdisk.Disk(type="file", source="/var/lib/images/a.qcow2",
    ...                format="qcow2", target="vda", cache="none")
    >>> d.cache
    <Cache.NONE: 'none'>
    >>> d.bus is None          # defaults are libvirt's post-parse step
    True
    >>> vdisk.Disk.from_xml(d.to_xml()).bus
    <Bus.VIRTIO: 'virtio'>

Objects:
    Disk      a <disk> device (properties for every field, to_xml(), qemu_args())
    Source    a storage source of a disk (disk.source, source.backing, disk.mirror)
    Domain    the domain context: from_xml(), disks, controllers, qemu_args()

Enums (values are libvirt's XML strings): one class per enum of the disk
schema (Type, Device, Bus, Cache, Format, ...; all of them are listed in
vdisk.__all__), ControllerType, and ErrorCode for errors.

Errors: every failure of the library raises a subclass of vdisk.Error, which
carries .code (an ErrorCode), .message (the library's message, prefixed by
the name of the call) and .libvirt_code (libvirt's virErrorNumber, or 0):

    Error
     +-- InternalError         a bug in libvdisk
     +-- NoMemoryError         allocation failed
     +-- InvalidArgumentError  an argument the call cannot use (also ValueError)
     +-- XMLError              not well-formed XML, or refused XML features
     +-- InvalidError          well-formed, but a value libvirt's parser refuses
     +-- UnsupportedError      a configuration libvirt refuses at define or start time
     +-- NotFoundError         the disk, target, domain or volume does not exist
     +-- ExistsError           the target is taken by another disk
     +-- LibvirtError          libvirt failed (see .libvirt_code)
     +-- PendingError          the operation was started but has not completed
     +-- HostError             an operating system call failed
     +-- TransientError        the persistent definition of a transient domain was asked for
     +-- CancelledError        the operation was cancelled, and undone

Wrong Python types raise TypeError, bad values vdisk.InvalidError (a ValueError).

Hotplug (functions taking libvirt.virDomain objects from python3-libvirt):
next_target(), attach() (returns an AttachResult), detach(), change_media(),
set_iotune(), list_disks(), recover(); hotplug_commands() and
unplug_commands() render the QMP commands libvirt would send for a
hotplug or an unplug, changing nothing.

Connections and storage (libvirt.virConnect objects from python3-libvirt):
connect_open() and connect_open_first() return an ordinary libvirt.virConnect;
volume_create(), volume_resolve(), volume_delete() work on storage pool
volumes; probe_format() and probe_format_name() read a local image's header.
qemu_args() and qmp_commands() take connection= (a libvirt.virConnect, or a
URI opened for the call) to read the disks' secrets and type='volume'
sources from that libvirt, as `virsh domxml-to-native` does.

A disk's life on a running domain (libvirt.virDomain objects): resize();
snapshot() (external overlays, returns a SnapshotResult); the block jobs
commit(), pull() and copy(), which wait until the job is over (wait=
seconds, else vdisk.PendingError and the job goes on), report to a
progress= callable taking a JobStatus and return the job's last one; job()
reads the job of a disk and job_abort() ends it. An exception of the progress callable, or Ctrl-C,
cancels the job: it is undone before the exception propagates.
"""

import enum as _enum
import typing as _typing
from collections.abc import Mapping as _Mapping, MutableMapping as _MutableMapping
from collections.abc import Sequence as _Sequence

from . import _schema, _vdisk

__all__ = [
    "Disk", "Source", "Domain", "DiskList", "IOTune",
    "Host", "PCIAddress", "DriveAddress", "USBAddress", "CCWAddress", "Geometry", "BlockIO",
    "Auth", "Encryption", "Reservations", "Slice", "NVMe", "Controller", "ProbedFormat",
    "AttachResult", "JobStatus", "SnapshotResult",
    "Error", "InternalError", "NoMemoryError", "InvalidArgumentError", "XMLError",
    "InvalidError", "UnsupportedError", "NotFoundError", "ExistsError", "LibvirtError",
    "PendingError", "HostError", "TransientError", "CancelledError", "ErrorCode",
    "target_to_index", "target_from_index", "bus_from_target", "enum_to_string",
    "__version__", "LIBRARY_VERSION",
]

LIBRARY_VERSION = _vdisk.LIBRARY_VERSION
__version__ = LIBRARY_VERSION

Disk = _vdisk.Disk
Source = _vdisk.Source
Domain = _vdisk.Domain

# ---- enums, generated from libvdisk's own tables --------------------------------------

# C enum index (vdisk_enum) of each generated Enum and their docs, from the schema table
_ENUM_ORDER = list(_schema.ENUM_ORDER)
_ENUM_DOCS = dict(_schema.ENUM_DOCS, ControllerType="controller@type.",
                  JobKind="The kind of a block job (vdisk_job_kind), as libvirt names it.")


def _member_name(value):
    name = value.upper().replace("-", "_").replace(".", "_")
    return "_" + name if name[0].isdigit() else name


def _make_enum(name, strings, module=__name__):
    cls = _enum.Enum(name, [(_member_name(s), s) for s in strings], module=module)
    cls.__doc__ = "%s\n\nValues are libvirt's XML strings; str(member) is the string." % (
        _ENUM_DOCS.get(name, name))
    cls.__str__ = lambda self: self.value
    return cls


_TABLES = _vdisk._enum_tables()
_ENUMS = {name: _make_enum(name, [s for _, s in _TABLES[name]]) for name in _ENUM_ORDER}
globals().update(_ENUMS)
__all__ += _ENUM_ORDER

ControllerType = _make_enum("ControllerType", _vdisk._controller_types())
__all__.append("ControllerType")


def enum_to_string(member):
    """The libvirt string of an enum member, as libvdisk's table has it
    (vdisk_enum_to_string()); None for an unknown member."""
    cls = type(member)
    name = cls.__name__
    if name not in _ENUMS or _ENUMS[name] is not cls:
        raise TypeError("not a vdisk enum member: %r" % (member,))
    which = _ENUM_ORDER.index(name)
    for c_value, s in _TABLES[name]:
        if s == member.value:
            return _vdisk._enum_to_string(which, c_value)
    return None


# ---- errors -------------------------------------------------------------------------------

ErrorCode = _enum.IntEnum(
    "ErrorCode", [(n.upper().replace("-", "_"), c) for c, n in _vdisk._error_codes()],
    module=__name__)
ErrorCode.__doc__ = "The class of a libvdisk error (vdisk_error_code)."


class Error(Exception):
    """A libvdisk call failed.

    Attributes:
        code:          the ErrorCode
        message:       the library's message ("vdisk_disk_from_xml: target 'vda': ...")
        libvirt_code:  libvirt's virErrorNumber when libvirt failed, else 0
        line, column:  for XMLError, the 1-based position of the fault, else 0
    """

    code = ErrorCode.INTERNAL

    def __init__(self, message, code=None, libvirt_code=0, line=0, column=0):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = ErrorCode(code)
        self.libvirt_code = libvirt_code
        self.line = line
        self.column = column

    def __str__(self):
        return self.message


class InternalError(Error):
    """A bug in libvdisk (ErrorCode.INTERNAL)."""
    code = ErrorCode.INTERNAL


class NoMemoryError(Error, MemoryError):
    """Memory allocation failed (ErrorCode.NO_MEMORY)."""
    code = ErrorCode.NO_MEMORY


class InvalidArgumentError(Error, ValueError):
    """An argument the call cannot use (ErrorCode.INVALID_ARGUMENT)."""
    code = ErrorCode.INVALID_ARGUMENT


class XMLError(Error):
    """Not well-formed XML, or XML features refused such as DTDs and entities
    (ErrorCode.XML); .line and .column locate the fault."""
    code = ErrorCode.XML


class InvalidError(Error, ValueError):
    """Well-formed XML or a value that libvirt's parser refuses (ErrorCode.INVALID)."""
    code = ErrorCode.INVALID


class UnsupportedError(Error):
    """A configuration libvirt refuses at define or start time (ErrorCode.UNSUPPORTED)."""
    code = ErrorCode.UNSUPPORTED


class NotFoundError(Error, LookupError):
    """The disk, target, domain, secret or volume does not exist (ErrorCode.NOT_FOUND)."""
    code = ErrorCode.NOT_FOUND


class ExistsError(Error):
    """The target is taken by another disk (ErrorCode.EXISTS)."""
    code = ErrorCode.EXISTS


class LibvirtError(Error):
    """libvirt failed; .libvirt_code is its virErrorNumber (ErrorCode.LIBVIRT)."""
    code = ErrorCode.LIBVIRT


class PendingError(Error):
    """The operation was started but has not completed yet, e.g. a detach the
    guest has not acknowledged in time (ErrorCode.PENDING)."""
    code = ErrorCode.PENDING


class HostError(Error):
    """An operating system call failed (ErrorCode.SYSTEM)."""
    code = ErrorCode.SYSTEM


class TransientError(Error):
    """The persistent definition of a transient domain was asked for (config=True,
    list_disks(inactive=True)); the domain has none (ErrorCode.TRANSIENT)."""
    code = ErrorCode.TRANSIENT


class CancelledError(Error):
    """The operation was cancelled and undone (ErrorCode.CANCELLED): a block job
    aborted without a pivot, the disk keeping the chain it had."""
    code = ErrorCode.CANCELLED


_ERROR_CLASSES = {
    ErrorCode.INTERNAL: InternalError,
    ErrorCode.NO_MEMORY: NoMemoryError,
    ErrorCode.INVALID_ARGUMENT: InvalidArgumentError,
    ErrorCode.XML: XMLError,
    ErrorCode.INVALID: InvalidError,
    ErrorCode.UNSUPPORTED: UnsupportedError,
    ErrorCode.NOT_FOUND: NotFoundError,
    ErrorCode.EXISTS: ExistsError,
    ErrorCode.LIBVIRT: LibvirtError,
    ErrorCode.PENDING: PendingError,
    ErrorCode.SYSTEM: HostError,
    ErrorCode.TRANSIENT: TransientError,
    ErrorCode.CANCELLED: CancelledError,
}


def _make_error(code, message, libvirt_code, line, column):
    try:
        code = ErrorCode(code)
    except ValueError:
        return Error(message, ErrorCode.INTERNAL, libvirt_code, line, column)
    cls = _ERROR_CLASSES.get(code, Error)
    return cls(message, code, libvirt_code, line, column)


# ---- value types ----------------------------------------------------------------------------

class PCIAddress(_typing.NamedTuple):
    """<address type='pci'>."""
    domain: int
    bus: int
    slot: int
    function: int


class DriveAddress(_typing.NamedTuple):
    """<address type='drive'>."""
    controller: int
    bus: int
    target: int
    unit: int


class USBAddress(_typing.NamedTuple):
    """<address type='usb'>; port is libvirt's dotted port string ("1.2")."""
    bus: int
    port: _typing.Optional[str]


class CCWAddress(_typing.NamedTuple):
    """<address type='ccw'>."""
    cssid: int
    ssid: int
    devno: int


class Geometry(_typing.NamedTuple):
    """<geometry cyls= heads= secs= trans=>; trans is a Trans or None."""
    cyls: int
    heads: int
    secs: int
    trans: _typing.Optional["Trans"] = None  # noqa: F821


class BlockIO(_typing.NamedTuple):
    """<blockio logical_block_size= physical_block_size=>; None where unset."""
    logical_block_size: _typing.Optional[int]
    physical_block_size: _typing.Optional[int]


class Host(_typing.NamedTuple):
    """A network source's <host>: name (None for a unix socket), port (an int,
    or None), transport (a Transport or None) and socket path."""
    name: _typing.Optional[str]
    port: _typing.Optional[int] = None
    transport: _typing.Optional["Transport"] = None  # noqa: F821
    socket: _typing.Optional[str] = None


class Auth(_typing.NamedTuple):
    """<auth username=><secret type= uuid=|usage=/></auth>; secret_type is
    "iscsi" or "ceph"; give exactly one of uuid and usage."""
    username: _typing.Optional[str]
    secret_type: _typing.Optional[str]
    uuid: _typing.Optional[str] = None
    usage: _typing.Optional[str] = None


class Encryption(_typing.NamedTuple):
    """<encryption format= engine=><secret type='passphrase' uuid=|usage=/>."""
    format: "EncryptionFormat"  # noqa: F821
    engine: _typing.Optional["EncryptionEngine"] = None  # noqa: F821
    uuid: _typing.Optional[str] = None
    usage: _typing.Optional[str] = None


class Reservations(_typing.NamedTuple):
    """<reservations managed=><source type='unix' path= mode='client'/>."""
    managed: _typing.Optional[bool]
    path: _typing.Optional[str] = None


class Slice(_typing.NamedTuple):
    """<slice type='storage' offset= size=>."""
    offset: int
    size: int


class NVMe(_typing.NamedTuple):
    """A type 'nvme' source: namespace, managed (True/False/None) and the
    controller's PCIAddress."""
    namespace: int
    managed: _typing.Optional[bool]
    address: PCIAddress


class Controller(_typing.NamedTuple):
    """A domain's <controller>: type (a ControllerType), index, model as
    written, alias and PCIAddress (or None)."""
    type: "ControllerType"
    index: int
    model: _typing.Optional[str]
    alias: _typing.Optional[str]
    address: _typing.Optional[PCIAddress]


class ProbedFormat(_typing.NamedTuple):
    """What probe_format() found in an image's header: the Format (None, from
    probe_format_name(), for formats libvirt's QEMU driver has no name for),
    the format's name ('qcow2', 'vhdx', ...), and whether nothing was
    recognised and the image was taken as raw."""
    format: _typing.Optional["Format"]
    name: str
    guessed: bool


class AttachResult(_typing.NamedTuple):
    """What attach() did: the target the disk has; whether anything changed
    (False: the source was attached already), on the live and the persistent
    side; live_only when persistent=True met a transient domain; the format
    used, whether it was read from the image's header (format_probed) and
    whether nothing was recognised there and raw is a guess (format_guessed)."""
    target: str
    changed: bool
    live: bool
    config: bool
    live_only: bool
    format: _typing.Optional["Format"]  # noqa: F821
    format_probed: bool
    format_guessed: bool


class JobStatus(_typing.NamedTuple):
    """A block job on a disk, as job() reads it, the progress callable of
    commit(), pull(), copy() and job_abort() sees it and they return it
    when they are over: the disk's target; its
    kind (a JobKind); the phase the call is at ("started", "running", "ready",
    "pivoting", "aborting", "done"; job() reports "running" or "ready"); the
    bytes done (cur) of the bytes to do (end, 0 while the job has not measured
    its work; either may grow while the guest writes); and whether the mirror
    of a copy or an active commit is ready to pivot."""
    target: str
    kind: "JobKind"  # noqa: F821
    phase: str
    cur: int
    end: int
    ready: bool


class SnapshotResult(_typing.NamedTuple):
    """What snapshot() made: the snapshot's name and {target: path} of each new
    overlay."""
    name: str
    overlays: _typing.Dict[str, str]


class IOTune(_MutableMapping):
    """A disk's <iotune> limits as a live mapping of field name (a str such
    as "total_bytes_sec", or an IOTuneField) to int. Only set fields appear;
    assigning 0 or deleting removes one. Changes go straight to the disk."""

    __slots__ = ("_disk",)

    def __init__(self, disk):
        self._disk = disk

    def _key(self, key):
        if isinstance(key, IOTuneField):  # noqa: F821
            return key.value
        if not isinstance(key, str):
            raise TypeError("iotune keys are field names, not %s" % type(key).__name__)
        try:
            IOTuneField(key)  # noqa: F821
        except ValueError:
            raise KeyError(key) from None
        return key

    def __getitem__(self, key):
        value = self._disk._iotune_get(self._key(key))
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key, value):
        self._disk._iotune_set(self._key(key), value)

    def __delitem__(self, key):
        key = self._key(key)
        if self._disk._iotune_get(key) is None:
            raise KeyError(key)
        self._disk._iotune_set(key, None)

    def __iter__(self):
        for f in IOTuneField:  # noqa: F821
            if self._disk._iotune_get(f.value) is not None:
                yield f.value

    def __len__(self):
        return sum(1 for _ in self)

    def __eq__(self, other):
        if isinstance(other, _Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    def __repr__(self):
        return "IOTune(%r)" % dict(self.items())


class DiskList(_Sequence):
    """The disks of a Domain in document order: a live, read-only sequence.
    Its Disk objects belong to the domain (and keep it alive); add and
    remove disks with Domain.add_disk() and Domain.remove_disk()."""

    __slots__ = ("_domain",)

    def __init__(self, domain):
        self._domain = domain

    def __len__(self):
        return self._domain._disk_count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._domain._disk_at(i) for i in range(*index.indices(len(self)))]
        if isinstance(index, str):
            raise TypeError("index disks by position; use Domain.find_disk(target)")
        return self._domain._disk_at(index)

    def __repr__(self):
        return "DiskList(%r)" % list(self)


_TYPES = {
    "PCIAddress": PCIAddress, "DriveAddress": DriveAddress, "USBAddress": USBAddress,
    "CCWAddress": CCWAddress, "Geometry": Geometry, "BlockIO": BlockIO, "Host": Host,
    "Auth": Auth, "Encryption": Encryption, "Reservations": Reservations, "Slice": Slice,
    "NVMe": NVMe, "Controller": Controller, "IOTune": IOTune, "DiskList": DiskList,
    "ProbedFormat": ProbedFormat, "AttachResult": AttachResult,
    "JobStatus": JobStatus, "SnapshotResult": SnapshotResult,
}
if _vdisk.HAVE_HOTPLUG:
    # the names of vdisk_job_kind, from the library (blockjob.h needs libvirt's headers)
    JobKind = _make_enum("JobKind", _vdisk._job_kinds())
    _TYPES["JobKind"] = JobKind
    __all__.append("JobKind")
_vdisk._setup(_ENUMS, ControllerType, _make_error, _TYPES)

target_to_index = _vdisk.target_to_index
target_from_index = _vdisk.target_from_index
bus_from_target = _vdisk.bus_from_target

HAVE_HOTPLUG = bool(_vdisk.HAVE_HOTPLUG)
if HAVE_HOTPLUG:
    next_target = _vdisk.next_target
    attach = _vdisk.attach
    detach = _vdisk.detach
    change_media = _vdisk.change_media
    set_iotune = _vdisk.set_iotune
    list_disks = _vdisk.list_disks
    hotplug_commands = _vdisk.hotplug_commands
    unplug_commands = _vdisk.unplug_commands
    recover = _vdisk.recover
    connect_open = _vdisk.connect_open
    connect_open_first = _vdisk.connect_open_first
    volume_create = _vdisk.volume_create
    volume_resolve = _vdisk.volume_resolve
    volume_delete = _vdisk.volume_delete
    probe_format = _vdisk.probe_format
    probe_format_name = _vdisk.probe_format_name
    resize = _vdisk.resize
    snapshot = _vdisk.snapshot
    commit = _vdisk.commit
    pull = _vdisk.pull
    copy = _vdisk.copy
    job = _vdisk.job
    job_abort = _vdisk.job_abort
    __all__ += ["next_target", "attach", "detach", "change_media", "set_iotune", "list_disks",
                "hotplug_commands", "unplug_commands", "recover",
                "connect_open", "connect_open_first", "volume_create", "volume_resolve",
                "volume_delete", "probe_format", "probe_format_name",
                "resize", "snapshot", "commit", "pull", "copy", "job", "job_abort"]


