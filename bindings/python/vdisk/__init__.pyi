"""Type stubs of the vdisk package (libvdisk's Python module)."""

import enum
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from os import PathLike
from typing import Any, NamedTuple, Optional, Union, overload

LIBRARY_VERSION: str
__version__: str
HAVE_HOTPLUG: bool

class Type(enum.Enum):
    FILE = 'file'
    BLOCK = 'block'
    DIR = 'dir'
    NETWORK = 'network'
    VOLUME = 'volume'
    NVME = 'nvme'
    VHOSTUSER = 'vhostuser'

class Device(enum.Enum):
    DISK = 'disk'
    CDROM = 'cdrom'
    FLOPPY = 'floppy'
    LUN = 'lun'

class Bus(enum.Enum):
    IDE = 'ide'
    FDC = 'fdc'
    SCSI = 'scsi'
    VIRTIO = 'virtio'
    XEN = 'xen'
    USB = 'usb'
    UML = 'uml'
    SATA = 'sata'
    SD = 'sd'

class Cache(enum.Enum):
    NONE = 'none'
    WRITETHROUGH = 'writethrough'
    WRITEBACK = 'writeback'
    DIRECTSYNC = 'directsync'
    UNSAFE = 'unsafe'

class ErrorPolicy(enum.Enum):
    STOP = 'stop'
    REPORT = 'report'
    IGNORE = 'ignore'
    ENOSPACE = 'enospace'

class IO(enum.Enum):
    NATIVE = 'native'
    THREADS = 'threads'
    IO_URING = 'io_uring'

class Discard(enum.Enum):
    UNMAP = 'unmap'
    IGNORE = 'ignore'

class DetectZeroes(enum.Enum):
    OFF = 'off'
    ON = 'on'
    UNMAP = 'unmap'

class Snapshot(enum.Enum):
    NO = 'no'
    INTERNAL = 'internal'
    EXTERNAL = 'external'
    MANUAL = 'manual'

class SGIO(enum.Enum):
    FILTERED = 'filtered'
    UNFILTERED = 'unfiltered'

class Model(enum.Enum):
    VIRTIO = 'virtio'
    VIRTIO_TRANSITIONAL = 'virtio-transitional'
    VIRTIO_NON_TRANSITIONAL = 'virtio-non-transitional'

class Tray(enum.Enum):
    CLOSED = 'closed'
    OPEN = 'open'

class Trans(enum.Enum):
    NONE = 'none'
    AUTO = 'auto'
    LBA = 'lba'

class StartupPolicy(enum.Enum):
    MANDATORY = 'mandatory'
    REQUISITE = 'requisite'
    OPTIONAL = 'optional'

class Format(enum.Enum):
    RAW = 'raw'
    DIR = 'dir'
    BOCHS = 'bochs'
    CLOOP = 'cloop'
    DMG = 'dmg'
    ISO = 'iso'
    VPC = 'vpc'
    VDI = 'vdi'
    FAT = 'fat'
    VHD = 'vhd'
    PLOOP = 'ploop'
    COW = 'cow'
    QCOW = 'qcow'
    QCOW2 = 'qcow2'
    QED = 'qed'
    VMDK = 'vmdk'

class Protocol(enum.Enum):
    NBD = 'nbd'
    RBD = 'rbd'
    SHEEPDOG = 'sheepdog'
    GLUSTER = 'gluster'
    ISCSI = 'iscsi'
    HTTP = 'http'
    HTTPS = 'https'
    FTP = 'ftp'
    FTPS = 'ftps'
    TFTP = 'tftp'
    SSH = 'ssh'
    VXHS = 'vxhs'
    NFS = 'nfs'

class Transport(enum.Enum):
    TCP = 'tcp'
    UNIX = 'unix'
    RDMA = 'rdma'

class PoolMode(enum.Enum):
    HOST = 'host'
    DIRECT = 'direct'

class AuthType(enum.Enum):
    CHAP = 'chap'
    CEPH = 'ceph'

class EncryptionFormat(enum.Enum):
    QCOW = 'qcow'
    LUKS = 'luks'
    LUKS2 = 'luks2'

class EncryptionEngine(enum.Enum):
    QEMU = 'qemu'
    LIBRBD = 'librbd'

class AddressType(enum.Enum):
    PCI = 'pci'
    DRIVE = 'drive'
    USB = 'usb'
    CCW = 'ccw'

class IOTuneField(enum.Enum):
    TOTAL_BYTES_SEC = 'total_bytes_sec'
    READ_BYTES_SEC = 'read_bytes_sec'
    WRITE_BYTES_SEC = 'write_bytes_sec'
    TOTAL_IOPS_SEC = 'total_iops_sec'
    READ_IOPS_SEC = 'read_iops_sec'
    WRITE_IOPS_SEC = 'write_iops_sec'
    TOTAL_BYTES_SEC_MAX = 'total_bytes_sec_max'
    READ_BYTES_SEC_MAX = 'read_bytes_sec_max'
    WRITE_BYTES_SEC_MAX = 'write_bytes_sec_max'
    TOTAL_IOPS_SEC_MAX = 'total_iops_sec_max'
    READ_IOPS_SEC_MAX = 'read_iops_sec_max'
    WRITE_IOPS_SEC_MAX = 'write_iops_sec_max'
    SIZE_IOPS_SEC = 'size_iops_sec'
    TOTAL_BYTES_SEC_MAX_LENGTH = 'total_bytes_sec_max_length'
    READ_BYTES_SEC_MAX_LENGTH = 'read_bytes_sec_max_length'
    WRITE_BYTES_SEC_MAX_LENGTH = 'write_bytes_sec_max_length'
    TOTAL_IOPS_SEC_MAX_LENGTH = 'total_iops_sec_max_length'
    READ_IOPS_SEC_MAX_LENGTH = 'read_iops_sec_max_length'
    WRITE_IOPS_SEC_MAX_LENGTH = 'write_iops_sec_max_length'

class ControllerType(enum.Enum):
    IDE = 'ide'
    FDC = 'fdc'
    SCSI = 'scsi'
    SATA = 'sata'
    VIRTIO_SERIAL = 'virtio-serial'
    CCID = 'ccid'
    USB = 'usb'
    PCI = 'pci'
    XENBUS = 'xenbus'
    ISA = 'isa'

class ErrorCode(enum.IntEnum):
    OK = 0
    INTERNAL = 1
    NO_MEMORY = 2
    INVALID_ARGUMENT = 3
    XML = 4
    INVALID = 5
    UNSUPPORTED = 6
    NOT_FOUND = 7
    EXISTS = 8
    LIBVIRT = 9
    PENDING = 10
    SYSTEM = 11

class Error(Exception):
    code: ErrorCode
    message: str
    libvirt_code: int
    line: int
    column: int
    def __init__(self, message: str, code: Optional[int] = ..., libvirt_code: int = ...,
                 line: int = ..., column: int = ...) -> None: ...

class InternalError(Error): ...
class NoMemoryError(Error, MemoryError): ...
class InvalidArgumentError(Error, ValueError): ...
class XMLError(Error): ...
class InvalidError(Error): ...
class UnsupportedError(Error): ...
class NotFoundError(Error, LookupError): ...
class ExistsError(Error): ...
class LibvirtError(Error): ...
class PendingError(Error): ...
class HostError(Error): ...

class PCIAddress(NamedTuple):
    domain: int
    bus: int
    slot: int
    function: int

class DriveAddress(NamedTuple):
    controller: int
    bus: int
    target: int
    unit: int

class USBAddress(NamedTuple):
    bus: int
    port: Optional[str]

class CCWAddress(NamedTuple):
    cssid: int
    ssid: int
    devno: int

Address = Union[PCIAddress, DriveAddress, USBAddress, CCWAddress]

class Geometry(NamedTuple):
    cyls: int
    heads: int
    secs: int
    trans: Optional[Trans] = ...

class BlockIO(NamedTuple):
    logical_block_size: Optional[int]
    physical_block_size: Optional[int]

class Host(NamedTuple):
    name: Optional[str]
    port: Optional[int] = ...
    transport: Optional[Transport] = ...
    socket: Optional[str] = ...

class Auth(NamedTuple):
    username: Optional[str]
    secret_type: Optional[str]
    uuid: Optional[str] = ...
    usage: Optional[str] = ...

class Encryption(NamedTuple):
    format: EncryptionFormat
    engine: Optional[EncryptionEngine] = ...
    uuid: Optional[str] = ...
    usage: Optional[str] = ...

class Reservations(NamedTuple):
    managed: Optional[bool]
    path: Optional[str] = ...

class Slice(NamedTuple):
    offset: int
    size: int

class NVMe(NamedTuple):
    namespace: int
    managed: Optional[bool]
    address: PCIAddress

class Controller(NamedTuple):
    type: ControllerType
    index: int
    model: Optional[str]
    alias: Optional[str]
    address: Optional[PCIAddress]

class ProbedFormat(NamedTuple):
    format: Optional[Format]
    name: str
    guessed: bool

_IOTuneKey = Union[str, IOTuneField]

class IOTune(MutableMapping[str, int]):
    def __init__(self, disk: Disk) -> None: ...
    def __getitem__(self, key: _IOTuneKey) -> int: ...
    def __setitem__(self, key: _IOTuneKey, value: Optional[int]) -> None: ...
    def __delitem__(self, key: _IOTuneKey) -> None: ...
    def __iter__(self) -> Iterator[str]: ...
    def __len__(self) -> int: ...

class DiskList(Sequence[Disk]):
    def __init__(self, domain: Domain) -> None: ...
    @overload
    def __getitem__(self, index: int) -> Disk: ...
    @overload
    def __getitem__(self, index: slice) -> list[Disk]: ...
    def __len__(self) -> int: ...

_Path = Union[str, PathLike[str]]
_Secrets = Mapping[str, Union[bytes, str]]

class Source:
    type: Union[Type, str]
    format: Union[Format, str, None]
    path: Optional[_Path]
    @property
    def present(self) -> bool: ...
    startup_policy: Union[StartupPolicy, str, None]
    index: Optional[int]
    protocol: Union[Protocol, str, None]
    name: Optional[str]
    query: Optional[str]
    hosts: Sequence[Host]
    tls: Optional[bool]
    ssl_verify: Optional[bool]
    cookies: Mapping[str, str]
    readahead: Optional[int]
    timeout: Optional[int]
    initiator: Optional[str]
    snapshot_name: Optional[str]
    config_file: Optional[str]
    auth: Optional[Auth]
    encryption: Optional[Encryption]
    reservations: Optional[Reservations]
    slice: Optional[Slice]
    @property
    def pool(self) -> Optional[str]: ...
    @property
    def volume(self) -> Optional[str]: ...
    @property
    def pool_mode(self) -> Optional[PoolMode]: ...
    nvme: Optional[NVMe]
    vhostuser_path: Optional[_Path]
    @property
    def backing(self) -> Optional[Source]: ...
    backing_terminated: bool
    def new_backing(self, type: Union[Type, str], format: Union[Format, str],
                    path: Optional[_Path] = ...) -> Source: ...
    def set_volume(self, pool: str, volume: str,
                   mode: Union[PoolMode, str, None] = ...) -> None: ...
    def clear(self) -> None: ...

class Disk:
    def __init__(self, **properties: Any) -> None: ...
    @classmethod
    def from_xml(cls, xml: str, *, defaults: bool = ..., validate: bool = ...,
                 validate_start: bool = ...) -> Disk: ...
    def to_xml(self) -> str: ...
    def copy(self) -> Disk: ...
    def validate(self, domain: Optional[Domain] = ..., *, start: bool = ...) -> None: ...
    def apply_defaults(self, domain: Optional[Domain] = ...) -> None: ...
    def qemu_args(self, domain: Optional[Domain] = ..., machine: Optional[str] = ...,
                  secrets: Optional[_Secrets] = ..., master_key: Optional[bytes] = ...,
                  first_node_index: Optional[int] = ...) -> list[str]: ...
    def qmp_commands(self, domain: Optional[Domain] = ..., machine: Optional[str] = ...,
                     secrets: Optional[_Secrets] = ..., master_key: Optional[bytes] = ...,
                     first_node_index: Optional[int] = ...) -> list[dict[str, Any]]: ...
    def __eq__(self, other: object) -> bool: ...
    type: Union[Type, str]
    format: Union[Format, str, None]
    @property
    def path(self) -> Optional[str]: ...
    @property
    def source(self) -> Source: ...
    @source.setter
    def source(self, value: Optional[_Path]) -> None: ...
    @property
    def mirror(self) -> Optional[Source]: ...
    @property
    def domain(self) -> Optional[Domain]: ...
    device: Union[Device, str, None]
    model: Union[Model, str, None]
    snapshot: Union[Snapshot, str, None]
    rawio: Optional[bool]
    sgio: Union[SGIO, str, None]
    driver_name: Optional[str]
    cache: Union[Cache, str, None]
    error_policy: Union[ErrorPolicy, str, None]
    rerror_policy: Union[ErrorPolicy, str, None]
    io: Union[IO, str, None]
    ioeventfd: Optional[bool]
    event_idx: Optional[bool]
    copy_on_read: Optional[bool]
    discard: Union[Discard, str, None]
    detect_zeroes: Union[DetectZeroes, str, None]
    iothread: Optional[int]
    queues: Optional[int]
    queue_size: Optional[int]
    metadata_cache_max_size: Optional[int]
    target: Optional[str]
    bus: Union[Bus, str, None]
    tray: Union[Tray, str, None]
    removable: Optional[bool]
    rotation_rate: Optional[int]
    readonly: bool
    shareable: bool
    transient: bool
    transient_share_backing: Optional[bool]
    serial: Optional[str]
    wwn: Optional[str]
    vendor: Optional[str]
    product: Optional[str]
    boot_order: Optional[int]
    alias: Optional[str]
    backend_domain: Optional[str]
    address: Optional[Address]
    geometry: Optional[Geometry]
    blockio: Optional[BlockIO]
    @property
    def iotune(self) -> IOTune: ...
    @iotune.setter
    def iotune(self, value: Optional[Mapping[_IOTuneKey, int]]) -> None: ...
    iotune_group: Optional[str]

class Domain:
    @classmethod
    def from_xml(cls, xml: str, *, defaults: bool = ..., validate: bool = ...,
                 validate_start: bool = ...) -> Domain: ...
    def to_xml(self) -> str: ...
    @property
    def name(self) -> Optional[str]: ...
    @property
    def virt_type(self) -> Optional[str]: ...
    @property
    def arch(self) -> Optional[str]: ...
    @property
    def machine(self) -> Optional[str]: ...
    @property
    def is_q35(self) -> bool: ...
    @property
    def iothreads(self) -> int: ...
    @property
    def disks(self) -> DiskList: ...
    @property
    def controllers(self) -> list[Controller]: ...
    def find_disk(self, target: str) -> Optional[Disk]: ...
    def add_disk(self, disk: Disk) -> Disk: ...
    def remove_disk(self, target: Union[str, Disk]) -> None: ...
    def qemu_args(self, *, machine: Optional[str] = ..., secrets: Optional[_Secrets] = ...,
                  master_key: Optional[bytes] = ...,
                  first_node_index: Optional[int] = ...) -> list[str]: ...
    def qmp_commands(self, *, machine: Optional[str] = ..., secrets: Optional[_Secrets] = ...,
                     master_key: Optional[bytes] = ...,
                     first_node_index: Optional[int] = ...) -> list[dict[str, Any]]: ...

def enum_to_string(member: enum.Enum) -> Optional[str]: ...
def target_to_index(name: str) -> int: ...
def target_from_index(prefix: str, index: int) -> str: ...
def bus_from_target(name: str) -> Optional[Bus]: ...

# hotplug: `dom` is a libvirt.virDomain (python3-libvirt)
def next_target(dom: Any, bus: Union[Bus, str]) -> str: ...
def attach(dom: Any, disk: Disk, *, live: bool = ..., config: bool = ...) -> None: ...
def detach(dom: Any, target: str, wait: float = ..., *, live: bool = ...,
           config: bool = ...) -> None: ...
def change_media(dom: Any, target: str, source: Optional[_Path] = ..., *, force: bool = ...,
                 live: bool = ..., config: bool = ...) -> None: ...
def set_iotune(dom: Any, target: str, iotune_from: Disk, *, live: bool = ...,
               config: bool = ...) -> None: ...
def list_disks(dom: Any, *, inactive: bool = ...) -> Domain: ...

# connections and storage: `conn` is a libvirt.virConnect (python3-libvirt)
def connect_open(uri: Optional[str] = ..., *, readonly: bool = ...,
                 no_event_loop: bool = ...) -> Any: ...
def connect_open_first(uris: Sequence[str], *, readonly: bool = ...,
                       no_event_loop: bool = ...) -> tuple[Any, int]: ...
def volume_create(conn: Any, pool: str, name: str, capacity: int,
                  format: Union[Format, str, None] = ..., backing: Optional[_Path] = ..., *,
                  as_volume: bool = ...) -> Disk: ...
def volume_resolve(disk: Disk, conn: Any) -> None: ...
def volume_delete(conn: Any, pool: str, name: str, dom: Optional[Any] = ...) -> None: ...
def probe_format(path: _Path) -> ProbedFormat: ...
def probe_format_name(path: _Path) -> ProbedFormat: ...
