"""A disk's life on a running domain: resize(), snapshot(), the block jobs
commit(), pull() and copy(), job() and job_abort().

The argument checks run offline, on a domain of libvirt's test driver
(test:///default, no daemon): they refuse before the library is called.
The rest runs against the system libvirtd and QEMU (qemu:///system, which
must already run) on a small domain with no OS whose virtio disk is a qcow2
overlay of a raw image holding data. Every domain and file made here is
named pytest-bj-* and removed, whatever the outcome."""

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest

import vdisk

libvirt = pytest.importorskip("libvirt")

pytestmark = pytest.mark.skipif(not vdisk.HAVE_HOTPLUG, reason="built without hotplug")

URI = "qemu:///system"
IMAGES = "/var/lib/libvirt/images"
PREFIX = "pytest-bj-"
MiB = 1 << 20
SIZE = 8 * MiB  # the disk's size; QEMU copies all of it, zeros too
DATA = 2 * MiB  # bytes of data at its start
SLOW = 2 * MiB  # bytes per second: a job over the disk takes about 4 s

DOMAIN = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='%s'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>
"""

# ---- argument checks, offline ------------------------------------------------------------


@pytest.fixture(scope="module")
def test_dom():
    """The running domain "test" of libvirt's test driver: a real virDomain
    that no job call ever reaches with the arguments below."""
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    c = libvirt.open("test:///default")
    yield c.lookupByName("test")
    c.close()


@pytest.mark.parametrize("size", ["10X", "ten", "1GG", "", "+", "99999999999P"])
def test_bad_size_string_is_refused_before_libvirt(test_dom, size):
    with pytest.raises(vdisk.InvalidArgumentError) as ei:
        vdisk.resize(test_dom, "vda", size)
    assert ei.value.code is vdisk.ErrorCode.INVALID_ARGUMENT
    assert isinstance(ei.value, ValueError)
    assert "vdisk_size_parse" in ei.value.message


@pytest.mark.parametrize("size", [None, 1.5, b"1G", True, ["1G"]])
def test_size_of_another_type_raises_type_error(test_dom, size):
    with pytest.raises(TypeError, match="size must be a str or an int"):
        vdisk.resize(test_dom, "vda", size)


def test_negative_int_size_raises_value_error(test_dom):
    with pytest.raises(ValueError, match="size must not be negative"):
        vdisk.resize(test_dom, "vda", -1)


def job_calls(dom):
    """Each job call with the arguments it needs, taking the keywords given."""
    return {
        "commit": lambda **kw: vdisk.commit(dom, "vda", **kw),
        "pull": lambda **kw: vdisk.pull(dom, "vda", **kw),
        "copy": lambda **kw: vdisk.copy(dom, "vda", "/nonexistent/pytest-bj.qcow2", **kw),
        "job_abort": lambda **kw: vdisk.job_abort(dom, "vda", **kw),
    }


@pytest.mark.parametrize("call", ["commit", "pull", "copy", "job_abort"])
def test_wait_progress_and_bandwidth_are_checked(test_dom, call):
    f = job_calls(test_dom)[call]
    for wait in (-1, -0.001, float("nan"), 86401):
        with pytest.raises(ValueError, match="wait must be between"):
            f(wait=wait)
    for wait in ("1", True, [1]):
        with pytest.raises(TypeError, match="wait must be a number"):
            f(wait=wait)
    with pytest.raises(TypeError, match="progress must be callable"):
        f(progress=1)
    if call != "job_abort":
        with pytest.raises(ValueError, match="bandwidth must not be negative"):
            f(bandwidth=-1)
        with pytest.raises(TypeError, match="bandwidth must be an int"):
            f(bandwidth="1M")
    else:
        with pytest.raises(TypeError):
            f(bandwidth=1)


def test_dom_must_be_a_libvirt_domain():
    calls = [
        lambda: vdisk.resize(None, "vda", "1G"),
        lambda: vdisk.snapshot("dom"),
        lambda: vdisk.commit(object(), "vda"),
        lambda: vdisk.pull(1, "vda"),
        lambda: vdisk.copy(None, "vda", "/x.qcow2"),
        lambda: vdisk.job(None, "vda"),
        lambda: vdisk.job_abort(None, "vda"),
    ]
    for call in calls:
        with pytest.raises(TypeError, match="dom must be a libvirt.virDomain"):
            call()


def test_other_arguments_of_the_wrong_type(test_dom):
    with pytest.raises(TypeError):
        vdisk.job(test_dom, 1)
    with pytest.raises(TypeError):
        vdisk.commit(test_dom, "vda", top=1)
    with pytest.raises(TypeError):
        vdisk.copy(test_dom, "vda", None)
    with pytest.raises(ValueError, match="unknown format 'bogus'"):
        vdisk.copy(test_dom, "vda", "/x.qcow2", format="bogus")
    with pytest.raises(TypeError, match="not a str"):
        vdisk.snapshot(test_dom, "vda")
    with pytest.raises(TypeError):
        vdisk.snapshot(test_dom, [1])
    with pytest.raises(TypeError, match="overlays must be a mapping"):
        vdisk.snapshot(test_dom, overlays=[("vda", "/x.qcow2")])
    with pytest.raises(TypeError):
        vdisk.snapshot(test_dom, overlays={"vda": 1})
    with pytest.raises(ValueError, match="not a disk target"):
        vdisk.snapshot(test_dom, overlays={"vd=a": "/x.qcow2"})
    with pytest.raises(TypeError):
        vdisk.snapshot(test_dom, name=1)


def test_job_kinds_and_the_cancelled_error():
    assert [k.value for k in vdisk.JobKind] == [
        "none", "pull", "copy", "commit", "active-commit", "backup", "unknown"]
    assert vdisk.ErrorCode.CANCELLED.name == "CANCELLED"
    e = vdisk._make_error(int(vdisk.ErrorCode.CANCELLED), "vdisk_block_copy: cancelled", 0, 0, 0)
    assert type(e) is vdisk.CancelledError and e.code is vdisk.ErrorCode.CANCELLED
    assert isinstance(e, vdisk.Error)
    st = vdisk.JobStatus("vda", vdisk.JobKind.COPY, "ready", 5, 5, True)
    assert st.kind is vdisk.JobKind.COPY and st.ready


# ---- against libvirtd and QEMU -------------------------------------------------------------


@pytest.fixture
def imgdir(conn):
    os.makedirs(IMAGES, exist_ok=True)
    d = tempfile.mkdtemp(prefix="%s%d-" % (PREFIX, os.getpid()), dir=IMAGES)
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


class Chain:
    """The images of the disk: base.raw (DATA bytes of data) below top.qcow2."""

    def __init__(self, imgdir):
        self.dir = imgdir
        self.base = os.path.join(imgdir, "base.raw")
        self.top = os.path.join(imgdir, "top.qcow2")
        with open(self.base, "wb") as f:
            block = b"".join(b"pytest-bj %08d\n" % i for i in range(MiB // 20))
            for _ in range(DATA // len(block)):
                f.write(block)
            f.truncate(SIZE)
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", self.base, "-F", "raw",
                        self.top], check=True)
        for p in (self.base, self.top):
            os.chmod(p, 0o666)

    def path(self, name):
        return os.path.join(self.dir, name)


@pytest.fixture
def chain(imgdir):
    return Chain(imgdir)


@pytest.fixture
def dom(conn, chain, request):
    """A persistent domain running on the chain; destroyed and undefined
    (with any snapshot metadata) after the test."""
    name = "%s%d-%s" % (PREFIX, os.getpid(), request.node.name[5:40].replace("_", "-"))
    d = conn.defineXML(DOMAIN % (name, chain.top))
    try:
        d.create()
        yield d
    finally:
        try:
            d.destroy()
        except libvirt.libvirtError:
            pass
        try:
            d.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
        except libvirt.libvirtError:
            pass


def same_data(a, b):
    """Whether images @a and @b hold the same data (qemu-img compare; call
    it once the domain is stopped: QEMU caches qcow2 metadata)."""
    return subprocess.run(["qemu-img", "compare", "-U", a, b], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def live_chain(dom, inactive=False):
    """The paths of the disk's chain, top first, as libvirt's definition has it."""
    src = vdisk.list_disks(dom, inactive=inactive).find_disk("vda").source
    paths = []
    while src is not None and src.path is not None:
        paths.append(src.path)
        src = src.backing
    return paths


def test_no_job_runs_and_missing_targets_are_not_found(dom, chain):
    assert vdisk.job(dom, "vda") is None
    with pytest.raises(vdisk.NotFoundError):
        vdisk.job(dom, "vdz")
    dest = chain.path("missing.qcow2")
    with pytest.raises(vdisk.NotFoundError) as ei:
        vdisk.copy(dom, "vdz", dest)
    assert "vdz" in ei.value.message
    assert not os.path.exists(dest)
    with pytest.raises(vdisk.NotFoundError):
        vdisk.job_abort(dom, "vda")  # no job runs on the disk


def test_resize_returns_the_new_size(dom):
    before = dom.blockInfo("vda")[0]
    size = vdisk.resize(dom, "vda", "+1M")
    assert size == before + MiB
    assert dom.blockInfo("vda")[0] == size
    assert vdisk.resize(dom, "vda", size + MiB) == size + MiB
    # a smaller size is refused without shrink=True
    with pytest.raises(vdisk.InvalidArgumentError):
        vdisk.resize(dom, "vda", "-1M")
    assert dom.blockInfo("vda")[0] == size + MiB


def test_snapshot_returns_its_overlays_and_the_domain_uses_them(dom, chain):
    overlay = chain.path("snap1.qcow2")
    res = vdisk.snapshot(dom, ["vda"], name=PREFIX + "snap1", overlays={"vda": overlay})
    assert isinstance(res, vdisk.SnapshotResult)
    assert res.name == PREFIX + "snap1"
    assert res.overlays == {"vda": overlay}
    assert os.path.exists(overlay)
    assert live_chain(dom) == [overlay, chain.top, chain.base]
    assert dom.snapshotLookupByName(PREFIX + "snap1").getName() == PREFIX + "snap1"
    # an overlay that exists is refused, the disk untouched
    with pytest.raises(vdisk.ExistsError):
        vdisk.snapshot(dom, ["vda"], overlays={"vda": overlay}, metadata=False)
    assert live_chain(dom) == [overlay, chain.top, chain.base]


def test_snapshot_of_every_disk_takes_libvirt_overlay_paths(dom, chain):
    res = vdisk.snapshot(dom, name=PREFIX + "auto", metadata=False)
    overlay = chain.path("top." + PREFIX + "auto")
    assert res == vdisk.SnapshotResult(PREFIX + "auto", {"vda": overlay})
    assert live_chain(dom) == [overlay, chain.top, chain.base]
    assert dom.snapshotNum() == 0


def test_commit_of_the_active_image_pivots_onto_its_base(dom, chain):
    assert live_chain(dom) == [chain.top, chain.base]
    vdisk.commit(dom, "vda")
    assert live_chain(dom) == [chain.base]
    assert vdisk.job(dom, "vda") is None
    # nothing is left to commit
    with pytest.raises(vdisk.InvalidError):
        vdisk.commit(dom, "vda")


def test_active_commit_without_pivot_is_pivoted_by_job_abort(dom, chain):
    vdisk.commit(dom, "vda", pivot=False)
    st = vdisk.job(dom, "vda")
    assert st.kind is vdisk.JobKind.ACTIVE_COMMIT and st.ready
    assert live_chain(dom) == [chain.top, chain.base]
    last = vdisk.job_abort(dom, "vda", pivot=True)
    assert last.kind is vdisk.JobKind.ACTIVE_COMMIT and last.phase == "done"
    assert vdisk.job(dom, "vda") is None
    assert live_chain(dom) == [chain.base]


def test_pull_flattens_the_chain_into_the_top_image(dom, chain):
    vdisk.pull(dom, "vda")
    assert live_chain(dom) == [chain.top]
    assert vdisk.job(dom, "vda") is None
    info = subprocess.run(["qemu-img", "info", "-U", chain.top], check=True,
                          capture_output=True, text=True).stdout
    assert "backing file" not in info
    dom.destroy()
    assert same_data(chain.base, chain.top)


def test_pull_with_wait_0_is_pending_then_aborted(dom, chain):
    with pytest.raises(vdisk.PendingError):
        vdisk.pull(dom, "vda", wait=0, bandwidth=SLOW // 4)
    st = vdisk.job(dom, "vda")
    assert st is not None and st.kind is vdisk.JobKind.PULL and st.target == "vda"
    assert st.phase == "running" and not st.ready
    vdisk.job_abort(dom, "vda")
    assert vdisk.job(dom, "vda") is None
    assert live_chain(dom) == [chain.top, chain.base]


def test_copy_pivots_onto_the_destination(dom, chain):
    dest = chain.path("copy.qcow2")
    st = vdisk.copy(dom, "vda", dest)
    assert st.kind is vdisk.JobKind.COPY and st.phase == "done" and st.ready
    assert os.path.exists(dest)
    assert live_chain(dom) == [dest]
    assert live_chain(dom, inactive=True) == [dest]
    assert vdisk.job(dom, "vda") is None
    dom.destroy()
    assert same_data(chain.base, dest)


def test_copy_without_pivot_stays_ready_until_aborted(dom, chain):
    dest = chain.path("mirror.qcow2")
    last = vdisk.copy(dom, "vda", dest, pivot=False)
    assert last.phase == "ready" and last.ready
    st = vdisk.job(dom, "vda")
    assert isinstance(st, vdisk.JobStatus)
    assert st.kind is vdisk.JobKind.COPY and st.ready and st.phase == "ready"
    assert st.end > 0
    # another job is refused while this one runs
    with pytest.raises(vdisk.ExistsError):
        vdisk.pull(dom, "vda")
    vdisk.job_abort(dom, "vda")
    assert vdisk.job(dom, "vda") is None
    assert live_chain(dom) == [chain.top, chain.base]


def test_progress_sees_the_job_advance(dom, chain):
    # a pull: libvirt reports a copy's cur as end - 1 until its mirror is ready
    seen = []
    last = vdisk.pull(dom, "vda", bandwidth=SLOW, progress=seen.append)
    assert last.kind is vdisk.JobKind.PULL and last.phase == "done"
    assert seen and all(isinstance(s, vdisk.JobStatus) for s in seen)
    assert {s.target for s in seen} == {"vda"}
    assert {s.kind for s in seen} <= {vdisk.JobKind.PULL, vdisk.JobKind.NONE}
    assert {s.phase for s in seen} <= {"started", "running", "done"}
    running = [s for s in seen if s.phase == "running"]
    curs = [s.cur for s in running]
    assert curs == sorted(curs)
    assert len(set(curs)) >= 3 and curs[-1] > curs[0]
    assert all(s.end == SIZE for s in running if s.end)
    assert live_chain(dom) == [chain.top]


class Stop(Exception):
    pass


def test_progress_raising_cancels_the_job(dom, chain):
    dest = chain.path("cancelled.qcow2")
    calls = []

    def progress(status):
        calls.append(status)
        if status.phase != "started":
            raise Stop(status)

    with pytest.raises(Stop):
        vdisk.copy(dom, "vda", dest, bandwidth=SLOW, progress=progress)
    # called no more once it raised
    assert calls[-1].phase != "started" and all(s.phase == "started" for s in calls[:-1])
    assert vdisk.job(dom, "vda") is None
    assert live_chain(dom) == [chain.top, chain.base]
    assert not os.path.exists(dest)  # libvirt made it for the call: removed


def test_ctrl_c_cancels_the_job(dom, chain):
    over = threading.Event()

    def interrupt():
        # SIGINT once the job runs, as a user's Ctrl-C
        while not over.is_set():
            if dom.blockJobInfo("vda", 0):
                os.kill(os.getpid(), signal.SIGINT)
                return
            time.sleep(0.05)

    thread = threading.Thread(target=interrupt)
    thread.start()
    try:
        # no progress callable: Ctrl-C is seen all the same
        with pytest.raises(KeyboardInterrupt):
            vdisk.pull(dom, "vda", bandwidth=SLOW // 4)
    finally:
        over.set()
        thread.join()
    assert vdisk.job(dom, "vda") is None
    assert live_chain(dom) == [chain.top, chain.base]


def test_copy_to_an_existing_file_raises_exists(dom, chain):
    dest = chain.path("exists.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", dest, "8M"], check=True)
    before = os.stat(dest)
    with pytest.raises(vdisk.ExistsError) as ei:
        vdisk.copy(dom, "vda", dest)
    assert ei.value.code is vdisk.ErrorCode.EXISTS
    assert os.stat(dest).st_mtime_ns == before.st_mtime_ns
    assert live_chain(dom) == [chain.top, chain.base]
    assert vdisk.job(dom, "vda") is None
