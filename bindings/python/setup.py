"""The C extension vdisk._vdisk for `pip install ./bindings/python`
(everything else is declared in pyproject.toml).

The compiler and linker flags come from `pkg-config --cflags --libs
libvdisk` (set PKG_CONFIG_PATH to PREFIX/lib/pkgconfig for a libvdisk
installed under a prefix; PKG_CONFIG names another pkg-config). When that
libdir is not one the dynamic linker searches anyway, the extension gets it
as its RUNPATH, so it imports without LD_LIBRARY_PATH.
"""

import os
import shlex
import subprocess

from setuptools import Extension, setup

SYSTEM_LIBDIRS = {"/lib", "/usr/lib", "/lib64", "/usr/lib64",
                  "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"}


def pkg_config(*args):
    cmd = shlex.split(os.environ.get("PKG_CONFIG", "pkg-config")) + list(args) + ["libvdisk"]
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    except FileNotFoundError:
        raise SystemExit("pkg-config is needed to find libvdisk (apt-get install pkg-config)")
    except subprocess.CalledProcessError as e:
        raise SystemExit("pkg-config cannot find libvdisk (%s); set PKG_CONFIG_PATH to "
                         "PREFIX/lib/pkgconfig" % e.stderr.strip())
    return shlex.split(out)


def system_libdir(path):
    real = os.path.realpath(path)
    if real in SYSTEM_LIBDIRS:
        return True
    try:
        arch = subprocess.run(["gcc", "-print-multiarch"], capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        arch = ""
    return bool(arch) and real in ("/lib/" + arch, "/usr/lib/" + arch)


cflags = pkg_config("--cflags")
libs = pkg_config("--libs")
libdir = pkg_config("--variable=libdir")
libdir = libdir[0] if libdir else ""

include_dirs = [f[2:] for f in cflags if f.startswith("-I")] + ["."]
extra_compile_args = [f for f in cflags if not f.startswith("-I")]
library_dirs = [f[2:] for f in libs if f.startswith("-L")]
# Only libvdisk: the module calls no libvirt function itself (libvdisk
# loads libvirt when a connection needs it), and the -lvirt that
# libvdisk.pc hands out for programs that do would make `import vdisk`
# load libvirt.
libraries = [f[2:] for f in libs if f.startswith("-l") and not f.startswith("-lvirt")]
extra_link_args = [f for f in libs if not f.startswith(("-L", "-l"))]
libdir = os.path.realpath(libdir) if libdir else ""
runtime_library_dirs = [libdir] if libdir and not system_libdir(libdir) else []

setup(
    ext_modules=[
        Extension(
            "vdisk._vdisk",
            sources=["vdiskmodule.c"],
            depends=["vdisk-fields.h"],
            include_dirs=include_dirs,
            library_dirs=library_dirs,
            libraries=libraries,
            runtime_library_dirs=runtime_library_dirs,
            define_macros=[("VDISK_PY_HOTPLUG", "1")],
            extra_compile_args=["-std=gnu11", "-Wno-missing-field-initializers",
                                "-Wno-cast-function-type"] + extra_compile_args,
            extra_link_args=extra_link_args,
        )
    ],
)
