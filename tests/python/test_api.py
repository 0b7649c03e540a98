"""The package documents itself and its stub matches it."""

import ast
import enum
import inspect
import os

import vdisk


def stub_tree():
    path = os.path.join(os.path.dirname(vdisk.__file__), "__init__.pyi")
    with open(path) as f:
        return ast.parse(f.read())


def test_every_class_method_and_property_has_a_docstring():
    missing = []
    for cls in (vdisk.Disk, vdisk.Source, vdisk.Domain, vdisk.IOTune, vdisk.DiskList):
        assert cls.__doc__, cls
        for name, member in vars(cls).items():
            if name.startswith("_"):
                continue
            if not (getattr(member, "__doc__", None) or "").strip():
                missing.append("%s.%s" % (cls.__name__, name))
    for name in vdisk.__all__:
        obj = getattr(vdisk, name)
        if callable(obj) and not (obj.__doc__ or "").strip():
            missing.append(name)
    assert missing == []
    assert "cache" in vdisk.Disk.cache.__doc__ or "driver@cache" in vdisk.Disk.cache.__doc__


def test_help_renders():
    text = inspect.getdoc(vdisk.Disk)
    assert "from_xml" in text
    import pydoc
    assert "qemu_args" in pydoc.render_doc(vdisk.Disk)


def test_stub_enums_match_the_module():
    classes = {n.name: n for n in stub_tree().body if isinstance(n, ast.ClassDef)}
    extra = ["JobKind"] if vdisk.HAVE_HOTPLUG else []
    for name in vdisk._ENUM_ORDER + ["ControllerType", "ErrorCode"] + extra:
        cls = getattr(vdisk, name)
        assert issubclass(cls, enum.Enum)
        body = classes[name].body
        members = {s.targets[0].id: ast.literal_eval(s.value) for s in body
                   if isinstance(s, ast.Assign)}
        assert members == {m.name: m.value for m in cls}, name


def test_stub_names_every_public_name():
    names = set()
    for node in stub_tree().body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            names.add(node.target.id)
    public = set(vdisk.__all__) - {"__version__", "LIBRARY_VERSION"}
    assert public - names == set()


def test_stub_declares_every_property():
    classes = {n.name: n for n in stub_tree().body if isinstance(n, ast.ClassDef)}
    for cls in (vdisk.Disk, vdisk.Source, vdisk.Domain):
        declared = set()
        for s in classes[cls.__name__].body:
            if isinstance(s, ast.AnnAssign):
                declared.add(s.target.id)
            elif isinstance(s, ast.FunctionDef):
                declared.add(s.name)
        public = {n for n in vars(cls) if not n.startswith("_")}
        assert public - declared == set(), cls.__name__
