/*
 * vdiskmodule.c: the vdisk._vdisk extension module, libvdisk's public API
 * for Python
 *
 * The Python package vdisk (vdisk/__init__.py) builds the enums, error
 * classes and small value types on top of this module and registers them
 * here with _setup(); the objects of this module return those types.
 *
 * Lifetimes: a Disk either owns its vdisk_disk or borrows it from a Domain
 * and then holds a reference to that Domain. A Domain remembers the Disk
 * objects it handed out (weakly); when a disk is removed from the domain
 * its Disk object receives a copy and becomes a standalone disk. A Source
 * holds its Disk and finds its vdisk_source again on every access, so a
 * backing store removed meanwhile is reported, not dereferenced.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <limits.h>
#include <string.h>
#include <vdisk/vdisk.h>
#ifdef VDISK_PY_HOTPLUG
#include <vdisk/hotplug.h>
#include <vdisk/blockjob.h>
#endif

/* ---- registered Python-level types ------------------------------------------------ */

/* enum classes by vdisk_enum, set by _setup() */
static PyObject *py_enums[VDISK_ENUM_LAST];
static PyObject *py_controller_type_enum;
/* callable (code, message, libvirt_code, line, column) -> exception instance */
static PyObject *py_error_factory;
/* named value types: "Host", "PCIAddress", "DriveAddress", "USBAddress",
 * "CCWAddress", "Geometry", "BlockIO", "Cookie", "Controller", "Slice",
 * "IOTune", "DiskList", ... */
static PyObject *py_types;
static PyObject *py_json_loads;

static PyTypeObject DiskType;
static PyTypeObject SourceType;
static PyTypeObject DomainType;

typedef struct {
    PyObject_HEAD vdisk_disk *disk; /* NULL only while being constructed */
    PyObject *domain;               /* the owning Domain, or NULL when the disk is ours */
    PyObject *weakrefs;
} DiskObject;

typedef struct {
    PyObject_HEAD DiskObject *disk;
    unsigned int depth; /* 0: the top source (or the mirror); n: the n-th backing store */
    int mirror;
} SourceObject;

typedef struct {
    PyObject_HEAD vdisk_domain *dom;
    PyObject *views; /* dict: PyLong(vdisk_disk *) -> weakref to its Disk object */
    PyObject *weakrefs;
} DomainObject;

/* Named libvirt strings for controller@type (no generic enum table in the API). */
static const char *const controller_type_names[VDISK_CONTROLLER_LAST] = {
    [VDISK_CONTROLLER_IDE] = "ide",
    [VDISK_CONTROLLER_FDC] = "fdc",
    [VDISK_CONTROLLER_SCSI] = "scsi",
    [VDISK_CONTROLLER_SATA] = "sata",
    [VDISK_CONTROLLER_VIRTIO_SERIAL] = "virtio-serial",
    [VDISK_CONTROLLER_CCID] = "ccid",
    [VDISK_CONTROLLER_USB] = "usb",
    [VDISK_CONTROLLER_PCI] = "pci",
    [VDISK_CONTROLLER_XENBUS] = "xenbus",
    [VDISK_CONTROLLER_ISA] = "isa",
};

/* enum_sizes[] and enum_names[], VD_PY_DISK_FIELDS and VD_PY_DISK_GETSET: generated from
 * the schema table */
#include "vdisk-fields.h"

/* ---- errors ----------------------------------------------------------------------- */

/* Raises @err as the matching vdisk.Error subclass and frees it. Returns NULL. */
static PyObject *
raise_error(vdisk_error *err)
{
    PyObject *exc;

    if (PyErr_Occurred()) {
        vdisk_error_free(err);
        return NULL;
    }
    if (!err)
        return PyErr_NoMemory();
    if (!py_error_factory) {
        PyErr_SetString(PyExc_RuntimeError, vdisk_error_get_message(err));
        vdisk_error_free(err);
        return NULL;
    }
    exc = PyObject_CallFunction(py_error_factory, "isiii", (int)vdisk_error_get_code(err),
                                vdisk_error_get_message(err), vdisk_error_get_libvirt_code(err),
                                vdisk_error_get_line(err), vdisk_error_get_column(err));
    vdisk_error_free(err);
    if (!exc)
        return NULL;
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
    return NULL;
}

/* Raises vdisk.InvalidError (ErrorCode.INVALID, also a ValueError) for a
 * value the library refuses before any call: an unknown enum string, a
 * number out of range. Returns -1. */
static int
raise_invalid(const char *fmt, ...)
{
    PyObject *msg;
    PyObject *exc;
    va_list ap;

    va_start(ap, fmt);
    msg = PyUnicode_FromFormatV(fmt, ap);
    va_end(ap);
    if (!msg)
        return -1;
    if (!py_error_factory) {
        PyErr_SetObject(PyExc_ValueError, msg);
        Py_DECREF(msg);
        return -1;
    }
    exc = PyObject_CallFunction(py_error_factory, "iOiii", (int)VDISK_ERR_INVALID, msg, 0, 0, 0);
    Py_DECREF(msg);
    if (!exc)
        return -1;
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
    return -1;
}

/* "a, b, c": the strings of enum @which, for messages. */
static PyObject *
enum_choices(vdisk_enum which)
{
    PyObject *list = PyList_New(0);
    PyObject *sep;
    PyObject *ret;

    if (!list)
        return NULL;
    for (int v = 1; v < enum_sizes[which]; v++) {
        const char *name = vdisk_enum_to_string(which, v);
        PyObject *str;

        if (!name)
            continue;
        if (!(str = PyUnicode_FromString(name)) || PyList_Append(list, str) < 0) {
            Py_XDECREF(str);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(str);
    }
    if (!(sep = PyUnicode_FromString(", "))) {
        Py_DECREF(list);
        return NULL;
    }
    ret = PyUnicode_Join(sep, list);
    Py_DECREF(sep);
    Py_DECREF(list);
    return ret;
}

static PyObject *
named_type(const char *name)
{
    PyObject *t = py_types ? PyDict_GetItemString(py_types, name) : NULL;

    if (!t)
        PyErr_Format(PyExc_RuntimeError, "vdisk: type %s is not registered", name);
    return t;
}

/* Calls the registered value type @name with the arguments built from @fmt. */
static PyObject *
make_value(const char *name, const char *fmt, ...)
{
    PyObject *type = named_type(name);
    PyObject *args;
    PyObject *ret;
    va_list ap;

    if (!type)
        return NULL;
    va_start(ap, fmt);
    args = Py_VaBuildValue(fmt, ap);
    va_end(ap);
    if (!args)
        return NULL;
    if (!PyTuple_Check(args)) {
        PyObject *t = PyTuple_Pack(1, args);

        Py_DECREF(args);
        if (!(args = t))
            return NULL;
    }
    ret = PyObject_Call(type, args, NULL);
    Py_DECREF(args);
    return ret;
}

/* ---- conversions ------------------------------------------------------------------ */

static PyObject *
str_or_none(const char *s)
{
    if (!s)
        Py_RETURN_NONE;
    return PyUnicode_FromString(s);
}

static PyObject *
enum_value(vdisk_enum which, int v)
{
    const char *s = vdisk_enum_to_string(which, v);
    PyObject *str;
    PyObject *ret;

    if (!s)
        Py_RETURN_NONE;
    if (!(str = PyUnicode_FromString(s)))
        return NULL;
    if (!py_enums[which])
        return str;
    ret = PyObject_CallOneArg(py_enums[which], str);
    Py_DECREF(str);
    return ret;
}

static PyObject *
tristate_value(vdisk_tristate t)
{
    switch (t) {
    case VDISK_TRISTATE_ON:
        Py_RETURN_TRUE;
    case VDISK_TRISTATE_OFF:
        Py_RETURN_FALSE;
    case VDISK_TRISTATE_DEFAULT:
    case VDISK_TRISTATE_LAST:
        break;
    }
    Py_RETURN_NONE;
}

static PyObject *
uint_or_none(unsigned long long v)
{
    if (!v)
        Py_RETURN_NONE;
    return PyLong_FromUnsignedLongLong(v);
}

/* @obj as a string argument: str or os.PathLike (a str path), or None when
 * @nullable. *@out stays valid while @obj lives (the path case keeps a
 * reference in *@keep, which the caller drops). Returns 0 or -1 (raised). */
static int
arg_str(PyObject *obj, const char *what, int nullable, const char **out, PyObject **keep)
{
    *out = NULL;
    if (keep)
        *keep = NULL;
    if (obj == Py_None) {
        if (nullable)
            return 0;
        PyErr_Format(PyExc_TypeError, "%s must be a str, not None", what);
        return -1;
    }
    if (!PyUnicode_Check(obj) && keep && PyObject_HasAttrString(obj, "__fspath__")) {
        PyObject *p = PyOS_FSPath(obj);

        if (!p)
            return -1;
        if (!PyUnicode_Check(p)) {
            Py_DECREF(p);
            PyErr_Format(PyExc_TypeError, "%s must be a str path", what);
            return -1;
        }
        *keep = p;
        obj = p;
    }
    if (!PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be a str%s, not %.80s", what,
                     nullable ? " or None" : "", Py_TYPE(obj)->tp_name);
        return -1;
    }
    {
        Py_ssize_t len;

        if (!(*out = PyUnicode_AsUTF8AndSize(obj, &len)))
            goto fail;
        if ((size_t)len != strlen(*out)) {
            raise_invalid("%s contains a NUL character", what);
            goto fail;
        }
    }
    return 0;

fail:
    *out = NULL;
    if (keep)
        Py_CLEAR(*keep);
    return -1;
}

/* An enum member or its libvirt string (None: unset, 0). */
static int
arg_enum(PyObject *obj, vdisk_enum which, const char *what, int nullable, int *out)
{
    PyObject *value = NULL;
    const char *s;
    int v;

    *out = 0;
    if (obj == Py_None) {
        if (nullable)
            return 0;
        PyErr_Format(PyExc_TypeError, "%s must not be None", what);
        return -1;
    }
    if (py_enums[which] && PyObject_TypeCheck(obj, (PyTypeObject *)py_enums[which])) {
        if (!(value = PyObject_GetAttrString(obj, "value")))
            return -1;
        obj = value;
    }
    if (!PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be a vdisk.%s member or its string%s, not %.80s",
                     what, enum_names[which], nullable ? " (or None)" : "", Py_TYPE(obj)->tp_name);
        Py_XDECREF(value);
        return -1;
    }
    if (!(s = PyUnicode_AsUTF8(obj))) {
        Py_XDECREF(value);
        return -1;
    }
    v = vdisk_enum_from_string(which, s);
    if (v < 0 || (v == 0 && which != VDISK_ENUM_IOTUNE_FIELD)) {
        PyObject *choices = enum_choices(which);

        if (choices)
            raise_invalid("unknown %s '%s' (valid: %U)", what, s, choices);
        Py_XDECREF(choices);
        Py_XDECREF(value);
        return -1;
    }
    Py_XDECREF(value);
    *out = v;
    return 0;
}

static int
arg_tristate(PyObject *obj, const char *what, vdisk_tristate *out)
{
    if (obj == Py_None) {
        *out = VDISK_TRISTATE_DEFAULT;
        return 0;
    }
    if (!PyBool_Check(obj) && !PyLong_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be True, False or None, not %.80s", what,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    if (!PyBool_Check(obj)) {
        int overflow = 0;
        long v = PyLong_AsLongAndOverflow(obj, &overflow);

        if (v == -1 && PyErr_Occurred())
            return -1;
        if (overflow || (v != 0 && v != 1))
            return raise_invalid("%s must be True, False or None, not %R", what, obj);
    }
    *out = PyObject_IsTrue(obj) ? VDISK_TRISTATE_ON : VDISK_TRISTATE_OFF;
    return 0;
}

static int
arg_bool(PyObject *obj, const char *what, int *out)
{
    if (!PyBool_Check(obj) && !PyLong_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be a bool, not %.80s", what, Py_TYPE(obj)->tp_name);
        return -1;
    }
    *out = PyObject_IsTrue(obj);
    /* an int stands for a bool only as 0 or 1 */
    if (!PyBool_Check(obj)) {
        int overflow = 0;
        long v = PyLong_AsLongAndOverflow(obj, &overflow);

        if (v == -1 && PyErr_Occurred())
            return -1;
        if (overflow || (v != 0 && v != 1))
            return raise_invalid("%s must be True or False, not %R", what, obj);
    }
    return 0;
}

/* A non-negative int no larger than @max; None means 0 (unset). */
static int
arg_uint(PyObject *obj, const char *what, unsigned long long max, unsigned long long *out)
{
    int overflow = 0;
    long long v;

    *out = 0;
    if (obj == Py_None)
        return 0;
    if (!PyLong_Check(obj) || PyBool_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int or None, not %.80s", what,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    v = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (overflow > 0) {
        unsigned long long u = PyLong_AsUnsignedLongLong(obj);

        if (u == (unsigned long long)-1 && PyErr_Occurred()) {
            PyErr_Clear();
            return raise_invalid("%s is out of range", what);
        }
        if (u > max)
            return raise_invalid("%s %llu is out of range (at most %llu)", what, u, max);
        *out = u;
        return 0;
    }
    if (overflow < 0 || v < 0)
        return raise_invalid("%s must not be negative", what);
    if ((unsigned long long)v > max)
        return raise_invalid("%s %lld is out of range (at most %llu)", what, v, max);
    *out = (unsigned long long)v;
    return 0;
}

/* The items of the mapping @obj as a list of pairs; TypeError naming @what for
 * anything else. */
static PyObject *
mapping_items(PyObject *obj, const char *what)
{
    PyObject *items;
    Py_ssize_t i;

    if (!PyDict_Check(obj) && (!PyMapping_Check(obj) || !PyObject_HasAttrString(obj, "items"))) {
        PyErr_Format(PyExc_TypeError, "%s must be a mapping, not %.80s", what,
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    if (!(items = PyMapping_Items(obj)))
        return NULL;
    for (i = 0; i < PyList_GET_SIZE(items); i++) {
        PyObject *kv = PyList_GET_ITEM(items, i);

        if (!PyTuple_Check(kv) || PyTuple_GET_SIZE(kv) != 2) {
            Py_DECREF(items);
            PyErr_Format(PyExc_TypeError, "%s must be a mapping", what);
            return NULL;
        }
    }
    return items;
}

/* ---- Disk: access ----------------------------------------------------------------- */

static vdisk_disk *
disk_get(DiskObject *self)
{
    if (!self->disk) {
        PyErr_SetString(PyExc_ValueError, "the Disk object is not initialized");
        return NULL;
    }
    return self->disk;
}

/* A new Disk object owning @disk (taken over). */
static PyObject *
disk_wrap_owned(vdisk_disk *disk)
{
    DiskObject *self = (DiskObject *)DiskType.tp_alloc(&DiskType, 0);

    if (!self) {
        vdisk_disk_free(disk);
        return NULL;
    }
    self->disk = disk;
    return (PyObject *)self;
}

/* The Disk object for @disk borrowed from @domobj: the same object as long as
 * one is alive. */
static PyObject *
disk_wrap_borrowed(DomainObject *domobj, vdisk_disk *disk)
{
    PyObject *key;
    PyObject *ref;
    PyObject *obj;
    DiskObject *self;

    if (!disk)
        Py_RETURN_NONE;
    if (!(key = PyLong_FromVoidPtr(disk)))
        return NULL;
    ref = PyDict_GetItemWithError(domobj->views, key);
    if (ref) {
        obj = PyWeakref_GetObject(ref);
        if (obj && obj != Py_None && ((DiskObject *)obj)->disk == disk) {
            Py_DECREF(key);
            Py_INCREF(obj);
            return obj;
        }
    } else if (PyErr_Occurred()) {
        Py_DECREF(key);
        return NULL;
    }
    if (!(self = (DiskObject *)DiskType.tp_alloc(&DiskType, 0))) {
        Py_DECREF(key);
        return NULL;
    }
    self->disk = disk;
    Py_INCREF(domobj);
    self->domain = (PyObject *)domobj;
    if (!(ref = PyWeakref_NewRef((PyObject *)self, NULL)) ||
        PyDict_SetItem(domobj->views, key, ref) < 0) {
        Py_XDECREF(ref);
        Py_DECREF(key);
        Py_DECREF(self);
        return NULL;
    }
    Py_DECREF(ref);
    Py_DECREF(key);
    return (PyObject *)self;
}

static void
Disk_dealloc(DiskObject *self)
{
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    if (self->domain)
        Py_DECREF(self->domain);
    else
        vdisk_disk_free(self->disk);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
Disk_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    DiskObject *self = (DiskObject *)type->tp_alloc(type, 0);

    if (!self)
        return NULL;
    if (!(self->disk = vdisk_disk_new())) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return (PyObject *)self;
}

/* The checks Disk.from_xml() makes, for a disk built from keywords: its
 * target name always (libvirt refuses a name it cannot number unless the
 * disk has an address), and, once the disk is complete (a target, and a
 * source unless it is a cdrom or floppy, which may be empty), everything
 * from_xml() checks, by reading its XML back. A disk still being built
 * (no target, or no source yet) is not refused for what it lacks. Raises
 * as from_xml() raises, the message naming Disk(). Returns 0 or -1. */
static int
disk_check_as_from_xml(vdisk_disk *disk)
{
    const char *target = vdisk_disk_get_target(disk);
    vdisk_device device = vdisk_disk_get_device(disk);
    vdisk_disk *again = NULL;
    vdisk_error *err = NULL;
    char *xml = NULL;
    int rc;

    if (!target)
        return 0;
    if (vdisk_disk_get_address_type(disk) == VDISK_ADDRESS_NONE &&
        vdisk_target_to_index(target) < 0)
        return raise_invalid("Disk(): target '%s': unknown disk name '%s' and no address "
                             "specified",
                             target, target);
    if (vdisk_disk_to_xml(&xml, disk, &err) < 0) {
        raise_error(err);
        return -1;
    }
    if (!strstr(xml, "<source") && device != VDISK_DEVICE_CDROM && device != VDISK_DEVICE_FLOPPY) {
        vdisk_free(xml);
        return 0;
    }
    rc = vdisk_disk_from_xml(&again, xml, &err);
    vdisk_free(xml);
    vdisk_disk_free(again);
    if (rc < 0) {
        /* "vdisk_disk_from_xml...: target 'vda': ..." -> "Disk(): target 'vda': ..." */
        const char *msg = vdisk_error_get_message(err);
        const char *colon = msg ? strstr(msg, ": ") : NULL;
        PyObject *exc;

        if (!py_error_factory || !colon || strncmp(msg, "vdisk_", 6) != 0) {
            raise_error(err);
            return -1;
        }
        {
            PyObject *text = PyUnicode_FromFormat("Disk()%s", colon);

            exc = text ? PyObject_CallFunction(py_error_factory, "iOiii",
                                               (int)vdisk_error_get_code(err), text,
                                               vdisk_error_get_libvirt_code(err), 0, 0)
                       : NULL;
            Py_XDECREF(text);
        }
        if (exc) {
            PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
            Py_DECREF(exc);
        }
        vdisk_error_free(err);
        return -1;
    }
    return 0;
}

/* Keyword construction: every keyword is a property set in this order: first
 * type, device and format (others depend on them), then the rest as given. */
static int
Disk_init(DiskObject *self, PyObject *args, PyObject *kwds)
{
    static const char *const first[] = {"type", "device", "format", "bus", NULL};
    PyObject *key;
    PyObject *value;
    Py_ssize_t pos = 0;
    size_t i;

    if (PyTuple_GET_SIZE(args) > 0) {
        PyErr_SetString(PyExc_TypeError,
                        "Disk() takes keyword arguments only (use Disk.from_xml() for XML)");
        return -1;
    }
    if (!kwds)
        return 0;
    for (i = 0; first[i]; i++) {
        if ((value = PyDict_GetItemString(kwds, first[i])) &&
            PyObject_SetAttrString((PyObject *)self, first[i], value) < 0)
            return -1;
    }
    while (PyDict_Next(kwds, &pos, &key, &value)) {
        const char *name = PyUnicode_AsUTF8(key);
        int skip = 0;

        if (!name)
            return -1;
        for (i = 0; first[i]; i++)
            skip |= strcmp(name, first[i]) == 0;
        if (skip)
            continue;
        if (name[0] == '_' || strcmp(name, "mirror") == 0 || strcmp(name, "path") == 0) {
            PyErr_Format(PyExc_TypeError, "Disk() got an unexpected keyword argument '%s'", name);
            return -1;
        }
        if (PyObject_SetAttr((PyObject *)self, key, value) < 0) {
            if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
                PyErr_Clear();
                PyErr_Format(PyExc_TypeError, "Disk() got an unexpected keyword argument '%s'",
                             name);
            }
            return -1;
        }
    }
    return disk_check_as_from_xml(self->disk);
}

/* ---- Disk: scalar properties, table driven ---------------------------------------- */

typedef struct {
    PyObject *(*get)(const vdisk_disk *disk);
    /* 0, or -1 with *err set, or -2 with a Python exception raised */
    int (*set)(vdisk_disk *disk, PyObject *value, vdisk_error **err);
} disk_field;

#define DF_STR(name, what)                                                                         \
    static PyObject *dget_##name(const vdisk_disk *d)                                              \
    {                                                                                              \
        return str_or_none(vdisk_disk_get_##name(d));                                              \
    }                                                                                              \
    static int dset_##name(vdisk_disk *d, PyObject *v, vdisk_error **e)                            \
    {                                                                                              \
        const char *s;                                                                             \
        if (arg_str(v, what, 1, &s, NULL) < 0)                                                     \
            return -2;                                                                             \
        return vdisk_disk_set_##name(d, s, e);                                                     \
    }                                                                                              \
    static disk_field df_##name = {dget_##name, dset_##name};

#define DF_ENUM(name, which, ctype, what)                                                          \
    static PyObject *dget_##name(const vdisk_disk *d)                                              \
    {                                                                                              \
        return enum_value(which, (int)vdisk_disk_get_##name(d));                                   \
    }                                                                                              \
    static int dset_##name(vdisk_disk *d, PyObject *v, vdisk_error **e)                            \
    {                                                                                              \
        int x;                                                                                     \
        if (arg_enum(v, which, what, 1, &x) < 0)                                                   \
            return -2;                                                                             \
        return vdisk_disk_set_##name(d, (ctype)x, e);                                              \
    }                                                                                              \
    static disk_field df_##name = {dget_##name, dset_##name};

#define DF_TRI(name, what)                                                                         \
    static PyObject *dget_##name(const vdisk_disk *d)                                              \
    {                                                                                              \
        return tristate_value(vdisk_disk_get_##name(d));                                           \
    }                                                                                              \
    static int dset_##name(vdisk_disk *d, PyObject *v, vdisk_error **e)                            \
    {                                                                                              \
        vdisk_tristate t;                                                                          \
        if (arg_tristate(v, what, &t) < 0)                                                         \
            return -2;                                                                             \
        return vdisk_disk_set_##name(d, t, e);                                                     \
    }                                                                                              \
    static disk_field df_##name = {dget_##name, dset_##name};

#define DF_BOOL(name, what)                                                                        \
    static PyObject *dget_##name(const vdisk_disk *d)                                              \
    {                                                                                              \
        return PyBool_FromLong(vdisk_disk_get_##name(d));                                          \
    }                                                                                              \
    static int dset_##name(vdisk_disk *d, PyObject *v, vdisk_error **e)                            \
    {                                                                                              \
        int b;                                                                                     \
        if (arg_bool(v, what, &b) < 0)                                                             \
            return -2;                                                                             \
        return vdisk_disk_set_##name(d, b, e);                                                     \
    }                                                                                              \
    static disk_field df_##name = {dget_##name, dset_##name};

#define DF_UINT(name, max, ctype, what)                                                            \
    static PyObject *dget_##name(const vdisk_disk *d)                                              \
    {                                                                                              \
        return uint_or_none(vdisk_disk_get_##name(d));                                             \
    }                                                                                              \
    static int dset_##name(vdisk_disk *d, PyObject *v, vdisk_error **e)                            \
    {                                                                                              \
        unsigned long long u;                                                                      \
        if (arg_uint(v, what, max, &u) < 0)                                                        \
            return -2;                                                                             \
        return vdisk_disk_set_##name(d, (ctype)u, e);                                              \
    }                                                                                              \
    static disk_field df_##name = {dget_##name, dset_##name};

VD_PY_DISK_FIELDS(DF_STR, DF_ENUM, DF_TRI, DF_BOOL, DF_UINT)

static PyObject *
Disk_getfield(DiskObject *self, void *closure)
{
    const disk_field *f = closure;
    vdisk_disk *disk = disk_get(self);

    return disk ? f->get(disk) : NULL;
}

static int
Disk_setfield(DiskObject *self, PyObject *value, void *closure)
{
    const disk_field *f = closure;
    vdisk_disk *disk = disk_get(self);
    vdisk_error *err = NULL;
    int rc;

    if (!disk)
        return -1;
    if (!value) {
        value = Py_None; /* del disk.x removes the value */
    }
    rc = f->set(disk, value, &err);
    if (rc == -1) {
        raise_error(err);
        return -1;
    }
    return rc < 0 ? -1 : 0;
}

/* ---- Disk: composite properties --------------------------------------------------- */

static PyObject *
Disk_get_address(DiskObject *self, void *closure)
{
    vdisk_disk *d = disk_get(self);
    unsigned int a, b, c, e;
    const char *port;

    if (!d)
        return NULL;
    switch (vdisk_disk_get_address_type(d)) {
    case VDISK_ADDRESS_PCI:
        vdisk_disk_get_address_pci(d, &a, &b, &c, &e);
        return make_value("PCIAddress", "(IIII)", a, b, c, e);
    case VDISK_ADDRESS_DRIVE:
        vdisk_disk_get_address_drive(d, &a, &b, &c, &e);
        return make_value("DriveAddress", "(IIII)", a, b, c, e);
    case VDISK_ADDRESS_USB:
        port = NULL;
        vdisk_disk_get_address_usb(d, &a, &port);
        return make_value("USBAddress", "(Iz)", a, port);
    case VDISK_ADDRESS_CCW:
        vdisk_disk_get_address_ccw(d, &a, &b, &c);
        return make_value("CCWAddress", "(III)", a, b, c);
    case VDISK_ADDRESS_VIRTIO_MMIO: /* no fields: address_type tells it */
    case VDISK_ADDRESS_NONE:
    case VDISK_ADDRESS_LAST:
        break;
    }
    Py_RETURN_NONE;
}

static int
is_named(PyObject *obj, const char *name)
{
    PyObject *t = py_types ? PyDict_GetItemString(py_types, name) : NULL;

    return t && PyObject_IsInstance(obj, t) == 1;
}

/* Unpacks @n unsigned ints from the tuple @obj into @out. */
static int
unpack_uints(PyObject *obj, const char *what, Py_ssize_t n, unsigned int *out)
{
    Py_ssize_t i;

    if (!PyTuple_Check(obj) || PyTuple_GET_SIZE(obj) != n) {
        PyErr_Format(PyExc_TypeError, "%s must be a tuple of %zd ints", what, n);
        return -1;
    }
    for (i = 0; i < n; i++) {
        unsigned long long u;

        if (arg_uint(PyTuple_GET_ITEM(obj, i), what, UINT_MAX, &u) < 0)
            return -1;
        out[i] = (unsigned int)u;
    }
    return 0;
}

static int
Disk_set_address(DiskObject *self, PyObject *value, void *closure)
{
    vdisk_disk *d = disk_get(self);
    vdisk_error *err = NULL;
    unsigned int u[4];
    int rc;

    if (!d)
        return -1;
    if (!value || value == Py_None) {
        rc = vdisk_disk_clear_address(d, &err);
    } else if (is_named(value, "PCIAddress")) {
        if (unpack_uints(value, "a PCI address", 4, u) < 0)
            return -1;
        rc = vdisk_disk_set_address_pci(d, u[0], u[1], u[2], u[3], &err);
    } else if (is_named(value, "DriveAddress")) {
        if (unpack_uints(value, "a drive address", 4, u) < 0)
            return -1;
        rc = vdisk_disk_set_address_drive(d, u[0], u[1], u[2], u[3], &err);
    } else if (is_named(value, "CCWAddress")) {
        if (unpack_uints(value, "a CCW address", 3, u) < 0)
            return -1;
        rc = vdisk_disk_set_address_ccw(d, u[0], u[1], u[2], &err);
    } else if (is_named(value, "USBAddress")) {
        unsigned long long bus;
        const char *port;

        if (PyTuple_GET_SIZE(value) != 2 ||
            arg_uint(PyTuple_GET_ITEM(value, 0), "USB bus", UINT_MAX, &bus) < 0 ||
            arg_str(PyTuple_GET_ITEM(value, 1), "USB port", 1, &port, NULL) < 0)
            return -1;
        rc = vdisk_disk_set_address_usb(d, (unsigned int)bus, port, &err);
    } else {
        PyErr_Format(PyExc_TypeError,
                     "address must be a vdisk.PCIAddress, DriveAddress, USBAddress, "
                     "CCWAddress or None, not %.80s",
                     Py_TYPE(value)->tp_name);
        return -1;
    }
    if (rc < 0) {
        raise_error(err);
        return -1;
    }
    return 0;
}

static PyObject *
Disk_get_geometry(DiskObject *self, void *closure)
{
    vdisk_disk *d = disk_get(self);
    unsigned int c = 0, h = 0, s = 0;
    vdisk_trans t = VDISK_TRANS_DEFAULT;
    PyObject *trans;
    PyObject *ret;

    if (!d)
        return NULL;
    if (vdisk_disk_get_geometry(d, &c, &h, &s, &t) < 0 || (!c && !h && !s))
        Py_RETURN_NONE;
    if (!(trans = enum_value(VDISK_ENUM_TRANS, (int)t)))
        return NULL;
    ret = make_value("Geometry", "(IIIO)", c, h, s, trans);
    Py_DECREF(trans);
    return ret;
}

static int
Disk_set_geometry(DiskObject *self, PyObject *value, void *closure)
{
    vdisk_disk *d = disk_get(self);
    vdisk_error *err = NULL;
    unsigned long long chs[3] = {0, 0, 0};
    int trans = 0;
    Py_ssize_t i, n;

    if (!d)
        return -1;
    if (value && value != Py_None) {
        if (!PyTuple_Check(value) || (n = PyTuple_GET_SIZE(value)) < 3 || n > 4) {
            PyErr_SetString(PyExc_TypeError,
                            "geometry must be a vdisk.Geometry(cyls, heads, secs, trans) or "
                            "None");
            return -1;
        }
        for (i = 0; i < 3; i++) {
            if (arg_uint(PyTuple_GET_ITEM(value, i), "geometry", UINT_MAX, &chs[i]) < 0)
                return -1;
        }
        if (n == 4 &&
            arg_enum(PyTuple_GET_ITEM(value, 3), VDISK_ENUM_TRANS, "geometry trans", 1, &trans) < 0)
            return -1;
    }
    if (vdisk_disk_set_geometry(d, (unsigned int)chs[0], (unsigned int)chs[1], (unsigned int)chs[2],
                                (vdisk_trans)trans, &err) < 0) {
        raise_error(err);
        return -1;
    }
    return 0;
}

static PyObject *
Disk_get_blockio(DiskObject *self, void *closure)
{
    vdisk_disk *d = disk_get(self);
    unsigned int l, p;

    if (!d)
        return NULL;
    l = vdisk_disk_get_logical_block_size(d);
    p = vdisk_disk_get_physical_block_size(d);
    if (!l && !p)
        Py_RETURN_NONE;
    return make_value("BlockIO", "(NN)", uint_or_none(l), uint_or_none(p));
}

static int
Disk_set_blockio(DiskObject *self, PyObject *value, void *closure)
{
    vdisk_disk *d = disk_get(self);
    vdisk_error *err = NULL;
    unsigned long long l = 0, p = 0;

    if (!d)
        return -1;
    if (value && value != Py_None) {
        if (!PyTuple_Check(value) || PyTuple_GET_SIZE(value) != 2) {
            PyErr_SetString(PyExc_TypeError,
                            "blockio must be a vdisk.BlockIO(logical, physical) or None");
            return -1;
        }
        if (arg_uint(PyTuple_GET_ITEM(value, 0), "logical block size", UINT_MAX, &l) < 0 ||
            arg_uint(PyTuple_GET_ITEM(value, 1), "physical block size", UINT_MAX, &p) < 0)
            return -1;
    }
    if (vdisk_disk_set_blockio(d, (unsigned int)l, (unsigned int)p, &err) < 0) {
        raise_error(err);
        return -1;
    }
    return 0;
}

static PyObject *
Disk_get_iotune(DiskObject *self, void *closure)
{
    PyObject *type = named_type("IOTune");

    if (!type || !disk_get(self))
        return NULL;
    return PyObject_CallOneArg(type, (PyObject *)self);
}

static int
Disk_set_iotune(DiskObject *self, PyObject *value, void *closure)
{
    vdisk_disk *d = disk_get(self);
    vdisk_error *err = NULL;
    PyObject *items = NULL;
    unsigned long long vals[VDISK_IOTUNE_LAST] = {0};
    Py_ssize_t i;
    int f;

    if (!d)
        return -1;
    if (value && value != Py_None) {
        if (!(items = mapping_items(value, "iotune")))
            return -1;
        for (i = 0; i < PyList_GET_SIZE(items); i++) {
            PyObject *kv = PyList_GET_ITEM(items, i);

            if (!PyTuple_Check(kv) || PyTuple_GET_SIZE(kv) != 2 ||
                arg_enum(PyTuple_GET_ITEM(kv, 0), VDISK_ENUM_IOTUNE_FIELD, "iotune field", 0, &f) <
                    0 ||
                arg_uint(PyTuple_GET_ITEM(kv, 1), "iotune value", ULLONG_MAX, &vals[f]) < 0) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_TypeError, "iotune items must be pairs");
                Py_DECREF(items);
                return -1;
            }
        }
        Py_DECREF(items);
    }
    for (f = 0; f < VDISK_IOTUNE_LAST; f++) {
        if (vdisk_disk_set_iotune(d, (vdisk_iotune_field)f, vals[f], &err) < 0) {
            raise_error(err);
            return -1;
        }
    }
    return 0;
}

static PyObject *
Disk_iotune_get(DiskObject *self, PyObject *arg)
{
    vdisk_disk *d = disk_get(self);
    int f;

    if (!d || arg_enum(arg, VDISK_ENUM_IOTUNE_FIELD, "iotune field", 0, &f) < 0)
        return NULL;
    return uint_or_none(vdisk_disk_get_iotune(d, (vdisk_iotune_field)f));
}

static PyObject *
Disk_iotune_set(DiskObject *self, PyObject *args)
{
    vdisk_disk *d = disk_get(self);
    vdisk_error *err = NULL;
    PyObject *field;
    PyObject *value;
    unsigned long long v;
    int f;

    if (!d || !PyArg_ParseTuple(args, "OO", &field, &value) ||
        arg_enum(field, VDISK_ENUM_IOTUNE_FIELD, "iotune field", 0, &f) < 0 ||
        arg_uint(value, "iotune value", ULLONG_MAX, &v) < 0)
        return NULL;
    if (vdisk_disk_set_iotune(d, (vdisk_iotune_field)f, v, &err) < 0)
        return raise_error(err);
    Py_RETURN_NONE;
}

static PyObject *
source_new(DiskObject *disk, unsigned int depth, int mirror)
{
    SourceObject *s = PyObject_New(SourceObject, &SourceType);

    if (!s)
        return NULL;
    Py_INCREF(disk);
    s->disk = disk;
    s->depth = depth;
    s->mirror = mirror;
    return (PyObject *)s;
}

static PyObject *
Disk_get_source(DiskObject *self, void *closure)
{
    if (!disk_get(self))
        return NULL;
    return source_new(self, 0, 0);
}

/* disk.source = "/path" (or a PathLike) sets the top source's path;
 * disk.source = None ejects (removes <source>). */
static int
Disk_set_source(DiskObject *self, PyObject *value, void *closure)
{
    vdisk_disk *d = disk_get(self);
    vdisk_error *err = NULL;
    const char *path;
    PyObject *keep;
    int rc;

    if (!d)
        return -1;
    if (!value || value == Py_None) {
        rc = vdisk_source_clear(vdisk_disk_get_source(d), &err);
    } else {
        if (PyObject_TypeCheck(value, &SourceType)) {
            PyErr_SetString(PyExc_TypeError,
                            "assign a path to disk.source, or change the Source's properties");
            return -1;
        }
        if (arg_str(value, "source", 0, &path, &keep) < 0)
            return -1;
        rc = vdisk_source_set_path(vdisk_disk_get_source(d), path, &err);
        Py_XDECREF(keep);
    }
    if (rc < 0) {
        raise_error(err);
        return -1;
    }
    return 0;
}

static PyObject *
Disk_get_mirror(DiskObject *self, void *closure)
{
    vdisk_disk *d = disk_get(self);

    if (!d)
        return NULL;
    if (!vdisk_disk_get_mirror(d))
        Py_RETURN_NONE;
    return source_new(self, 0, 1);
}

static PyObject *
Disk_get_type(DiskObject *self, void *closure)
{
    vdisk_disk *d = disk_get(self);

    return d ? enum_value(VDISK_ENUM_TYPE, (int)vdisk_disk_get_type(d)) : NULL;
}

static int
Disk_set_type(DiskObject *self, PyObject *value, void *closure)
{
    vdisk_disk *d = disk_get(self);
    vdisk_error *err = NULL;
    int t;

    if (!d || arg_enum(value ? value : Py_None, VDISK_ENUM_TYPE, "disk type", 0, &t) < 0)
        return -1;
    if (vdisk_source_set_type(vdisk_disk_get_source(d), (vdisk_type)t, &err) < 0) {
        raise_error(err);
        return -1;
    }
    return 0;
}

static PyObject *
Disk_get_format(DiskObject *self, void *closure)
{
    vdisk_disk *d = disk_get(self);

    return d ? enum_value(VDISK_ENUM_FORMAT, (int)vdisk_disk_get_format(d)) : NULL;
}

static int
Disk_set_format(DiskObject *self, PyObject *value, void *closure)
{
    vdisk_disk *d = disk_get(self);
    vdisk_error *err = NULL;
    int f;

    if (!d || arg_enum(value ? value : Py_None, VDISK_ENUM_FORMAT, "image format", 1, &f) < 0)
        return -1;
    if (vdisk_source_set_format(vdisk_disk_get_source(d), (vdisk_format)f, &err) < 0) {
        raise_error(err);
        return -1;
    }
    return 0;
}

static PyObject *
Disk_get_path(DiskObject *self, void *closure)
{
    vdisk_disk *d = disk_get(self);

    return d ? str_or_none(vdisk_disk_get_path(d)) : NULL;
}

static PyObject *
Disk_get_owner(DiskObject *self, void *closure)
{
    PyObject *dom = self->domain ? self->domain : Py_None;

    Py_INCREF(dom);
    return dom;
}

/* ---- Disk: methods ---------------------------------------------------------------- */

static unsigned int
parse_flags(int defaults, int validate, int validate_start, int live)
{
    return (defaults ? 0 : VDISK_PARSE_NO_DEFAULTS) | (validate ? 0 : VDISK_PARSE_NO_VALIDATE) |
           (validate_start ? VDISK_PARSE_VALIDATE_START : 0) | (live ? VDISK_PARSE_LIVE : 0);
}

static PyObject *
Disk_from_xml(PyObject *cls, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"xml", "defaults", "validate", "validate_start", "live", NULL};
    PyObject *xmlobj;
    const char *xml;
    int defaults = 1, validate = 1, validate_start = 0, live = 0;
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;
    int rc;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$pppp:from_xml", kwlist, &xmlobj, &defaults,
                                     &validate, &validate_start, &live))
        return NULL;
    if (arg_str(xmlobj, "xml", 0, &xml, NULL) < 0)
        return NULL;
    rc = vdisk_disk_from_xml_flags(&disk, xml, parse_flags(defaults, validate, validate_start, live),
                                   &err);
    if (rc < 0)
        return raise_error(err);
    return disk_wrap_owned(disk);
}

static PyObject *
Disk_to_xml(DiskObject *self, PyObject *unused)
{
    vdisk_disk *d = disk_get(self);
    vdisk_error *err = NULL;
    char *xml = NULL;
    PyObject *ret;

    if (!d)
        return NULL;
    if (vdisk_disk_to_xml(&xml, d, &err) < 0)
        return raise_error(err);
    ret = PyUnicode_FromString(xml);
    vdisk_free(xml);
    return ret;
}

static PyObject *
Disk_copy(DiskObject *self, PyObject *unused)
{
    vdisk_disk *d = disk_get(self);
    vdisk_disk *copy = NULL;
    vdisk_error *err = NULL;

    if (!d)
        return NULL;
    if (vdisk_disk_copy(&copy, d, &err) < 0)
        return raise_error(err);
    return disk_wrap_owned(copy);
}

static PyObject *
Disk_deepcopy(DiskObject *self, PyObject *memo)
{
    return Disk_copy(self, NULL);
}

static int
arg_domain(PyObject *obj, const vdisk_domain **out)
{
    *out = NULL;
    if (!obj || obj == Py_None)
        return 0;
    if (!PyObject_TypeCheck(obj, &DomainType)) {
        PyErr_Format(PyExc_TypeError, "domain must be a vdisk.Domain or None, not %.80s",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    *out = ((DomainObject *)obj)->dom;
    return 0;
}

static PyObject *
Disk_validate(DiskObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"domain", "start", NULL};
    vdisk_disk *d = disk_get(self);
    PyObject *domobj = Py_None;
    const vdisk_domain *dom;
    vdisk_error *err = NULL;
    int start = 0;

    if (!d || !PyArg_ParseTupleAndKeywords(args, kwds, "|O$p:validate", kwlist, &domobj, &start) ||
        arg_domain(domobj, &dom) < 0)
        return NULL;
    if (vdisk_disk_validate(d, dom, &err) < 0)
        return raise_error(err);
    if (start && vdisk_disk_validate_start(d, dom, &err) < 0)
        return raise_error(err);
    Py_RETURN_NONE;
}

static PyObject *
Disk_apply_defaults(DiskObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"domain", NULL};
    vdisk_disk *d = disk_get(self);
    PyObject *domobj = Py_None;
    const vdisk_domain *dom;
    vdisk_error *err = NULL;

    if (!d || !PyArg_ParseTupleAndKeywords(args, kwds, "|O:apply_defaults", kwlist, &domobj) ||
        arg_domain(domobj, &dom) < 0)
        return NULL;
    if (vdisk_disk_apply_defaults(d, dom, &err) < 0)
        return raise_error(err);
    Py_RETURN_NONE;
}

/* Translation options from the keyword arguments shared by the qemu_* methods. */
static vdisk_qemu_opts *
qemu_opts_from_args(PyObject *machine, PyObject *secrets, PyObject *master_key,
                    PyObject *first_node_index)
{
    vdisk_qemu_opts *opts = vdisk_qemu_opts_new();
    vdisk_error *err = NULL;
    const char *s;
    PyObject *items = NULL;
    Py_ssize_t i;

    if (!opts) {
        PyErr_NoMemory();
        return NULL;
    }
    if (arg_str(machine, "machine", 1, &s, NULL) < 0)
        goto error;
    if (s && vdisk_qemu_opts_set_machine(opts, s, &err) < 0)
        goto vderror;
    if (secrets && secrets != Py_None) {
        if (!(items = mapping_items(secrets, "secrets")))
            goto error;
        for (i = 0; i < PyList_GET_SIZE(items); i++) {
            PyObject *kv = PyList_GET_ITEM(items, i);
            PyObject *val;
            const char *key;
            const char *data;
            Py_ssize_t len;

            if (!PyTuple_Check(kv) || PyTuple_GET_SIZE(kv) != 2) {
                PyErr_SetString(PyExc_TypeError, "secrets items must be pairs");
                goto error;
            }
            if (arg_str(PyTuple_GET_ITEM(kv, 0), "secret key", 0, &key, NULL) < 0)
                goto error;
            val = PyTuple_GET_ITEM(kv, 1);
            if (PyBytes_Check(val)) {
                data = PyBytes_AS_STRING(val);
                len = PyBytes_GET_SIZE(val);
            } else if (PyUnicode_Check(val)) {
                if (!(data = PyUnicode_AsUTF8AndSize(val, &len)))
                    goto error;
            } else if (val == Py_None) {
                data = NULL;
                len = 0;
            } else {
                PyErr_Format(PyExc_TypeError, "secret '%s' must be bytes or str, not %.80s", key,
                             Py_TYPE(val)->tp_name);
                goto error;
            }
            if (vdisk_qemu_opts_set_secret(opts, key, data, (size_t)len, &err) < 0)
                goto vderror;
        }
        Py_CLEAR(items);
    }
    if (master_key && master_key != Py_None) {
        if (!PyBytes_Check(master_key)) {
            PyErr_Format(PyExc_TypeError, "master_key must be 32 bytes, not %.80s",
                         Py_TYPE(master_key)->tp_name);
            goto error;
        }
        if (vdisk_qemu_opts_set_master_key(opts, PyBytes_AS_STRING(master_key),
                                           (size_t)PyBytes_GET_SIZE(master_key), &err) < 0)
            goto vderror;
    }
    if (first_node_index && first_node_index != Py_None) {
        unsigned long long n;

        if (arg_uint(first_node_index, "first_node_index", UINT_MAX, &n) < 0)
            goto error;
        if (vdisk_qemu_opts_set_first_node_index(opts, (unsigned int)n, &err) < 0)
            goto vderror;
    }
    return opts;

vderror:
    raise_error(err);
error:
    Py_XDECREF(items);
    vdisk_qemu_opts_free(opts);
    return NULL;
}

/* The argv (qmp == 0) or the QMP commands decoded (qmp == 1) of @args. */
static PyObject *
qemu_args_list(vdisk_qemu_args *args, int qmp)
{
    size_t n = qmp ? vdisk_qemu_args_qmp_count(args) : vdisk_qemu_args_count(args);
    PyObject *list = PyList_New((Py_ssize_t)n);
    size_t i;

    if (!list)
        return NULL;
    for (i = 0; i < n; i++) {
        const char *s = qmp ? vdisk_qemu_args_qmp_get(args, i) : vdisk_qemu_args_get(args, i);
        PyObject *item = PyUnicode_FromString(s ? s : "");

        if (item && qmp) {
            PyObject *decoded;

            if (!py_json_loads) {
                PyObject *json = PyImport_ImportModule("json");

                if (json) {
                    py_json_loads = PyObject_GetAttrString(json, "loads");
                    Py_DECREF(json);
                }
            }
            decoded = py_json_loads ? PyObject_CallOneArg(py_json_loads, item) : NULL;
            Py_DECREF(item);
            item = decoded;
        }
        if (!item) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

#ifdef VDISK_PY_HOTPLUG
static virConnectPtr arg_virconnect(PyObject *obj);

/* The connection= argument of the qemu_* methods: a libvirt.virConnect
 * (borrowed) or a URI, opened into *@opened (closed by the caller). */
static int
qemu_set_connection(vdisk_qemu_opts *opts, PyObject *connobj, virConnectPtr *opened)
{
    vdisk_error *err = NULL;
    virConnectPtr conn;

    if (PyUnicode_Check(connobj)) {
        const char *uri = PyUnicode_AsUTF8(connobj);
        int rc;

        if (!uri)
            return -1;
        Py_BEGIN_ALLOW_THREADS rc =
            vdisk_connect_open(opened, uri, VDISK_CONNECT_NO_EVENT_LOOP, &err);
        Py_END_ALLOW_THREADS if (rc < 0)
        {
            raise_error(err);
            return -1;
        }
        conn = *opened;
    } else if (!(conn = arg_virconnect(connobj))) {
        return -1;
    }
    if (vdisk_qemu_opts_set_connection(opts, conn, &err) < 0) {
        raise_error(err);
        return -1;
    }
    return 0;
}
#endif

static PyObject *
qemu_translate(vdisk_disk *disk, PyObject *domobj, PyObject *args, PyObject *kwds, int qmp,
               const char *fname)
{
    static char *disk_kwlist[] = {"domain",           "machine",    "secrets",      "master_key",
                                  "first_node_index", "connection", "probe_chains", NULL};
    static char *dom_kwlist[] = {"machine",          "secrets",    "master_key",
                                 "first_node_index", "connection", "probe_chains", NULL};
    PyObject *dom_arg = Py_None, *machine = Py_None, *secrets = Py_None, *key = Py_None;
    PyObject *first = Py_None, *connobj = Py_None;
    int probe = 0;
    const vdisk_domain *dom = NULL;
    vdisk_qemu_opts *opts;
    vdisk_qemu_args *out = NULL;
    vdisk_error *err = NULL;
#ifdef VDISK_PY_HOTPLUG
    virConnectPtr opened = NULL;
#endif
    PyObject *ret;
    char fmt[64];
    int rc;

    if (disk) {
        snprintf(fmt, sizeof(fmt), "|OOOOO$Op:%s", fname);
        if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, disk_kwlist, &dom_arg, &machine, &secrets,
                                         &key, &first, &connobj, &probe) ||
            arg_domain(dom_arg, &dom) < 0)
            return NULL;
    } else {
        snprintf(fmt, sizeof(fmt), "|$OOOOOp:%s", fname);
        if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, dom_kwlist, &machine, &secrets, &key,
                                         &first, &connobj, &probe))
            return NULL;
        dom = ((DomainObject *)domobj)->dom;
    }
    if (!(opts = qemu_opts_from_args(machine, secrets, key, first)))
        return NULL;
    if (probe && vdisk_qemu_opts_set_probe_chains(opts, 1, &err) < 0) {
        vdisk_qemu_opts_free(opts);
        return raise_error(err);
    }
    if (connobj != Py_None) {
#ifdef VDISK_PY_HOTPLUG
        if (qemu_set_connection(opts, connobj, &opened) < 0) {
            vdisk_qemu_opts_free(opts);
            vdisk_connect_close(opened);
            return NULL;
        }
#else
        vdisk_qemu_opts_free(opts);
        PyErr_SetString(PyExc_NotImplementedError,
                        "connection=: the module was built without libvirt support");
        return NULL;
#endif
    }
    /* the GIL is kept: the disk and domain objects are read throughout */
    if (disk)
        rc = vdisk_qemu_translate_disk(&out, disk, dom, opts, &err);
    else
        rc = vdisk_qemu_translate_domain(&out, dom, opts, &err);
    vdisk_qemu_opts_free(opts);
#ifdef VDISK_PY_HOTPLUG
    vdisk_connect_close(opened);
#endif
    if (rc < 0)
        return raise_error(err);
    ret = qemu_args_list(out, qmp);
    vdisk_qemu_args_free(out);
    return ret;
}

static PyObject *
Disk_qemu_args(DiskObject *self, PyObject *args, PyObject *kwds)
{
    vdisk_disk *d = disk_get(self);

    return d ? qemu_translate(d, NULL, args, kwds, 0, "qemu_args") : NULL;
}

static PyObject *
Disk_qmp_commands(DiskObject *self, PyObject *args, PyObject *kwds)
{
    vdisk_disk *d = disk_get(self);

    return d ? qemu_translate(d, NULL, args, kwds, 1, "qmp_commands") : NULL;
}

static PyObject *
Disk_richcompare(PyObject *a, PyObject *b, int op)
{
    vdisk_disk *x, *y;
    int eq;

    if (!PyObject_TypeCheck(b, &DiskType) || (op != Py_EQ && op != Py_NE))
        Py_RETURN_NOTIMPLEMENTED;
    if (!(x = disk_get((DiskObject *)a)) || !(y = disk_get((DiskObject *)b)))
        return NULL;
    eq = vdisk_disk_equal(x, y);
    return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

static PyObject *
Disk_repr(DiskObject *self)
{
    const char *target;
    const char *path;
    const char *type;

    if (!self->disk)
        return PyUnicode_FromString("<vdisk.Disk (uninitialized)>");
    target = vdisk_disk_get_target(self->disk);
    path = vdisk_disk_get_path(self->disk);
    type = vdisk_enum_to_string(VDISK_ENUM_TYPE, (int)vdisk_disk_get_type(self->disk));
    return PyUnicode_FromFormat("<vdisk.Disk target=%s%s%s type=%s source=%s%s%s%s>",
                                target ? "'" : "", target ? target : "None", target ? "'" : "",
                                type ? type : "?", path ? "'" : "", path ? path : "None",
                                path ? "'" : "", self->domain ? " (in a Domain)" : "");
}

static PyMethodDef Disk_methods[] = {
    {"from_xml", (PyCFunction)(void (*)(void))Disk_from_xml,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "from_xml(xml, *, defaults=True, validate=True, validate_start=False, live=False)\n"
     "    -> Disk\n\n"
     "Parse a libvirt <disk> element as libvirt 9.0 does: values are checked,\n"
     "libvirt's post-parse defaults applied (unless defaults=False) and its\n"
     "define-time checks made (unless validate=False). validate_start=True\n"
     "also makes the checks libvirt's QEMU driver makes when a domain starts.\n"
     "live=True reads a running domain's XML: source indexes and <mirror> are\n"
     "kept, where a definition drops them.\n"
     "Raises vdisk.XMLError, vdisk.InvalidError or vdisk.UnsupportedError."},
    {"to_xml", (PyCFunction)Disk_to_xml, METH_NOARGS,
     "to_xml() -> str\n\nThe disk as libvirt's <disk> XML (two-space indent, trailing newline)."},
    {"copy", (PyCFunction)Disk_copy, METH_NOARGS,
     "copy() -> Disk\n\nA deep, standalone copy of the disk."},
    {"__copy__", (PyCFunction)Disk_copy, METH_NOARGS, "A deep, standalone copy."},
    {"__deepcopy__", (PyCFunction)Disk_deepcopy, METH_O, "A deep, standalone copy."},
    {"validate", (PyCFunction)(void (*)(void))Disk_validate, METH_VARARGS | METH_KEYWORDS,
     "validate(domain=None, *, start=False) -> None\n\n"
     "Make libvirt 9.0's define-time checks for the disk (inside `domain`, a\n"
     "vdisk.Domain, when given); with start=True also the checks made when the\n"
     "domain starts. Changes nothing; raises a vdisk.Error subclass naming the\n"
     "disk's target and the offending value."},
    {"apply_defaults", (PyCFunction)(void (*)(void))Disk_apply_defaults,
     METH_VARARGS | METH_KEYWORDS,
     "apply_defaults(domain=None) -> None\n\n"
     "Apply libvirt's post-parse defaults (bus from the target name, drive\n"
     "address, ...), in the context of `domain` when given."},
    {"qemu_args", (PyCFunction)(void (*)(void))Disk_qemu_args, METH_VARARGS | METH_KEYWORDS,
     "qemu_args(domain=None, machine=None, secrets=None, master_key=None,\n"
     "          first_node_index=None, *, connection=None, probe_chains=False)\n"
     "          -> list[str]\n\n"
     "The -object/-blockdev/-device arguments libvirt 9.0 gives QEMU 7.2 for\n"
     "this disk. domain: a vdisk.Domain for the machine type and controllers;\n"
     "machine: a machine type overriding the domain's; secrets: a mapping of\n"
     "secret UUID or usage to its value (bytes or str); master_key: 32 bytes\n"
     "to encrypt secrets as libvirt does; first_node_index: the number of the\n"
     "first storage node (libvirt-N-storage); connection: a libvirt.virConnect\n"
     "(borrowed) or a URI (opened for the call, read-write) to read the disks'\n"
     "secrets and type='volume' sources from, as virsh domxml-to-native does:\n"
     "libvirt's refusals (missing secret, wrong usage type, no value, missing\n"
     "pool or volume) raise with libvirt's message; private secrets need their\n"
     "value in secrets, which wins over the stored one. probe_chains: read the\n"
     "backing chains from the image headers on this host, as libvirt does when\n"
     "it starts the domain (vdisk_qemu_opts_set_probe_chains())."},
    {"qmp_commands", (PyCFunction)(void (*)(void))Disk_qmp_commands, METH_VARARGS | METH_KEYWORDS,
     "qmp_commands(domain=None, machine=None, secrets=None, master_key=None,\n"
     "             first_node_index=None, *, connection=None, probe_chains=False)\n"
     "             -> list[dict]\n\n"
     "The QMP commands (object-add, blockdev-add, device_add) equivalent to\n"
     "qemu_args(), each decoded from JSON."},
    {"_iotune_get", (PyCFunction)Disk_iotune_get, METH_O, "One <iotune> field (None: unset)."},
    {"_iotune_set", (PyCFunction)Disk_iotune_set, METH_VARARGS,
     "Set one <iotune> field (None or 0 removes it)."},
    {NULL, NULL, 0, NULL},
};

#define FIELD(name, doc)                                                                           \
    {                                                                                              \
#name, (getter)Disk_getfield, (setter)Disk_setfield, doc, &df_##name                       \
    }

static PyGetSetDef Disk_getset[] = {
    {"type", (getter)Disk_get_type, (setter)Disk_set_type,
     "disk@type: a vdisk.Type (FILE, BLOCK, NETWORK, ...). Setting it keeps the path\n"
     "where one applies.",
     NULL},
    {"format", (getter)Disk_get_format, (setter)Disk_set_format,
     "driver@type, the image format: a vdisk.Format or None.", NULL},
    {"path", (getter)Disk_get_path, NULL,
     "The top source's file, dev or dir path (by type), or None. Read-only: assign\n"
     "disk.source or disk.source.path.",
     NULL},
    {"source", (getter)Disk_get_source, (setter)Disk_set_source,
     "The top storage source, a vdisk.Source. Assigning a str (or path-like) sets\n"
     "its path; assigning None removes <source> (an empty cdrom).",
     NULL},
    {"mirror", (getter)Disk_get_mirror, NULL,
     "The <mirror> source of a block job (a read-only vdisk.Source), or None.", NULL},
    {"domain", (getter)Disk_get_owner, NULL,
     "The vdisk.Domain this disk belongs to, or None for a standalone disk.", NULL},
    /* the scalar fields */
    VD_PY_DISK_GETSET(FIELD) /* clang-format: keep */
    /* the structured ones */
    {"address", (getter)Disk_get_address, (setter)Disk_set_address,
     "<address>: a vdisk.PCIAddress, DriveAddress, USBAddress or CCWAddress, or\n"
     "None. Assign one of those (or None to remove the element).",
     NULL},
    {"geometry", (getter)Disk_get_geometry, (setter)Disk_set_geometry,
     "<geometry>: a vdisk.Geometry(cyls, heads, secs, trans) or None.", NULL},
    {"blockio", (getter)Disk_get_blockio, (setter)Disk_set_blockio,
     "<blockio>: a vdisk.BlockIO(logical_block_size, physical_block_size) or None.", NULL},
    {"iotune", (getter)Disk_get_iotune, (setter)Disk_set_iotune,
     "<iotune>: a live mapping (vdisk.IOTune) of field name to int, only the fields\n"
     "that are set. disk.iotune['total_bytes_sec'] = 1000 sets one; assigning a\n"
     "dict replaces them all; None removes them.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject DiskType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vdisk.Disk",
    .tp_basicsize = sizeof(DiskObject),
    .tp_dealloc = (destructor)Disk_dealloc,
    .tp_repr = (reprfunc)Disk_repr,
    .tp_hash = PyObject_HashNotImplemented,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Disk(**properties)\n\n"
              "A libvirt <disk> device. Disk(type='file', device='disk', source='/img.qcow2',\n"
              "format='qcow2', target='vda', bus='virtio', cache='none', readonly=False, ...)\n"
              "creates one; every keyword is a property of the same name. Disk.from_xml()\n"
              "parses one. Enum-valued properties return vdisk enum members (or None when\n"
              "unset) and accept members or libvirt's strings; on/off switches are True,\n"
              "False or None; numbers are ints or None when unset. Two disks are equal when\n"
              "they describe the same XML. Invalid values raise vdisk.Error subclasses.",
    .tp_richcompare = Disk_richcompare,
    .tp_weaklistoffset = offsetof(DiskObject, weakrefs),
    .tp_methods = Disk_methods,
    .tp_getset = Disk_getset,
    .tp_init = (initproc)Disk_init,
    .tp_new = Disk_new,
};

/* ---- Source ----------------------------------------------------------------------- */

static vdisk_source *
source_get(SourceObject *self, int writable)
{
    vdisk_disk *d = disk_get(self->disk);
    vdisk_source *src;
    unsigned int i;

    if (!d)
        return NULL;
    if (self->mirror) {
        if (writable) {
            PyErr_SetString(PyExc_AttributeError, "a disk's mirror source is read-only");
            return NULL;
        }
        src = (vdisk_source *)vdisk_disk_get_mirror(d);
    } else {
        src = vdisk_disk_get_source(d);
    }
    for (i = 0; src && i < self->depth; i++)
        src = vdisk_source_get_backing(src);
    if (!src) {
        PyErr_SetString(PyExc_ValueError, "this source no longer exists in its disk's chain");
        return NULL;
    }
    return src;
}

static void
Source_dealloc(SourceObject *self)
{
    Py_XDECREF(self->disk);
    PyObject_Free(self);
}

typedef struct {
    PyObject *(*get)(const vdisk_source *src);
    int (*set)(vdisk_source *src, PyObject *value, vdisk_error **err);
} source_field;

#define SF_STR(name, what)                                                                         \
    static PyObject *sget_##name(const vdisk_source *s)                                            \
    {                                                                                              \
        return str_or_none(vdisk_source_get_##name(s));                                            \
    }                                                                                              \
    static int sset_##name(vdisk_source *s, PyObject *v, vdisk_error **e)                          \
    {                                                                                              \
        const char *c;                                                                             \
        PyObject *keep;                                                                            \
        int rc;                                                                                    \
        if (arg_str(v, what, 1, &c, &keep) < 0)                                                    \
            return -2;                                                                             \
        rc = vdisk_source_set_##name(s, c, e);                                                     \
        Py_XDECREF(keep);                                                                          \
        return rc;                                                                                 \
    }                                                                                              \
    static source_field sf_##name = {sget_##name, sset_##name};

#define SF_STR_RO(name)                                                                            \
    static PyObject *sget_##name(const vdisk_source *s)                                            \
    {                                                                                              \
        return str_or_none(vdisk_source_get_##name(s));                                            \
    }                                                                                              \
    static source_field sf_##name = {sget_##name, NULL};

#define SF_ENUM(name, which, ctype, what, nullable)                                                \
    static PyObject *sget_##name(const vdisk_source *s)                                            \
    {                                                                                              \
        return enum_value(which, (int)vdisk_source_get_##name(s));                                 \
    }                                                                                              \
    static int sset_##name(vdisk_source *s, PyObject *v, vdisk_error **e)                          \
    {                                                                                              \
        int x;                                                                                     \
        if (arg_enum(v, which, what, nullable, &x) < 0)                                            \
            return -2;                                                                             \
        return vdisk_source_set_##name(s, (ctype)x, e);                                            \
    }                                                                                              \
    static source_field sf_##name = {sget_##name, sset_##name};

#define SF_ENUM_RO(name, which)                                                                    \
    static PyObject *sget_##name(const vdisk_source *s)                                            \
    {                                                                                              \
        return enum_value(which, (int)vdisk_source_get_##name(s));                                 \
    }                                                                                              \
    static source_field sf_##name = {sget_##name, NULL};

#define SF_TRI(name, what)                                                                         \
    static PyObject *sget_##name(const vdisk_source *s)                                            \
    {                                                                                              \
        return tristate_value(vdisk_source_get_##name(s));                                         \
    }                                                                                              \
    static int sset_##name(vdisk_source *s, PyObject *v, vdisk_error **e)                          \
    {                                                                                              \
        vdisk_tristate t;                                                                          \
        if (arg_tristate(v, what, &t) < 0)                                                         \
            return -2;                                                                             \
        return vdisk_source_set_##name(s, t, e);                                                   \
    }                                                                                              \
    static source_field sf_##name = {sget_##name, sset_##name};

#define SF_UINT(name, max, ctype, what)                                                            \
    static PyObject *sget_##name(const vdisk_source *s)                                            \
    {                                                                                              \
        return uint_or_none(vdisk_source_get_##name(s));                                           \
    }                                                                                              \
    static int sset_##name(vdisk_source *s, PyObject *v, vdisk_error **e)                          \
    {                                                                                              \
        unsigned long long u;                                                                      \
        if (arg_uint(v, what, max, &u) < 0)                                                        \
            return -2;                                                                             \
        return vdisk_source_set_##name(s, (ctype)u, e);                                            \
    }                                                                                              \
    static source_field sf_##name = {sget_##name, sset_##name};

VD_PY_SOURCE_FIELDS(SF_STR, SF_STR_RO, SF_ENUM, SF_ENUM_RO, SF_TRI, SF_UINT)

static PyObject *
Source_getfield(SourceObject *self, void *closure)
{
    const source_field *f = closure;
    vdisk_source *src = source_get(self, 0);

    return src ? f->get(src) : NULL;
}

static int
Source_setfield(SourceObject *self, PyObject *value, void *closure)
{
    const source_field *f = closure;
    vdisk_source *src;
    vdisk_error *err = NULL;
    int rc;

    if (!f->set) {
        PyErr_SetString(PyExc_AttributeError, "read-only property (see the Source's set_* "
                                              "methods)");
        return -1;
    }
    if (!(src = source_get(self, 1)))
        return -1;
    rc = f->set(src, value ? value : Py_None, &err);
    if (rc == -1) {
        raise_error(err);
        return -1;
    }
    return rc < 0 ? -1 : 0;
}

static PyObject *
Source_get_present(SourceObject *self, void *closure)
{
    vdisk_source *src = source_get(self, 0);

    return src ? PyBool_FromLong(vdisk_source_is_present(src)) : NULL;
}

static PyObject *
Source_get_hosts(SourceObject *self, void *closure)
{
    vdisk_source *src = source_get(self, 0);
    PyObject *list;
    size_t i, n;

    if (!src)
        return NULL;
    n = vdisk_source_get_host_count(src);
    if (!(list = PyList_New((Py_ssize_t)n)))
        return NULL;
    for (i = 0; i < n; i++) {
        const vdisk_host *h = vdisk_source_get_host(src, i);
        const char *port = vdisk_host_get_port(h);
        PyObject *transport = enum_value(VDISK_ENUM_TRANSPORT, (int)vdisk_host_get_transport(h));
        PyObject *portobj;
        PyObject *item;

        if (!transport) {
            Py_DECREF(list);
            return NULL;
        }
        if (port && strspn(port, "0123456789") == strlen(port) && *port)
            portobj = PyLong_FromString(port, NULL, 10);
        else
            portobj = str_or_none(port);
        item = portobj ? make_value("Host", "(zNNz)", vdisk_host_get_name(h), portobj, transport,
                                    vdisk_host_get_socket(h))
                       : NULL;
        if (!portobj)
            Py_DECREF(transport);
        if (!item) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

/* source.hosts = [Host(...), ("name", port), ...]: replaces every <host>. */
static int
Source_set_hosts(SourceObject *self, PyObject *value, void *closure)
{
    vdisk_source *src = source_get(self, 1);
    vdisk_error *err = NULL;
    PyObject *seq;
    Py_ssize_t i;

    if (!src)
        return -1;
    if (!value || value == Py_None)
        value = NULL;
    if (value && !(seq = PySequence_Fast(value, "hosts must be a sequence of vdisk.Host")))
        return -1;
    if (!value)
        seq = NULL;
    if (vdisk_source_clear_hosts(src, &err) < 0) {
        Py_XDECREF(seq);
        raise_error(err);
        return -1;
    }
    for (i = 0; seq && i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *h = PySequence_Fast_GET_ITEM(seq, i);
        const char *name = NULL, *socket = NULL;
        unsigned long long port = 0;
        int transport = 0;
        Py_ssize_t n;

        if (!PyTuple_Check(h) || (n = PyTuple_GET_SIZE(h)) < 1 || n > 4) {
            PyErr_SetString(PyExc_TypeError,
                            "each host must be a vdisk.Host(name, port, transport, socket)");
            goto error;
        }
        if (arg_str(PyTuple_GET_ITEM(h, 0), "host name", 1, &name, NULL) < 0)
            goto error;
        if (n > 1 && PyUnicode_Check(PyTuple_GET_ITEM(h, 1))) {
            PyObject *num = PyLong_FromUnicodeObject(PyTuple_GET_ITEM(h, 1), 10);
            int rc;

            if (!num)
                goto error;
            rc = arg_uint(num, "host port", 65535, &port);
            Py_DECREF(num);
            if (rc < 0)
                goto error;
        } else if (n > 1 && arg_uint(PyTuple_GET_ITEM(h, 1), "host port", 65535, &port) < 0) {
            goto error;
        }
        if (n > 2 && arg_enum(PyTuple_GET_ITEM(h, 2), VDISK_ENUM_TRANSPORT, "host transport", 1,
                              &transport) < 0)
            goto error;
        if (n > 3 && arg_str(PyTuple_GET_ITEM(h, 3), "host socket", 1, &socket, NULL) < 0)
            goto error;
        if (vdisk_source_add_host(src, name, (unsigned int)port, (vdisk_transport)transport, socket,
                                  &err) < 0) {
            raise_error(err);
            goto error;
        }
    }
    Py_XDECREF(seq);
    return 0;

error:
    Py_XDECREF(seq);
    return -1;
}

static PyObject *
Source_get_cookies(SourceObject *self, void *closure)
{
    vdisk_source *src = source_get(self, 0);
    PyObject *dict;
    size_t i, n;

    if (!src || !(dict = PyDict_New()))
        return NULL;
    n = vdisk_source_get_cookie_count(src);
    for (i = 0; i < n; i++) {
        const char *name = NULL, *value = NULL;
        PyObject *v;

        if (vdisk_source_get_cookie(src, i, &name, &value) < 0 || !name)
            continue;
        if (!(v = PyUnicode_FromString(value ? value : "")) ||
            PyDict_SetItemString(dict, name, v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(dict);
            return NULL;
        }
        Py_DECREF(v);
    }
    return dict;
}

static int
Source_set_cookies(SourceObject *self, PyObject *value, void *closure)
{
    vdisk_source *src = source_get(self, 1);
    vdisk_error *err = NULL;
    PyObject *items = NULL;
    Py_ssize_t i;

    if (!src)
        return -1;
    if (value && value != Py_None) {
        if (!(items = mapping_items(value, "cookies")))
            return -1;
    }
    if (vdisk_source_clear_cookies(src, &err) < 0)
        goto vderror;
    for (i = 0; items && i < PyList_GET_SIZE(items); i++) {
        PyObject *kv = PyList_GET_ITEM(items, i);
        const char *name, *val;

        if (arg_str(PyTuple_GET_ITEM(kv, 0), "cookie name", 0, &name, NULL) < 0 ||
            arg_str(PyTuple_GET_ITEM(kv, 1), "cookie value", 0, &val, NULL) < 0) {
            Py_XDECREF(items);
            return -1;
        }
        if (vdisk_source_add_cookie(src, name, val, &err) < 0)
            goto vderror;
    }
    Py_XDECREF(items);
    return 0;

vderror:
    Py_XDECREF(items);
    raise_error(err);
    return -1;
}

static PyObject *
Source_get_auth(SourceObject *self, void *closure)
{
    vdisk_source *src = source_get(self, 0);

    if (!src)
        return NULL;
    if (!vdisk_source_get_auth_username(src) && !vdisk_source_get_auth_secret_type(src) &&
        !vdisk_source_get_auth_secret_uuid(src) && !vdisk_source_get_auth_secret_usage(src))
        Py_RETURN_NONE;
    return make_value("Auth", "(zzzz)", vdisk_source_get_auth_username(src),
                      vdisk_source_get_auth_secret_type(src),
                      vdisk_source_get_auth_secret_uuid(src),
                      vdisk_source_get_auth_secret_usage(src));
}

static int
Source_set_auth(SourceObject *self, PyObject *value, void *closure)
{
    vdisk_source *src = source_get(self, 1);
    vdisk_error *err = NULL;
    const char *f[4] = {NULL, NULL, NULL, NULL};
    int i;

    if (!src)
        return -1;
    if (value && value != Py_None) {
        if (!PyTuple_Check(value) || PyTuple_GET_SIZE(value) != 4) {
            PyErr_SetString(PyExc_TypeError, "auth must be a vdisk.Auth(username, secret_type, "
                                             "uuid, usage) or None");
            return -1;
        }
        for (i = 0; i < 4; i++) {
            if (arg_str(PyTuple_GET_ITEM(value, i), "auth field", 1, &f[i], NULL) < 0)
                return -1;
        }
    }
    if (vdisk_source_set_auth(src, f[0], f[1], f[2], f[3], &err) < 0) {
        raise_error(err);
        return -1;
    }
    return 0;
}

static PyObject *
Source_get_encryption(SourceObject *self, void *closure)
{
    vdisk_source *src = source_get(self, 0);
    PyObject *fmt, *engine;

    if (!src)
        return NULL;
    if (vdisk_source_get_encryption_format(src) == VDISK_ENCRYPTION_DEFAULT &&
        !vdisk_source_get_encryption_secret_uuid(src) &&
        !vdisk_source_get_encryption_secret_usage(src))
        Py_RETURN_NONE;
    if (!(fmt = enum_value(VDISK_ENUM_ENCRYPTION_FORMAT,
                           (int)vdisk_source_get_encryption_format(src))))
        return NULL;
    if (!(engine = enum_value(VDISK_ENUM_ENCRYPTION_ENGINE,
                              (int)vdisk_source_get_encryption_engine(src)))) {
        Py_DECREF(fmt);
        return NULL;
    }
    return make_value("Encryption", "(NNzz)", fmt, engine,
                      vdisk_source_get_encryption_secret_uuid(src),
                      vdisk_source_get_encryption_secret_usage(src));
}

static int
Source_set_encryption(SourceObject *self, PyObject *value, void *closure)
{
    vdisk_source *src = source_get(self, 1);
    vdisk_error *err = NULL;
    int fmt = 0, engine = 0;
    const char *uuid = NULL, *usage = NULL;

    if (!src)
        return -1;
    if (value && value != Py_None) {
        if (!PyTuple_Check(value) || PyTuple_GET_SIZE(value) != 4) {
            PyErr_SetString(PyExc_TypeError, "encryption must be a vdisk.Encryption(format, "
                                             "engine, uuid, usage) or None");
            return -1;
        }
        if (arg_enum(PyTuple_GET_ITEM(value, 0), VDISK_ENUM_ENCRYPTION_FORMAT, "encryption format",
                     0, &fmt) < 0 ||
            arg_enum(PyTuple_GET_ITEM(value, 1), VDISK_ENUM_ENCRYPTION_ENGINE, "encryption engine",
                     1, &engine) < 0 ||
            arg_str(PyTuple_GET_ITEM(value, 2), "encryption secret uuid", 1, &uuid, NULL) < 0 ||
            arg_str(PyTuple_GET_ITEM(value, 3), "encryption secret usage", 1, &usage, NULL) < 0)
            return -1;
    }
    if (vdisk_source_set_encryption(src, (vdisk_encryption_format)fmt,
                                    (vdisk_encryption_engine)engine, uuid, usage, &err) < 0) {
        raise_error(err);
        return -1;
    }
    return 0;
}

static PyObject *
Source_get_reservations(SourceObject *self, void *closure)
{
    vdisk_source *src = source_get(self, 0);
    vdisk_tristate managed;
    const char *path;

    if (!src)
        return NULL;
    managed = vdisk_source_get_reservations_managed(src);
    path = vdisk_source_get_reservations_path(src);
    if (managed == VDISK_TRISTATE_DEFAULT && !path)
        Py_RETURN_NONE;
    return make_value("Reservations", "(Nz)", tristate_value(managed), path);
}

static int
Source_set_reservations(SourceObject *self, PyObject *value, void *closure)
{
    vdisk_source *src = source_get(self, 1);
    vdisk_error *err = NULL;
    vdisk_tristate managed = VDISK_TRISTATE_DEFAULT;
    const char *path = NULL;
    const char *mode = NULL;

    if (!src)
        return -1;
    if (value && value != Py_None) {
        if (!PyTuple_Check(value) || PyTuple_GET_SIZE(value) != 2) {
            PyErr_SetString(PyExc_TypeError,
                            "reservations must be a vdisk.Reservations(managed, path) or None");
            return -1;
        }
        if (arg_tristate(PyTuple_GET_ITEM(value, 0), "reservations managed", &managed) < 0 ||
            arg_str(PyTuple_GET_ITEM(value, 1), "reservations path", 1, &path, NULL) < 0)
            return -1;
        if (path)
            mode = "client";
    }
    if (vdisk_source_set_reservations(src, managed, path, mode, &err) < 0) {
        raise_error(err);
        return -1;
    }
    return 0;
}

static PyObject *
Source_get_slice(SourceObject *self, void *closure)
{
    vdisk_source *src = source_get(self, 0);
    unsigned long long offset = 0, size = 0;

    if (!src)
        return NULL;
    if (vdisk_source_get_slice(src, &offset, &size) < 0 || !size)
        Py_RETURN_NONE;
    return make_value("Slice", "(KK)", offset, size);
}

static int
Source_set_slice(SourceObject *self, PyObject *value, void *closure)
{
    vdisk_source *src = source_get(self, 1);
    vdisk_error *err = NULL;
    unsigned long long offset = 0, size = 0;

    if (!src)
        return -1;
    if (value && value != Py_None) {
        if (!PyTuple_Check(value) || PyTuple_GET_SIZE(value) != 2) {
            PyErr_SetString(PyExc_TypeError, "slice must be a vdisk.Slice(offset, size) or None");
            return -1;
        }
        if (arg_uint(PyTuple_GET_ITEM(value, 0), "slice offset", ULLONG_MAX, &offset) < 0 ||
            arg_uint(PyTuple_GET_ITEM(value, 1), "slice size", ULLONG_MAX, &size) < 0)
            return -1;
    }
    if (vdisk_source_set_slice(src, offset, size, &err) < 0) {
        raise_error(err);
        return -1;
    }
    return 0;
}

static PyObject *
Source_get_nvme(SourceObject *self, void *closure)
{
    vdisk_source *src = source_get(self, 0);
    unsigned int dom = 0, bus = 0, slot = 0, fn = 0;
    unsigned int ns;

    if (!src)
        return NULL;
    ns = vdisk_source_get_nvme_namespace(src);
    if (vdisk_source_get_nvme_address(src, &dom, &bus, &slot, &fn) < 0 && !ns)
        Py_RETURN_NONE;
    return make_value("NVMe", "(INN)", ns, tristate_value(vdisk_source_get_nvme_managed(src)),
                      make_value("PCIAddress", "(IIII)", dom, bus, slot, fn));
}

static int
Source_set_nvme(SourceObject *self, PyObject *value, void *closure)
{
    vdisk_source *src = source_get(self, 1);
    vdisk_error *err = NULL;
    unsigned long long ns;
    vdisk_tristate managed;
    unsigned int addr[4];

    if (!src)
        return -1;
    if (!value || value == Py_None || !PyTuple_Check(value) || PyTuple_GET_SIZE(value) != 3) {
        PyErr_SetString(PyExc_TypeError,
                        "nvme must be a vdisk.NVMe(namespace, managed, PCIAddress(...))");
        return -1;
    }
    if (arg_uint(PyTuple_GET_ITEM(value, 0), "nvme namespace", UINT_MAX, &ns) < 0 ||
        arg_tristate(PyTuple_GET_ITEM(value, 1), "nvme managed", &managed) < 0 ||
        unpack_uints(PyTuple_GET_ITEM(value, 2), "nvme address", 4, addr) < 0)
        return -1;
    if (vdisk_source_set_nvme(src, (unsigned int)ns, managed, addr[0], addr[1], addr[2], addr[3],
                              &err) < 0) {
        raise_error(err);
        return -1;
    }
    return 0;
}

static PyObject *
Source_get_backing(SourceObject *self, void *closure)
{
    vdisk_source *src = source_get(self, 0);

    if (!src)
        return NULL;
    if (!vdisk_source_get_backing(src))
        Py_RETURN_NONE;
    return source_new(self->disk, self->depth + 1, self->mirror);
}

static PyObject *
Source_get_backing_terminated(SourceObject *self, void *closure)
{
    vdisk_source *src = source_get(self, 0);

    return src ? PyBool_FromLong(vdisk_source_get_backing_terminated(src)) : NULL;
}

static int
Source_set_backing_terminated(SourceObject *self, PyObject *value, void *closure)
{
    vdisk_source *src = source_get(self, 1);
    vdisk_error *err = NULL;
    int b;

    if (!src || arg_bool(value ? value : Py_False, "backing_terminated", &b) < 0)
        return -1;
    if (vdisk_source_set_backing_terminated(src, b, &err) < 0) {
        raise_error(err);
        return -1;
    }
    return 0;
}

static PyObject *
Source_new_backing(SourceObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"type", "format", "path", NULL};
    vdisk_source *src = source_get(self, 1);
    vdisk_source *out = NULL;
    vdisk_error *err = NULL;
    PyObject *typeobj, *formatobj, *pathobj = Py_None;
    const char *path;
    PyObject *keep = NULL;
    int type, format;

    if (!src ||
        !PyArg_ParseTupleAndKeywords(args, kwds, "OO|O:new_backing", kwlist, &typeobj, &formatobj,
                                     &pathobj) ||
        arg_enum(typeobj, VDISK_ENUM_TYPE, "backing store type", 0, &type) < 0 ||
        arg_enum(formatobj, VDISK_ENUM_FORMAT, "backing store format", 0, &format) < 0 ||
        arg_str(pathobj, "path", 1, &path, &keep) < 0)
        return NULL;
    if (vdisk_source_new_backing(&out, src, (vdisk_type)type, (vdisk_format)format, &err) < 0 ||
        (path && vdisk_source_set_path(out, path, &err) < 0)) {
        Py_XDECREF(keep);
        return raise_error(err);
    }
    Py_XDECREF(keep);
    return source_new(self->disk, self->depth + 1, self->mirror);
}

static PyObject *
Source_set_volume(SourceObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"pool", "volume", "mode", NULL};
    vdisk_source *src = source_get(self, 1);
    vdisk_error *err = NULL;
    const char *pool, *volume;
    PyObject *modeobj = Py_None;
    int mode;

    if (!src ||
        !PyArg_ParseTupleAndKeywords(args, kwds, "ss|O:set_volume", kwlist, &pool, &volume,
                                     &modeobj) ||
        arg_enum(modeobj, VDISK_ENUM_POOL_MODE, "pool mode", 1, &mode) < 0)
        return NULL;
    if (vdisk_source_set_volume(src, pool, volume, (vdisk_pool_mode)mode, &err) < 0)
        return raise_error(err);
    Py_RETURN_NONE;
}

static PyObject *
Source_clear(SourceObject *self, PyObject *unused)
{
    vdisk_source *src = source_get(self, 1);
    vdisk_error *err = NULL;

    if (!src)
        return NULL;
    if (vdisk_source_clear(src, &err) < 0)
        return raise_error(err);
    Py_RETURN_NONE;
}

static PyObject *
Source_richcompare(PyObject *a, PyObject *b, int op)
{
    SourceObject *x = (SourceObject *)a, *y = (SourceObject *)b;
    int eq;

    if (!PyObject_TypeCheck(b, &SourceType) || (op != Py_EQ && op != Py_NE))
        Py_RETURN_NOTIMPLEMENTED;
    eq = x->disk == y->disk && x->depth == y->depth && x->mirror == y->mirror;
    return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

static PyObject *
Source_repr(SourceObject *self)
{
    vdisk_source *src = source_get(self, 0);
    const char *type;
    const char *path;

    if (!src) {
        PyErr_Clear();
        return PyUnicode_FromString("<vdisk.Source (gone)>");
    }
    type = vdisk_enum_to_string(VDISK_ENUM_TYPE, (int)vdisk_source_get_type(src));
    path = vdisk_source_get_path(src);
    if (!path)
        path = vdisk_source_get_name(src);
    if (self->mirror)
        return PyUnicode_FromFormat("<vdisk.Source mirror type=%s %s%s%s>", type ? type : "?",
                                    path ? "'" : "", path ? path : "(no path)", path ? "'" : "");
    return PyUnicode_FromFormat("<vdisk.Source depth=%u type=%s %s%s%s>", self->depth,
                                type ? type : "?", path ? "'" : "", path ? path : "(no path)",
                                path ? "'" : "");
}

static PyMethodDef Source_methods[] = {
    {"new_backing", (PyCFunction)(void (*)(void))Source_new_backing, METH_VARARGS | METH_KEYWORDS,
     "new_backing(type, format, path=None) -> Source\n\n"
     "Replace the backing chain below this source with a new <backingStore> of\n"
     "`type` and `format` (and `path` when given) and return it."},
    {"set_volume", (PyCFunction)(void (*)(void))Source_set_volume, METH_VARARGS | METH_KEYWORDS,
     "set_volume(pool, volume, mode=None) -> None\n\n"
     "Point a type 'volume' source at `volume` of storage pool `pool`\n"
     "(mode: a vdisk.PoolMode or None)."},
    {"clear", (PyCFunction)Source_clear, METH_NOARGS,
     "clear() -> None\n\nRemove <source> and the backing chain (eject the medium)."},
    {NULL, NULL, 0, NULL},
};

#define SFIELD(name, doc)                                                                          \
    {                                                                                              \
#name, (getter)Source_getfield, (setter)Source_setfield, doc, &sf_##name                   \
    }

static PyGetSetDef Source_getset[] = {
    /* the scalar fields */
    VD_PY_SOURCE_GETSET(SFIELD) /* clang-format: keep */
    /* the structured ones */
    {"present", (getter)Source_get_present, NULL,
     "True when the <source> element exists (an empty cdrom has none).", NULL},
    {"hosts", (getter)Source_get_hosts, (setter)Source_set_hosts,
     "The <host> elements: a list of vdisk.Host(name, port, transport, socket).\n"
     "Assign a list to replace them all.",
     NULL},
    {"cookies", (getter)Source_get_cookies, (setter)Source_set_cookies,
     "The <cookies>: a dict of name to value (a copy). Assign a dict to replace them.", NULL},
    {"auth", (getter)Source_get_auth, (setter)Source_set_auth,
     "<auth>: a vdisk.Auth(username, secret_type, uuid, usage) or None.", NULL},
    {"encryption", (getter)Source_get_encryption, (setter)Source_set_encryption,
     "<encryption>: a vdisk.Encryption(format, engine, uuid, usage) or None.", NULL},
    {"reservations", (getter)Source_get_reservations, (setter)Source_set_reservations,
     "<reservations>: a vdisk.Reservations(managed, path) or None.", NULL},
    {"slice", (getter)Source_get_slice, (setter)Source_set_slice,
     "The storage <slice>: a vdisk.Slice(offset, size) or None.", NULL},
    {"nvme", (getter)Source_get_nvme, (setter)Source_set_nvme,
     "A type 'nvme' source: vdisk.NVMe(namespace, managed, address) or None.", NULL},
    {"backing", (getter)Source_get_backing, NULL,
     "The next vdisk.Source down the backing chain, or None (see new_backing()).", NULL},
    {"backing_terminated", (getter)Source_get_backing_terminated,
     (setter)Source_set_backing_terminated,
     "True when the chain explicitly ends here with <backingStore/>. Setting True\n"
     "removes any backing store.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject SourceType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vdisk.Source",
    .tp_basicsize = sizeof(SourceObject),
    .tp_dealloc = (destructor)Source_dealloc,
    .tp_repr = (reprfunc)Source_repr,
    .tp_hash = PyObject_HashNotImplemented,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A storage source of a Disk: its top <source>, a <backingStore> or its\n"
              "<mirror>. Obtained from disk.source, source.backing or disk.mirror; it is a\n"
              "view that keeps its Disk alive and reads and writes the disk directly.",
    .tp_richcompare = Source_richcompare,
    .tp_methods = Source_methods,
    .tp_getset = Source_getset,
};

/* ---- Domain ----------------------------------------------------------------------- */

static vdisk_domain *
domain_get(DomainObject *self)
{
    if (!self->dom) {
        PyErr_SetString(PyExc_ValueError, "the Domain object is not initialized");
        return NULL;
    }
    return self->dom;
}

static PyObject *
domain_wrap(PyTypeObject *type, vdisk_domain *dom)
{
    DomainObject *self = (DomainObject *)type->tp_alloc(type, 0);

    if (!self) {
        vdisk_domain_free(dom);
        return NULL;
    }
    if (!(self->views = PyDict_New())) {
        vdisk_domain_free(dom);
        Py_DECREF(self);
        return NULL;
    }
    self->dom = dom;
    return (PyObject *)self;
}

static void
Domain_dealloc(DomainObject *self)
{
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    /* Disk objects borrowed from us hold a reference: none is alive now. */
    Py_XDECREF(self->views);
    vdisk_domain_free(self->dom);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
Domain_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyErr_SetString(PyExc_TypeError,
                    "use vdisk.Domain.from_xml() (or vdisk.list_disks()) to get a Domain");
    return NULL;
}

static PyObject *
Domain_from_xml(PyObject *cls, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"xml", "defaults", "validate", "validate_start", "live", NULL};
    PyObject *xmlobj;
    const char *xml;
    int defaults = 1, validate = 1, validate_start = 0, live = 0;
    vdisk_domain *dom = NULL;
    vdisk_error *err = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$pppp:from_xml", kwlist, &xmlobj, &defaults,
                                     &validate, &validate_start, &live))
        return NULL;
    if (arg_str(xmlobj, "xml", 0, &xml, NULL) < 0)
        return NULL;
    if (vdisk_domain_from_xml_flags(&dom, xml, parse_flags(defaults, validate, validate_start, live),
                                    &err) < 0)
        return raise_error(err);
    return domain_wrap((PyTypeObject *)cls, dom);
}

static PyObject *
Domain_to_xml(DomainObject *self, PyObject *unused)
{
    vdisk_domain *dom = domain_get(self);
    vdisk_error *err = NULL;
    char *xml = NULL;
    PyObject *ret;

    if (!dom)
        return NULL;
    if (vdisk_domain_to_xml(&xml, dom, &err) < 0)
        return raise_error(err);
    ret = PyUnicode_FromString(xml);
    vdisk_free(xml);
    return ret;
}

static PyObject *
Domain_disk_count(DomainObject *self, PyObject *unused)
{
    vdisk_domain *dom = domain_get(self);

    return dom ? PyLong_FromSize_t(vdisk_domain_get_disk_count(dom)) : NULL;
}

static PyObject *
Domain_disk_at(DomainObject *self, PyObject *arg)
{
    vdisk_domain *dom = domain_get(self);
    Py_ssize_t i;

    if (!dom)
        return NULL;
    i = PyNumber_AsSsize_t(arg, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    if (i < 0)
        i += (Py_ssize_t)vdisk_domain_get_disk_count(dom);
    if (i < 0 || (size_t)i >= vdisk_domain_get_disk_count(dom)) {
        PyErr_SetString(PyExc_IndexError, "disk index out of range");
        return NULL;
    }
    return disk_wrap_borrowed(self, vdisk_domain_get_disk(dom, (size_t)i));
}

static PyObject *
Domain_find_disk(DomainObject *self, PyObject *arg)
{
    vdisk_domain *dom = domain_get(self);
    const char *target;

    if (!dom || arg_str(arg, "target", 0, &target, NULL) < 0)
        return NULL;
    return disk_wrap_borrowed(self, vdisk_domain_find_disk(dom, target));
}

static PyObject *
Domain_add_disk(DomainObject *self, PyObject *arg)
{
    vdisk_domain *dom = domain_get(self);
    vdisk_error *err = NULL;
    vdisk_disk *d;
    size_t n;

    if (!dom)
        return NULL;
    if (!PyObject_TypeCheck(arg, &DiskType)) {
        PyErr_Format(PyExc_TypeError, "add_disk() wants a vdisk.Disk, not %.80s",
                     Py_TYPE(arg)->tp_name);
        return NULL;
    }
    if (!(d = disk_get((DiskObject *)arg)))
        return NULL;
    if (vdisk_domain_add_disk(dom, d, &err) < 0)
        return raise_error(err);
    n = vdisk_domain_get_disk_count(dom);
    return disk_wrap_borrowed(self, vdisk_domain_get_disk(dom, n - 1));
}

static PyObject *
Domain_remove_disk(DomainObject *self, PyObject *arg)
{
    vdisk_domain *dom = domain_get(self);
    vdisk_error *err = NULL;
    const char *target;
    vdisk_disk *d;
    vdisk_disk *copy = NULL;
    DiskObject *view = NULL;
    PyObject *key;
    PyObject *ref;

    if (!dom)
        return NULL;
    if (PyObject_TypeCheck(arg, &DiskType)) {
        DiskObject *dobj = (DiskObject *)arg;

        if (dobj->domain != (PyObject *)self) {
            PyErr_SetString(PyExc_ValueError, "the disk does not belong to this domain");
            return NULL;
        }
        if (!(target = vdisk_disk_get_target(dobj->disk))) {
            PyErr_SetString(PyExc_ValueError, "the disk has no target");
            return NULL;
        }
    } else if (arg_str(arg, "target", 0, &target, NULL) < 0) {
        return NULL;
    }
    d = vdisk_domain_find_disk(dom, target);
    key = d ? PyLong_FromVoidPtr(d) : NULL;
    if (d && !key)
        return NULL;
    if (key && (ref = PyDict_GetItemWithError(self->views, key))) {
        PyObject *obj = PyWeakref_GetObject(ref);

        if (obj && obj != Py_None && ((DiskObject *)obj)->disk == d)
            view = (DiskObject *)obj;
    }
    if (PyErr_Occurred() || (view && vdisk_disk_copy(&copy, d, &err) < 0)) {
        Py_XDECREF(key);
        return PyErr_Occurred() ? NULL : raise_error(err);
    }
    if (vdisk_domain_remove_disk(dom, target, &err) < 0) {
        vdisk_disk_free(copy);
        Py_XDECREF(key);
        return raise_error(err);
    }
    if (key) {
        if (PyDict_DelItem(self->views, key) < 0)
            PyErr_Clear();
        Py_DECREF(key);
    }
    if (view) {
        /* The Disk object lives on as a standalone copy of what was removed. */
        view->disk = copy;
        view->domain = NULL;
        Py_DECREF(self);
    }
    Py_RETURN_NONE;
}

static PyObject *
Domain_controllers(DomainObject *self, PyObject *unused)
{
    vdisk_domain *dom = domain_get(self);
    PyObject *list;
    size_t i, n;

    if (!dom)
        return NULL;
    n = vdisk_domain_get_controller_count(dom);
    if (!(list = PyList_New((Py_ssize_t)n)))
        return NULL;
    for (i = 0; i < n; i++) {
        const vdisk_controller *c = vdisk_domain_get_controller(dom, i);
        vdisk_controller_type t = vdisk_controller_get_type(c);
        unsigned int pd, pb, ps, pf;
        PyObject *type, *addr, *item;

        if ((int)t >= 0 && t < VDISK_CONTROLLER_LAST) {
            PyObject *s = PyUnicode_FromString(controller_type_names[t]);

            type = s && py_controller_type_enum ? PyObject_CallOneArg(py_controller_type_enum, s)
                                                : (Py_XINCREF(s), s);
            Py_XDECREF(s);
        } else {
            type = Py_None;
            Py_INCREF(type);
        }
        if (!type) {
            Py_DECREF(list);
            return NULL;
        }
        if (vdisk_controller_get_address_pci(c, &pd, &pb, &ps, &pf) == 0) {
            addr = make_value("PCIAddress", "(IIII)", pd, pb, ps, pf);
        } else {
            addr = Py_None;
            Py_INCREF(addr);
        }
        item = addr ? make_value("Controller", "(NIzzN)", type, vdisk_controller_get_index(c),
                                 vdisk_controller_get_model(c), vdisk_controller_get_alias(c), addr)
                    : NULL;
        if (!addr)
            Py_DECREF(type);
        if (!item) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

static PyObject *
Domain_get_disks(DomainObject *self, void *closure)
{
    PyObject *type = named_type("DiskList");

    if (!type || !domain_get(self))
        return NULL;
    return PyObject_CallOneArg(type, (PyObject *)self);
}

static PyObject *
Domain_get_controllers(DomainObject *self, void *closure)
{
    return Domain_controllers(self, NULL);
}

#define DOM_STR(name)                                                                              \
    static PyObject *Domain_get_##name(DomainObject *self, void *closure)                          \
    {                                                                                              \
        vdisk_domain *dom = domain_get(self);                                                      \
        return dom ? str_or_none(vdisk_domain_get_##name(dom)) : NULL;                             \
    }

DOM_STR(name)
DOM_STR(virt_type)
DOM_STR(arch)
DOM_STR(machine)

static PyObject *
Domain_get_iothreads(DomainObject *self, void *closure)
{
    vdisk_domain *dom = domain_get(self);

    return dom ? PyLong_FromUnsignedLong(vdisk_domain_get_iothreads(dom)) : NULL;
}

static PyObject *
Domain_get_is_q35(DomainObject *self, void *closure)
{
    vdisk_domain *dom = domain_get(self);

    return dom ? PyBool_FromLong(vdisk_domain_is_q35(dom)) : NULL;
}

static PyObject *
Domain_qemu_args(DomainObject *self, PyObject *args, PyObject *kwds)
{
    return domain_get(self) ? qemu_translate(NULL, (PyObject *)self, args, kwds, 0, "qemu_args")
                            : NULL;
}

static PyObject *
Domain_qmp_commands(DomainObject *self, PyObject *args, PyObject *kwds)
{
    return domain_get(self) ? qemu_translate(NULL, (PyObject *)self, args, kwds, 1, "qmp_commands")
                            : NULL;
}

static PyObject *
Domain_repr(DomainObject *self)
{
    const char *name = self->dom ? vdisk_domain_get_name(self->dom) : NULL;

    return PyUnicode_FromFormat("<vdisk.Domain name=%s%s%s disks=%zu>", name ? "'" : "",
                                name ? name : "None", name ? "'" : "",
                                self->dom ? vdisk_domain_get_disk_count(self->dom) : (size_t)0);
}

static PyMethodDef Domain_methods[] = {
    {"from_xml", (PyCFunction)(void (*)(void))Domain_from_xml,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "from_xml(xml, *, defaults=True, validate=True, validate_start=False) -> Domain\n\n"
     "Read a libvirt <domain> document: name, machine, controllers, iothreads and\n"
     "the disks (parsed and checked as Disk.from_xml() does)."},
    {"to_xml", (PyCFunction)Domain_to_xml, METH_NOARGS,
     "to_xml() -> str\n\nThe whole domain, disks as they are now, everything else as read."},
    {"find_disk", (PyCFunction)Domain_find_disk, METH_O,
     "find_disk(target) -> Disk | None\n\nThe disk whose target is `target` (it belongs to "
     "the domain:\nchanging it changes the domain)."},
    {"add_disk", (PyCFunction)Domain_add_disk, METH_O,
     "add_disk(disk) -> Disk\n\nAdd a copy of `disk` after the domain's disks, with libvirt's\n"
     "defaults applied and checked against the domain; return the added disk."},
    {"remove_disk", (PyCFunction)Domain_remove_disk, METH_O,
     "remove_disk(target) -> None\n\nRemove the disk with `target` (a str, or one of this\n"
     "domain's Disk objects). Disk objects of the removed disk stay usable as\n"
     "standalone disks. Raises vdisk.NotFoundError when there is no such disk."},
    {"qemu_args", (PyCFunction)(void (*)(void))Domain_qemu_args, METH_VARARGS | METH_KEYWORDS,
     "qemu_args(*, machine=None, secrets=None, master_key=None, first_node_index=None,\n"
     "          connection=None, probe_chains=False) -> list[str]\n\n"
     "The disk arguments of libvirt 9.0's QEMU command line for the whole domain\n"
     "(see Disk.qemu_args() for the options)."},
    {"qmp_commands", (PyCFunction)(void (*)(void))Domain_qmp_commands, METH_VARARGS | METH_KEYWORDS,
     "qmp_commands(*, machine=None, secrets=None, master_key=None, first_node_index=None,\n"
     "             connection=None, probe_chains=False) -> list[dict]\n\n"
     "The QMP equivalent of qemu_args()."},
    {"_disk_count", (PyCFunction)Domain_disk_count, METH_NOARGS, "The number of disks."},
    {"_disk_at", (PyCFunction)Domain_disk_at, METH_O, "Disk number i."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Domain_getset[] = {
    {"name", (getter)Domain_get_name, NULL, "The domain's <name>.", NULL},
    {"virt_type", (getter)Domain_get_virt_type, NULL, "domain@type: \"kvm\", \"qemu\", ...", NULL},
    {"arch", (getter)Domain_get_arch, NULL, "os/type@arch, or None.", NULL},
    {"machine", (getter)Domain_get_machine, NULL,
     "os/type@machine as written (\"pc\", \"q35\", ...), or None.", NULL},
    {"is_q35", (getter)Domain_get_is_q35, NULL, "True for q35-family machine types.", NULL},
    {"iothreads", (getter)Domain_get_iothreads, NULL, "The <iothreads> count (0 when none).", NULL},
    {"disks", (getter)Domain_get_disks, NULL,
     "The domain's disks in document order: a live sequence (vdisk.DiskList) of\n"
     "Disk objects that belong to the domain and keep it alive.",
     NULL},
    {"controllers", (getter)Domain_get_controllers, NULL,
     "The controllers, a list of vdisk.Controller(type, index, model, alias, address).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject DomainType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vdisk.Domain",
    .tp_basicsize = sizeof(DomainObject),
    .tp_dealloc = (destructor)Domain_dealloc,
    .tp_repr = (reprfunc)Domain_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The domain context disk work needs, read from libvirt <domain> XML with\n"
              "Domain.from_xml(): name, machine type, controllers, iothreads and disks.",
    .tp_weaklistoffset = offsetof(DomainObject, weakrefs),
    .tp_methods = Domain_methods,
    .tp_getset = Domain_getset,
    .tp_new = Domain_new,
};

/* ---- hotplug ---------------------------------------------------------------------- */

#ifdef VDISK_PY_HOTPLUG

/* The disk of argument "disk", which must be a vdisk.Disk (borrowed);
 * NULL with TypeError or ValueError raised. */
static vdisk_disk *
arg_disk(PyObject *obj)
{
    if (!PyObject_TypeCheck(obj, &DiskType)) {
        PyErr_Format(PyExc_TypeError, "disk must be a vdisk.Disk, not %.80s",
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    return disk_get((DiskObject *)obj);
}

/* The virDomainPtr inside a libvirt-python virDomain object (borrowed). */
static virDomainPtr
arg_virdomain(PyObject *obj)
{
    PyObject *libvirt = PyImport_ImportModule("libvirt");
    PyObject *cls = libvirt ? PyObject_GetAttrString(libvirt, "virDomain") : NULL;
    PyObject *capsule;
    virDomainPtr ptr;
    int ok;

    Py_XDECREF(libvirt);
    if (!cls) {
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError, "a libvirt.virDomain is needed (python3-libvirt)");
        return NULL;
    }
    ok = PyObject_IsInstance(obj, cls);
    Py_DECREF(cls);
    if (ok != 1) {
        if (ok == 0)
            PyErr_Format(PyExc_TypeError, "dom must be a libvirt.virDomain, not %.80s",
                         Py_TYPE(obj)->tp_name);
        return NULL;
    }
    if (!(capsule = PyObject_GetAttrString(obj, "_o")))
        return NULL;
    if (!PyCapsule_IsValid(capsule, "virDomainPtr")) {
        Py_DECREF(capsule);
        PyErr_SetString(PyExc_TypeError, "the libvirt.virDomain holds no domain (freed?)");
        return NULL;
    }
    ptr = PyCapsule_GetPointer(capsule, "virDomainPtr");
    Py_DECREF(capsule);
    if (!ptr)
        PyErr_SetString(PyExc_TypeError, "the libvirt.virDomain holds no domain");
    return ptr;
}

/* persistent=True stands for live, plus the persistent definition when the
 * domain has one; it goes without config=True (live is True by default). */
static int
arg_where(int live, int config, int persistent, unsigned int *flags)
{
    if (persistent && config) {
        PyErr_SetString(PyExc_ValueError, "persistent=True goes without config=True");
        return -1;
    }
    *flags = persistent ? VDISK_HOTPLUG_PERSISTENT
                        : (live ? VDISK_HOTPLUG_LIVE : 0) | (config ? VDISK_HOTPLUG_CONFIG : 0);
    return 0;
}

static PyObject *
py_next_target(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dom", "bus", NULL};
    PyObject *domobj, *busobj;
    virDomainPtr dom;
    vdisk_error *err = NULL;
    char *out = NULL;
    PyObject *ret;
    int bus, rc;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO:next_target", kwlist, &domobj, &busobj) ||
        !(dom = arg_virdomain(domobj)) || arg_enum(busobj, VDISK_ENUM_BUS, "bus", 0, &bus) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS rc = vdisk_hotplug_next_target(&out, dom, (vdisk_bus)bus, &err);
    Py_END_ALLOW_THREADS if (rc < 0) return raise_error(err);
    ret = PyUnicode_FromString(out);
    vdisk_free(out);
    return ret;
}

static PyObject *
py_attach(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dom", "disk", "live", "config", "persistent", "probe_format", NULL};
    PyObject *domobj, *diskobj, *cls, *fmt, *ret;
    virDomainPtr dom;
    vdisk_disk *copy = NULL;
    vdisk_error *err = NULL;
    unsigned int flags, result = 0;
    int live = 0, config = 0, persistent = 0, probe_format = 0, rc;
    int value;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|$pppp:attach", kwlist, &domobj, &diskobj,
                                     &live, &config, &persistent, &probe_format) ||
        !(dom = arg_virdomain(domobj)))
        return NULL;
    if (!arg_disk(diskobj))
        return NULL;
    if (arg_where(live, config, persistent, &flags) < 0)
        return NULL;
    if (probe_format)
        flags |= VDISK_HOTPLUG_PROBE_FORMAT;
    /* the call runs without the GIL: it works on a private copy */
    if (vdisk_disk_copy(&copy, ((DiskObject *)diskobj)->disk, &err) < 0)
        return raise_error(err);
    Py_BEGIN_ALLOW_THREADS rc = vdisk_hotplug_attach_auto(dom, copy, flags, &result, &err);
    Py_END_ALLOW_THREADS if (rc < 0)
    {
        vdisk_disk_free(copy);
        return raise_error(err);
    }
    value = (int)vdisk_source_get_format(vdisk_disk_get_source_const(copy));
    if (value > 0) {
        fmt = enum_value(VDISK_ENUM_FORMAT, value);
    } else {
        fmt = Py_None;
        Py_INCREF(fmt);
    }
    if (!fmt || !(cls = named_type("AttachResult")))
        ret = NULL;
    else
        ret = PyObject_CallFunction(
            cls, "sOOOOOOO", vdisk_disk_get_target(copy),
            (result & (VDISK_ATTACH_LIVE_CHANGED | VDISK_ATTACH_CONFIG_CHANGED)) ? Py_True
                                                                                 : Py_False,
            (result & VDISK_ATTACH_LIVE_CHANGED) ? Py_True : Py_False,
            (result & VDISK_ATTACH_CONFIG_CHANGED) ? Py_True : Py_False,
            (result & VDISK_ATTACH_LIVE_ONLY) ? Py_True : Py_False, fmt,
            (result & VDISK_ATTACH_FORMAT_PROBED) ? Py_True : Py_False,
            (result & VDISK_ATTACH_FORMAT_GUESSED) ? Py_True : Py_False);
    Py_XDECREF(fmt);
    vdisk_disk_free(copy);
    return ret;
}

static PyObject *
py_detach(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dom", "target", "wait", "live", "config", "persistent", NULL};
    PyObject *domobj;
    const char *target;
    double wait = 10.0;
    virDomainPtr dom;
    vdisk_error *err = NULL;
    unsigned int flags;
    int live = 0, config = 0, persistent = 0, rc;
    char *t;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "Os|d$ppp:detach", kwlist, &domobj, &target, &wait,
                                     &live, &config, &persistent) ||
        !(dom = arg_virdomain(domobj)))
        return NULL;
    if (!(wait >= 0 && wait <= 86400.0)) {
        PyErr_SetString(PyExc_ValueError, "wait must be between 0 and 86400 seconds");
        return NULL;
    }
    if (arg_where(live, config, persistent, &flags) < 0)
        return NULL;
    if (!(t = strdup(target)))
        return PyErr_NoMemory();
    Py_BEGIN_ALLOW_THREADS rc =
        vdisk_hotplug_detach(dom, t, flags, (unsigned int)(wait * 1000.0), &err);
    Py_END_ALLOW_THREADS free(t);
    if (rc < 0)
        return raise_error(err);
    Py_RETURN_NONE;
}

static PyObject *
py_change_media(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dom",  "target", "source",     "force",
                             "live", "config", "persistent", NULL};
    PyObject *domobj, *srcobj = Py_None, *keep = NULL;
    const char *target, *source;
    virDomainPtr dom;
    vdisk_error *err = NULL;
    unsigned int flags;
    int force = 0, live = 0, config = 0, persistent = 0, rc;
    char *t, *s = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "Os|O$pppp:change_media", kwlist, &domobj, &target,
                                     &srcobj, &force, &live, &config, &persistent) ||
        !(dom = arg_virdomain(domobj)))
        return NULL;
    if (arg_where(live, config, persistent, &flags) < 0 ||
        arg_str(srcobj, "source", 1, &source, &keep) < 0)
        return NULL;
    if (force)
        flags |= VDISK_HOTPLUG_FORCE;
    t = strdup(target);
    if (source)
        s = strdup(source);
    Py_XDECREF(keep);
    if (!t || (source && !s)) {
        free(t);
        free(s);
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS rc = vdisk_hotplug_change_media(dom, t, s, flags, &err);
    Py_END_ALLOW_THREADS free(t);
    free(s);
    if (rc < 0)
        return raise_error(err);
    Py_RETURN_NONE;
}

static PyObject *
py_set_iotune(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dom", "target", "iotune_from", "live", "config", NULL};
    PyObject *domobj, *diskobj;
    const char *target;
    virDomainPtr dom;
    vdisk_disk *copy = NULL;
    vdisk_error *err = NULL;
    unsigned int flags;
    int live = 0, config = 0, rc;
    char *t;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OsO|$pp:set_iotune", kwlist, &domobj, &target,
                                     &diskobj, &live, &config) ||
        !(dom = arg_virdomain(domobj)))
        return NULL;
    if (!PyObject_TypeCheck(diskobj, &DiskType) || !((DiskObject *)diskobj)->disk) {
        PyErr_SetString(PyExc_TypeError, "iotune_from must be a vdisk.Disk");
        return NULL;
    }
    if (arg_where(live, config, 0, &flags) < 0)
        return NULL;
    if (vdisk_disk_copy(&copy, ((DiskObject *)diskobj)->disk, &err) < 0)
        return raise_error(err);
    if (!(t = strdup(target))) {
        vdisk_disk_free(copy);
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS rc = vdisk_hotplug_set_iotune(dom, t, copy, flags, &err);
    Py_END_ALLOW_THREADS free(t);
    vdisk_disk_free(copy);
    if (rc < 0)
        return raise_error(err);
    Py_RETURN_NONE;
}

static PyObject *
py_recover(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dom", NULL};
    PyObject *domobj, *ret;
    virDomainPtr dom;
    vdisk_error *err = NULL;
    char *report = NULL;
    int rc;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:recover", kwlist, &domobj) ||
        !(dom = arg_virdomain(domobj)))
        return NULL;
    Py_BEGIN_ALLOW_THREADS rc = vdisk_hotplug_recover(dom, 0, &report, &err);
    Py_END_ALLOW_THREADS if (rc < 0) return raise_error(err);
    if (!report)
        Py_RETURN_NONE;
    ret = PyUnicode_FromString(report);
    vdisk_free(report);
    return ret;
}

static PyObject *
py_list_disks(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dom", "inactive", NULL};
    PyObject *domobj;
    virDomainPtr dom;
    vdisk_domain *out = NULL;
    vdisk_error *err = NULL;
    int inactive = 0, rc;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$p:list_disks", kwlist, &domobj, &inactive) ||
        !(dom = arg_virdomain(domobj)))
        return NULL;
    Py_BEGIN_ALLOW_THREADS rc =
        vdisk_hotplug_list(&out, dom, inactive ? VDISK_HOTPLUG_INACTIVE : 0, &err);
    Py_END_ALLOW_THREADS if (rc < 0) return raise_error(err);
    return domain_wrap(&DomainType, out);
}

/* The virConnectPtr inside a libvirt-python virConnect object (borrowed). */
static virConnectPtr
arg_virconnect(PyObject *obj)
{
    PyObject *libvirt = PyImport_ImportModule("libvirt");
    PyObject *cls = libvirt ? PyObject_GetAttrString(libvirt, "virConnect") : NULL;
    PyObject *capsule;
    virConnectPtr ptr;
    int ok;

    Py_XDECREF(libvirt);
    if (!cls) {
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError, "a libvirt.virConnect is needed (python3-libvirt)");
        return NULL;
    }
    ok = PyObject_IsInstance(obj, cls);
    Py_DECREF(cls);
    if (ok != 1) {
        if (ok == 0)
            PyErr_Format(PyExc_TypeError, "conn must be a libvirt.virConnect, not %.80s",
                         Py_TYPE(obj)->tp_name);
        return NULL;
    }
    if (!(capsule = PyObject_GetAttrString(obj, "_o")))
        return NULL;
    if (!PyCapsule_IsValid(capsule, "virConnectPtr")) {
        Py_DECREF(capsule);
        PyErr_SetString(PyExc_TypeError, "the libvirt.virConnect is closed");
        return NULL;
    }
    ptr = PyCapsule_GetPointer(capsule, "virConnectPtr");
    Py_DECREF(capsule);
    if (!ptr)
        PyErr_SetString(PyExc_TypeError, "the libvirt.virConnect holds no connection");
    return ptr;
}

/* A libvirt-python virConnect object owning @conn, made the way libvirt.open()
 * makes its own: an uncounted "virConnectPtr" capsule handed to the class,
 * whose close() (or finalizer) calls virConnectClose(). */
static PyObject *
virconnect_wrap(virConnectPtr conn)
{
    PyObject *libvirt, *capsule = NULL, *ret = NULL;

    if (!(libvirt = PyImport_ImportModule("libvirt")))
        goto close;
    if (!(capsule = PyCapsule_New(conn, "virConnectPtr", NULL)))
        goto close;
    if ((ret = PyObject_CallMethod(libvirt, "virConnect", "O", capsule)))
        goto done;

close:
    /* nothing owns the connection yet: close it (libvdisk calls libvirt,
     * the module is not linked to it) */
    vdisk_connect_close(conn);
done:
    Py_XDECREF(capsule);
    Py_XDECREF(libvirt);
    return ret;
}

static unsigned int
connect_flags(int readonly, int no_event_loop)
{
    return (readonly ? VDISK_CONNECT_READONLY : 0) |
           (no_event_loop ? VDISK_CONNECT_NO_EVENT_LOOP : 0);
}

/* hotplug_commands(dom, disk) / unplug_commands(dom, target): what libvirt
 * sends QEMU, as QMP commands decoded (vdisk_hotplug_attach_commands(),
 * vdisk_hotplug_detach_commands()) */
static PyObject *
py_hotplug_commands(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dom", "disk", NULL};
    PyObject *domobj, *diskobj, *ret;
    virDomainPtr dom;
    vdisk_disk *copy = NULL;
    vdisk_qemu_args *out = NULL;
    vdisk_error *err = NULL;
    int rc;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO:hotplug_commands", kwlist, &domobj,
                                     &diskobj) ||
        !(dom = arg_virdomain(domobj)))
        return NULL;
    if (!arg_disk(diskobj))
        return NULL;
    /* the call runs without the GIL: it works on a private copy */
    if (vdisk_disk_copy(&copy, ((DiskObject *)diskobj)->disk, &err) < 0)
        return raise_error(err);
    Py_BEGIN_ALLOW_THREADS rc = vdisk_hotplug_attach_commands(&out, dom, copy, NULL, &err);
    Py_END_ALLOW_THREADS vdisk_disk_free(copy);
    if (rc < 0)
        return raise_error(err);
    ret = qemu_args_list(out, 1);
    vdisk_qemu_args_free(out);
    return ret;
}

static PyObject *
py_unplug_commands(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dom", "target", NULL};
    PyObject *domobj, *ret;
    const char *target;
    virDomainPtr dom;
    vdisk_qemu_args *out = NULL;
    vdisk_error *err = NULL;
    int rc;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "Os:unplug_commands", kwlist, &domobj,
                                     &target) ||
        !(dom = arg_virdomain(domobj)))
        return NULL;
    Py_BEGIN_ALLOW_THREADS rc = vdisk_hotplug_detach_commands(&out, dom, target, &err);
    Py_END_ALLOW_THREADS if (rc < 0) return raise_error(err);
    ret = qemu_args_list(out, 1);
    vdisk_qemu_args_free(out);
    return ret;
}

static PyObject *
py_connect_open(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"uri", "readonly", "no_event_loop", NULL};
    PyObject *uriobj = Py_None, *keep = NULL;
    const char *uri;
    virConnectPtr conn = NULL;
    vdisk_error *err = NULL;
    int readonly = 0, no_event_loop = 0, rc;
    char *u = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O$pp:connect_open", kwlist, &uriobj,
                                     &readonly, &no_event_loop) ||
        arg_str(uriobj, "uri", 1, &uri, &keep) < 0)
        return NULL;
    if (uri && !(u = strdup(uri))) {
        Py_XDECREF(keep);
        return PyErr_NoMemory();
    }
    Py_XDECREF(keep);
    Py_BEGIN_ALLOW_THREADS rc =
        vdisk_connect_open(&conn, u, connect_flags(readonly, no_event_loop), &err);
    Py_END_ALLOW_THREADS free(u);
    if (rc < 0)
        return raise_error(err);
    return virconnect_wrap(conn);
}

static PyObject *
py_connect_open_first(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"uris", "readonly", "no_event_loop", NULL};
    PyObject *urisobj, *seq = NULL, *conn_obj, *ret = NULL;
    virConnectPtr conn = NULL;
    vdisk_error *err = NULL;
    int readonly = 0, no_event_loop = 0, rc;
    char **uris = NULL;
    size_t which = 0;
    Py_ssize_t n = 0, i;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$pp:connect_open_first", kwlist, &urisobj,
                                     &readonly, &no_event_loop))
        return NULL;
    if (PyUnicode_Check(urisobj)) {
        PyErr_SetString(PyExc_TypeError, "uris must be a sequence of str, not a str");
        return NULL;
    }
    if (!(seq = PySequence_Fast(urisobj, "uris must be a sequence of str")))
        return NULL;
    n = PySequence_Fast_GET_SIZE(seq);
    if (n == 0) {
        PyErr_SetString(PyExc_ValueError, "uris must not be empty");
        goto out;
    }
    if (!(uris = calloc((size_t)n, sizeof(*uris)))) {
        PyErr_NoMemory();
        goto out;
    }
    for (i = 0; i < n; i++) {
        PyObject *keep = NULL;
        const char *s;

        if (arg_str(PySequence_Fast_GET_ITEM(seq, i), "uris item", 0, &s, &keep) < 0)
            goto out;
        uris[i] = strdup(s);
        Py_XDECREF(keep);
        if (!uris[i]) {
            PyErr_NoMemory();
            goto out;
        }
    }
    Py_BEGIN_ALLOW_THREADS;
    rc = vdisk_connect_open_first(&conn, &which, (const char *const *)uris, (size_t)n,
                                  connect_flags(readonly, no_event_loop), &err);
    Py_END_ALLOW_THREADS;
    if (rc < 0) {
        raise_error(err);
        goto out;
    }
    if (!(conn_obj = virconnect_wrap(conn)))
        goto out;
    ret = Py_BuildValue("(Nn)", conn_obj, (Py_ssize_t)which);

out:
    if (uris) {
        for (i = 0; i < n; i++)
            free(uris[i]);
        free(uris);
    }
    Py_XDECREF(seq);
    return ret;
}

static PyObject *
py_volume_create(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"conn",    "pool",      "name", "capacity", "format",
                             "backing", "as_volume", NULL};
    PyObject *connobj, *capobj, *fmtobj = Py_None, *backobj = Py_None, *keep = NULL;
    const char *pool, *name, *backing;
    unsigned long long capacity;
    virConnectPtr conn;
    vdisk_disk *out = NULL;
    vdisk_error *err = NULL;
    int format, as_volume = 0, rc;
    char *p, *nm, *b = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OssO|OO$p:volume_create", kwlist, &connobj,
                                     &pool, &name, &capobj, &fmtobj, &backobj, &as_volume) ||
        !(conn = arg_virconnect(connobj)) ||
        arg_uint(capobj, "capacity", ULLONG_MAX, &capacity) < 0 ||
        arg_enum(fmtobj, VDISK_ENUM_FORMAT, "format", 1, &format) < 0 ||
        arg_str(backobj, "backing", 1, &backing, &keep) < 0)
        return NULL;
    if (capobj == Py_None) {
        Py_XDECREF(keep);
        PyErr_SetString(PyExc_TypeError, "capacity must be an int, not None");
        return NULL;
    }
    p = strdup(pool);
    nm = strdup(name);
    if (backing)
        b = strdup(backing);
    Py_XDECREF(keep);
    if (!p || !nm || (backing && !b)) {
        free(p);
        free(nm);
        free(b);
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS rc =
        vdisk_volume_create(&out, conn, p, nm, capacity, (vdisk_format)format, b,
                            as_volume ? VDISK_VOLUME_AS_VOLUME_SOURCE : 0, &err);
    Py_END_ALLOW_THREADS free(p);
    free(nm);
    free(b);
    if (rc < 0)
        return raise_error(err);
    return disk_wrap_owned(out);
}

static PyObject *
py_volume_resolve(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"disk", "conn", NULL};
    PyObject *diskobj, *connobj;
    virConnectPtr conn;
    vdisk_disk *disk;
    vdisk_error *err = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO:volume_resolve", kwlist, &diskobj,
                                     &connobj))
        return NULL;
    if (!(disk = arg_disk(diskobj)) || !(conn = arg_virconnect(connobj)))
        return NULL;
    /* the disk changes in place (it may be a view into a Domain): the GIL is
     * kept so no other thread sees it half resolved */
    if (vdisk_volume_resolve(disk, conn, &err) < 0)
        return raise_error(err);
    Py_RETURN_NONE;
}

static PyObject *
py_volume_delete(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"conn", "pool", "name", "dom", NULL};
    PyObject *connobj, *domobj = Py_None;
    const char *pool, *name;
    virConnectPtr conn;
    virDomainPtr dom = NULL;
    vdisk_error *err = NULL;
    char *p, *nm;
    int rc;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "Oss|O:volume_delete", kwlist, &connobj, &pool,
                                     &name, &domobj) ||
        !(conn = arg_virconnect(connobj)) ||
        (domobj != Py_None && !(dom = arg_virdomain(domobj))))
        return NULL;
    p = strdup(pool);
    nm = strdup(name);
    if (!p || !nm) {
        free(p);
        free(nm);
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS rc = vdisk_volume_delete(conn, p, nm, dom, &err);
    Py_END_ALLOW_THREADS free(p);
    free(nm);
    if (rc < 0)
        return raise_error(err);
    Py_RETURN_NONE;
}

/* ProbedFormat(format or None, qemu-img's name, guessed) for the image at
 * @arg; @strict refuses the formats libvirt's QEMU driver has no name for. */
static PyObject *
probe(PyObject *arg, int strict)
{
    PyObject *keep = NULL, *fmt, *cls, *ret;
    const char *path, *s;
    vdisk_error *err = NULL;
    vdisk_format format = VDISK_FORMAT_NONE;
    unsigned int flags = 0;
    char *p, *name = NULL;
    int rc, value;

    if (arg_str(arg, "path", 0, &path, &keep) < 0)
        return NULL;
    p = strdup(path);
    Py_XDECREF(keep);
    if (!p)
        return PyErr_NoMemory();
    Py_BEGIN_ALLOW_THREADS;
    if (strict)
        rc = vdisk_image_probe_format(p, &format, &flags, &err);
    else
        rc = vdisk_image_probe_format_name(p, &name, &flags, &err);
    Py_END_ALLOW_THREADS;
    free(p);
    if (rc < 0)
        return raise_error(err);
    if (strict) {
        value = (int)format;
        s = vdisk_enum_to_string(VDISK_ENUM_FORMAT, value);
    } else {
        value = vdisk_enum_from_string(VDISK_ENUM_FORMAT, name);
        s = name;
    }
    if (!s) {
        PyErr_Format(PyExc_RuntimeError, "vdisk: format %d has no name", value);
        return NULL;
    }
    if (value > 0) {
        fmt = enum_value(VDISK_ENUM_FORMAT, value);
    } else {
        fmt = Py_None;
        Py_INCREF(fmt);
    }
    if (!fmt || !(cls = named_type("ProbedFormat")))
        ret = NULL;
    else
        ret = PyObject_CallFunction(cls, "OsO", fmt, s,
                                    (flags & VDISK_PROBE_GUESSED) ? Py_True : Py_False);
    Py_XDECREF(fmt);
    vdisk_free(name);
    return ret;
}

static PyObject *
py_probe_format(PyObject *mod, PyObject *arg)
{
    return probe(arg, 1);
}

static PyObject *
py_probe_format_name(PyObject *mod, PyObject *arg)
{
    return probe(arg, 0);
}

/* ---- block jobs (blockjob.h) ------------------------------------------------------ */

/* A copy of string argument @obj (str or os.PathLike; None when @nullable,
 * giving NULL), for a call that runs without the GIL. Returns 0 or -1
 * (raised). */
static int
arg_strdup(PyObject *obj, const char *what, int nullable, char **out)
{
    PyObject *keep = NULL;
    const char *s;

    *out = NULL;
    if (arg_str(obj, what, nullable, &s, &keep) < 0)
        return -1;
    if (s && !(*out = strdup(s))) {
        Py_XDECREF(keep);
        PyErr_NoMemory();
        return -1;
    }
    Py_XDECREF(keep);
    return 0;
}

/* wait=: None (until the job is over, -1) or seconds, as milliseconds. */
static int
arg_wait(PyObject *obj, int *timeout_ms)
{
    double wait;

    *timeout_ms = -1;
    if (obj == Py_None)
        return 0;
    if (PyBool_Check(obj) || !(PyFloat_Check(obj) || PyLong_Check(obj))) {
        PyErr_Format(PyExc_TypeError, "wait must be a number of seconds or None, not %.80s",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    wait = PyFloat_AsDouble(obj);
    if (wait == -1.0 && PyErr_Occurred())
        return -1;
    if (!(wait >= 0 && wait <= 86400.0)) {
        PyErr_SetString(PyExc_ValueError, "wait must be between 0 and 86400 seconds, or None");
        return -1;
    }
    *timeout_ms = (int)(wait * 1000.0);
    return 0;
}

/* The JobKind member of @kind. */
static PyObject *
job_kind_value(vdisk_job_kind kind)
{
    PyObject *cls = named_type("JobKind");
    const char *name = vdisk_job_kind_name(kind);

    if (!cls)
        return NULL;
    return PyObject_CallFunction(cls, "s", name ? name : "unknown");
}

/* JobStatus(target, kind, phase, cur, end, ready) of @status. */
static PyObject *
job_status_value(const vdisk_job_status *status)
{
    PyObject *cls = named_type("JobStatus");
    PyObject *kind, *ret;

    if (!cls || !(kind = job_kind_value(vdisk_job_status_get_kind(status))))
        return NULL;
    ret = PyObject_CallFunction(cls, "sOsKKO", vdisk_job_status_get_target(status), kind,
                                vdisk_job_status_get_phase(status),
                                vdisk_job_status_get_cur(status), vdisk_job_status_get_end(status),
                                vdisk_job_status_get_ready(status) ? Py_True : Py_False);
    Py_DECREF(kind);
    return ret;
}

/* The options of one job call, and what its progress callback met. */
typedef struct {
    vdisk_job_opts *opts;
    PyObject *progress; /* the caller's callable, or NULL */
    /* the exception that cancelled the job (the callback's, or the
     * KeyboardInterrupt of a signal), raised again once the call is over */
    PyObject *exc_type, *exc_value, *exc_tb;
} JobCall;

/* Called by the library, without the GIL, on every change of the job and
 * at least every 250 ms while it waits: runs Python's signal handlers
 * (Ctrl-C cancels the job) and the caller's progress callable. */
static int
job_progress(const vdisk_job_status *status, void *opaque)
{
    JobCall *jc = opaque;
    PyGILState_STATE gil;
    int cancel = 0;

    if (jc->exc_type)
        return 1; /* cancelling already: the library undoes the job */
    gil = PyGILState_Ensure();
    if (PyErr_CheckSignals() < 0) {
        cancel = 1;
    } else if (jc->progress) {
        PyObject *value = job_status_value(status);
        PyObject *ret = value ? PyObject_CallOneArg(jc->progress, value) : NULL;

        cancel = !ret;
        Py_XDECREF(ret);
        Py_XDECREF(value);
    }
    if (cancel)
        PyErr_Fetch(&jc->exc_type, &jc->exc_value, &jc->exc_tb);
    PyGILState_Release(gil);
    return cancel;
}

/* Sets up @jc from wait=, bandwidth= and progress=. Returns 0 or -1
 * (raised); job_call_end() releases it after the call, job_call_clear()
 * when the call does not happen. */
static int
job_call_init(JobCall *jc, PyObject *waitobj, PyObject *bwobj, PyObject *progressobj)
{
    unsigned long long bandwidth = 0;
    int timeout_ms;

    memset(jc, 0, sizeof(*jc));
    if (arg_wait(waitobj, &timeout_ms) < 0 ||
        (bwobj && arg_uint(bwobj, "bandwidth", ULLONG_MAX, &bandwidth) < 0))
        return -1;
    if (progressobj && progressobj != Py_None) {
        if (!PyCallable_Check(progressobj)) {
            PyErr_Format(PyExc_TypeError, "progress must be callable or None, not %.80s",
                         Py_TYPE(progressobj)->tp_name);
            return -1;
        }
        Py_INCREF(progressobj);
        jc->progress = progressobj;
    }
    if (!(jc->opts = vdisk_job_opts_new())) {
        PyErr_NoMemory();
        return -1;
    }
    vdisk_job_opts_set_timeout(jc->opts, timeout_ms);
    vdisk_job_opts_set_bandwidth(jc->opts, bandwidth);
    vdisk_job_opts_set_progress(jc->opts, job_progress, jc);
    return 0;
}

/* Releases @jc for a call that did not run (the exception is raised). */
static PyObject *
job_call_clear(JobCall *jc)
{
    if (!PyErr_Occurred())
        PyErr_NoMemory();
    vdisk_job_opts_free(jc->opts);
    jc->opts = NULL;
    Py_CLEAR(jc->progress);
    return NULL;
}

/* Finishes a job call that returned @rc with @err: the exception of the
 * progress callback or of a signal wins (the library has undone the job;
 * an error other than the cancel is kept as its __context__), then @err.
 * Returns the JobStatus the call left (None when it started no job), or
 * NULL (raised). */
static PyObject *
job_call_end(JobCall *jc, int rc, vdisk_error *err)
{
    PyObject *ret = NULL;

    if (rc == 0 && !jc->exc_type) {
        const vdisk_job_status *last = vdisk_job_opts_get_status(jc->opts);

        if (last) {
            ret = job_status_value(last);
        } else {
            ret = Py_None;
            Py_INCREF(ret);
        }
    }
    vdisk_job_opts_free(jc->opts);
    jc->opts = NULL;
    Py_CLEAR(jc->progress);
    if (jc->exc_type) {
        if (rc < 0 && err && vdisk_error_get_code(err) != VDISK_ERR_CANCELLED) {
            PyObject *type, *value, *tb;

            raise_error(err);
            err = NULL;
            PyErr_Fetch(&type, &value, &tb);
            PyErr_NormalizeException(&type, &value, &tb);
            PyErr_NormalizeException(&jc->exc_type, &jc->exc_value, &jc->exc_tb);
            if (value && jc->exc_value && PyExceptionInstance_Check(jc->exc_value))
                PyException_SetContext(jc->exc_value, value); /* steals value */
            else
                Py_XDECREF(value);
            Py_XDECREF(type);
            Py_XDECREF(tb);
        }
        vdisk_error_free(err);
        PyErr_Restore(jc->exc_type, jc->exc_value, jc->exc_tb);
        return NULL;
    }
    if (rc < 0)
        return raise_error(err);
    return ret;
}

static PyObject *
py_resize(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dom", "target", "size", "shrink", NULL};
    PyObject *domobj, *sizeobj;
    const char *target;
    virDomainPtr dom;
    vdisk_error *err = NULL;
    unsigned long long bytes, new_size = 0;
    int shrink = 0, sign, rc;
    char *t, *s = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OsO|$p:resize", kwlist, &domobj, &target,
                                     &sizeobj, &shrink) ||
        !(dom = arg_virdomain(domobj)))
        return NULL;
    if (PyLong_Check(sizeobj) && !PyBool_Check(sizeobj)) {
        /* an int is a size in bytes */
        if (arg_uint(sizeobj, "size", ULLONG_MAX, &bytes) < 0)
            return NULL;
        if (!(s = malloc(32)))
            return PyErr_NoMemory();
        snprintf(s, 32, "%llu", bytes);
    } else if (PyUnicode_Check(sizeobj)) {
        if (arg_strdup(sizeobj, "size", 0, &s) < 0)
            return NULL;
        /* refused before the domain is asked anything */
        if (vdisk_size_parse(s, &bytes, &sign, &err) < 0) {
            free(s);
            return raise_error(err);
        }
    } else {
        PyErr_Format(PyExc_TypeError, "size must be a str or an int, not %.80s",
                     Py_TYPE(sizeobj)->tp_name);
        return NULL;
    }
    if (!(t = strdup(target))) {
        free(s);
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS;
    rc = vdisk_block_resize(dom, t, s, shrink ? VDISK_RESIZE_SHRINK : 0, &new_size, &err);
    Py_END_ALLOW_THREADS;
    free(t);
    free(s);
    if (rc < 0)
        return raise_error(err);
    return PyLong_FromUnsignedLongLong(new_size);
}

/* The snapshot's report, "TARGET PATH" lines, as {target: path}. */
static PyObject *
snapshot_overlays(const char *report)
{
    PyObject *ret = PyDict_New();
    const char *line = report;

    while (ret && line && *line) {
        const char *end = strchr(line, '\n');
        const char *sp;
        size_t len = end ? (size_t)(end - line) : strlen(line);
        PyObject *key, *value;

        sp = memchr(line, ' ', len);
        if (sp) {
            key = PyUnicode_DecodeUTF8(line, sp - line, "surrogateescape");
            value = PyUnicode_DecodeFSDefaultAndSize(sp + 1, (Py_ssize_t)(len - (sp + 1 - line)));
            if (!key || !value || PyDict_SetItem(ret, key, value) < 0)
                Py_CLEAR(ret);
            Py_XDECREF(key);
            Py_XDECREF(value);
        }
        line = end ? end + 1 : NULL;
    }
    return ret;
}

/* A NULL-terminated array of copies of the str items of sequence @obj. */
static char **
arg_str_list(PyObject *obj, const char *what, size_t *n_out)
{
    PyObject *seq;
    Py_ssize_t n, i;
    char **list;

    *n_out = 0;
    if (PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be a sequence of str, not a str", what);
        return NULL;
    }
    if (!(seq = PySequence_Fast(obj, "targets must be a sequence of str")))
        return NULL;
    n = PySequence_Fast_GET_SIZE(seq);
    if (!(list = calloc((size_t)n + 1, sizeof(*list)))) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return NULL;
    }
    for (i = 0; i < n; i++) {
        if (arg_strdup(PySequence_Fast_GET_ITEM(seq, i), "targets item", 0, &list[i]) < 0) {
            for (Py_ssize_t j = 0; j < i; j++)
                free(list[j]);
            free(list);
            Py_DECREF(seq);
            return NULL;
        }
    }
    Py_DECREF(seq);
    *n_out = (size_t)n;
    return list;
}

static void
str_list_free(char **list)
{
    if (!list)
        return;
    for (size_t i = 0; list[i]; i++)
        free(list[i]);
    free(list);
}

/* overlays= {target: path} as "TARGET=PATH" strings. */
static char **
arg_overlays(PyObject *obj, size_t *n_out)
{
    PyObject *items;
    Py_ssize_t n, i;
    char **list;

    *n_out = 0;
    if (!PyMapping_Check(obj) || PySequence_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "overlays must be a mapping of target to path, not %.80s",
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    if (!(items = PyMapping_Items(obj)))
        return NULL;
    n = PyList_GET_SIZE(items);
    if (!(list = calloc((size_t)n + 1, sizeof(*list)))) {
        Py_DECREF(items);
        PyErr_NoMemory();
        return NULL;
    }
    for (i = 0; i < n; i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        PyObject *keep = NULL;
        const char *target, *path;
        size_t len;

        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
            PyErr_SetString(PyExc_TypeError, "overlays must be a mapping of target to path");
            goto fail;
        }
        if (arg_str(PyTuple_GET_ITEM(item, 0), "overlays key", 0, &target, NULL) < 0)
            goto fail;
        if (!*target || strchr(target, '=')) {
            raise_invalid("overlays key '%s' is not a disk target", target);
            goto fail;
        }
        if (arg_str(PyTuple_GET_ITEM(item, 1), "overlays value", 0, &path, &keep) < 0)
            goto fail;
        len = strlen(target) + 1 + strlen(path) + 1;
        if ((list[i] = malloc(len)))
            snprintf(list[i], len, "%s=%s", target, path);
        Py_XDECREF(keep);
        if (!list[i]) {
            PyErr_NoMemory();
            goto fail;
        }
    }
    Py_DECREF(items);
    *n_out = (size_t)n;
    return list;

fail:
    str_list_free(list);
    Py_DECREF(items);
    return NULL;
}

static PyObject *
py_snapshot(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dom", "targets", "name", "overlays", "metadata", "reuse", NULL};
    PyObject *domobj, *targetsobj = Py_None, *nameobj = Py_None, *ovobj = Py_None;
    PyObject *cls, *overlays = NULL, *ret = NULL;
    virDomainPtr dom;
    vdisk_error *err = NULL;
    unsigned int flags = 0;
    int metadata = 1, reuse = 0, rc;
    char **targets = NULL, **ovl = NULL, *name = NULL, *name_out = NULL, *report = NULL;
    size_t n_targets = 0, n_ovl = 0;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O$OOpp:snapshot", kwlist, &domobj, &targetsobj,
                                     &nameobj, &ovobj, &metadata, &reuse) ||
        !(dom = arg_virdomain(domobj)))
        return NULL;
    if ((targetsobj != Py_None && !(targets = arg_str_list(targetsobj, "targets", &n_targets))) ||
        (ovobj != Py_None && !(ovl = arg_overlays(ovobj, &n_ovl))) ||
        arg_strdup(nameobj, "name", 1, &name) < 0)
        goto out;
    if (!metadata)
        flags |= VDISK_SNAPSHOT_CREATE_NO_METADATA;
    if (reuse)
        flags |= VDISK_SNAPSHOT_CREATE_REUSE;
    Py_BEGIN_ALLOW_THREADS;
    rc = vdisk_snapshot_create(dom, (const char *const *)targets, n_targets, name,
                               (const char *const *)ovl, n_ovl, flags, &name_out, &report, &err);
    Py_END_ALLOW_THREADS;
    if (rc < 0) {
        raise_error(err);
        goto out;
    }
    if ((overlays = snapshot_overlays(report)) && (cls = named_type("SnapshotResult")))
        ret = PyObject_CallFunction(cls, "sO", name_out ? name_out : "", overlays);

out:
    Py_XDECREF(overlays);
    str_list_free(targets);
    str_list_free(ovl);
    free(name);
    vdisk_free(name_out);
    vdisk_free(report);
    return ret;
}

static PyObject *
py_commit(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dom",  "target",    "top",      "base", "pivot",
                             "wait", "bandwidth", "progress", NULL};
    PyObject *domobj, *topobj = Py_None, *baseobj = Py_None, *waitobj = Py_None;
    PyObject *bwobj = Py_None, *progressobj = Py_None;
    const char *target;
    virDomainPtr dom;
    vdisk_error *err = NULL;
    JobCall jc;
    int pivot = 1, rc;
    char *t = NULL, *top = NULL, *base = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "Os|OO$pOOO:commit", kwlist, &domobj, &target,
                                     &topobj, &baseobj, &pivot, &waitobj, &bwobj, &progressobj) ||
        !(dom = arg_virdomain(domobj)))
        return NULL;
    if (job_call_init(&jc, waitobj, bwobj, progressobj) < 0 ||
        arg_strdup(topobj, "top", 1, &top) < 0 || arg_strdup(baseobj, "base", 1, &base) < 0 ||
        !(t = strdup(target))) {
        free(top);
        free(base);
        return job_call_clear(&jc);
    }
    Py_BEGIN_ALLOW_THREADS;
    rc = vdisk_block_commit(dom, t, top, base, pivot ? 0 : VDISK_JOB_NO_PIVOT, jc.opts, &err);
    Py_END_ALLOW_THREADS;
    free(t);
    free(top);
    free(base);
    return job_call_end(&jc, rc, err);
}

static PyObject *
py_pull(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dom", "target", "base", "wait", "bandwidth", "progress", NULL};
    PyObject *domobj, *baseobj = Py_None, *waitobj = Py_None, *bwobj = Py_None;
    PyObject *progressobj = Py_None;
    const char *target;
    virDomainPtr dom;
    vdisk_error *err = NULL;
    JobCall jc;
    int rc;
    char *t = NULL, *base = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "Os|O$OOO:pull", kwlist, &domobj, &target,
                                     &baseobj, &waitobj, &bwobj, &progressobj) ||
        !(dom = arg_virdomain(domobj)))
        return NULL;
    if (job_call_init(&jc, waitobj, bwobj, progressobj) < 0 ||
        arg_strdup(baseobj, "base", 1, &base) < 0 || !(t = strdup(target))) {
        free(base);
        return job_call_clear(&jc);
    }
    Py_BEGIN_ALLOW_THREADS;
    rc = vdisk_block_pull(dom, t, base, 0, jc.opts, &err);
    Py_END_ALLOW_THREADS;
    free(t);
    free(base);
    return job_call_end(&jc, rc, err);
}

static PyObject *
py_copy(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dom",   "target", "dest",      "format",   "shallow", "reuse",
                             "pivot", "wait",   "bandwidth", "progress", NULL};
    PyObject *domobj, *destobj, *fmtobj = Py_None, *waitobj = Py_None, *bwobj = Py_None;
    PyObject *progressobj = Py_None;
    const char *target;
    virDomainPtr dom;
    vdisk_error *err = NULL;
    JobCall jc;
    unsigned int flags = 0;
    int format, shallow = 0, reuse = 0, pivot = 1, rc;
    char *t = NULL, *dest = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OsO|O$pppOOO:copy", kwlist, &domobj, &target,
                                     &destobj, &fmtobj, &shallow, &reuse, &pivot, &waitobj, &bwobj,
                                     &progressobj) ||
        !(dom = arg_virdomain(domobj)) ||
        arg_enum(fmtobj, VDISK_ENUM_FORMAT, "format", 1, &format) < 0)
        return NULL;
    if (job_call_init(&jc, waitobj, bwobj, progressobj) < 0 ||
        arg_strdup(destobj, "dest", 0, &dest) < 0 || !(t = strdup(target))) {
        free(dest);
        return job_call_clear(&jc);
    }
    flags = (shallow ? VDISK_JOB_SHALLOW : 0) | (reuse ? VDISK_JOB_REUSE : 0) |
            (pivot ? 0 : VDISK_JOB_NO_PIVOT);
    Py_BEGIN_ALLOW_THREADS;
    rc = vdisk_block_copy(dom, t, dest, (vdisk_format)format, flags, jc.opts, &err);
    Py_END_ALLOW_THREADS;
    free(t);
    free(dest);
    return job_call_end(&jc, rc, err);
}

static PyObject *
py_job(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dom", "target", NULL};
    PyObject *domobj, *ret;
    const char *target;
    virDomainPtr dom;
    vdisk_job_status *status = NULL;
    vdisk_error *err = NULL;
    int rc;
    char *t;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "Os:job", kwlist, &domobj, &target) ||
        !(dom = arg_virdomain(domobj)))
        return NULL;
    if (!(t = strdup(target)))
        return PyErr_NoMemory();
    Py_BEGIN_ALLOW_THREADS;
    rc = vdisk_job_get(&status, dom, t, &err);
    Py_END_ALLOW_THREADS;
    free(t);
    if (rc < 0)
        return raise_error(err);
    if (!status)
        Py_RETURN_NONE;
    ret = job_status_value(status);
    vdisk_job_status_free(status);
    return ret;
}

static PyObject *
py_job_abort(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dom", "target", "pivot", "wait", "progress", NULL};
    PyObject *domobj, *waitobj = Py_None, *progressobj = Py_None;
    const char *target;
    virDomainPtr dom;
    vdisk_error *err = NULL;
    JobCall jc;
    int pivot = 0, rc;
    char *t = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "Os|$pOO:job_abort", kwlist, &domobj, &target,
                                     &pivot, &waitobj, &progressobj) ||
        !(dom = arg_virdomain(domobj)))
        return NULL;
    if (job_call_init(&jc, waitobj, NULL, progressobj) < 0 || !(t = strdup(target))) {
        return job_call_clear(&jc);
    }
    Py_BEGIN_ALLOW_THREADS;
    rc = vdisk_job_abort(dom, t, pivot ? VDISK_JOB_PIVOT : 0, jc.opts, &err);
    Py_END_ALLOW_THREADS;
    free(t);
    return job_call_end(&jc, rc, err);
}

static PyObject *
py_job_kinds(PyObject *mod, PyObject *unused)
{
    PyObject *list = PyList_New(0);

    if (!list)
        return NULL;
    for (int k = VDISK_JOB_NONE; k < VDISK_JOB_LAST; k++) {
        PyObject *s = PyUnicode_FromString(vdisk_job_kind_name((vdisk_job_kind)k));

        if (!s || PyList_Append(list, s) < 0) {
            Py_XDECREF(s);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(s);
    }
    return list;
}

#endif /* VDISK_PY_HOTPLUG */

/* ---- module functions ------------------------------------------------------------- */

static PyObject *
py_setup(PyObject *mod, PyObject *args)
{
    PyObject *enums, *ctrl, *factory, *types;
    int i;

    if (!PyArg_ParseTuple(args, "O!OOO!:_setup", &PyDict_Type, &enums, &ctrl, &factory,
                          &PyDict_Type, &types))
        return NULL;
    for (i = 0; i < VDISK_ENUM_LAST; i++) {
        PyObject *cls = PyDict_GetItemString(enums, enum_names[i]);

        Py_XINCREF(cls);
        Py_XSETREF(py_enums[i], cls);
    }
    Py_INCREF(ctrl);
    Py_XSETREF(py_controller_type_enum, ctrl);
    Py_INCREF(factory);
    Py_XSETREF(py_error_factory, factory);
    Py_INCREF(types);
    Py_XSETREF(py_types, types);
    Py_RETURN_NONE;
}

static PyObject *
py_enum_tables(PyObject *mod, PyObject *unused)
{
    PyObject *ret = PyDict_New();
    int i, v;

    if (!ret)
        return NULL;
    for (i = 0; i < VDISK_ENUM_LAST; i++) {
        PyObject *list = PyList_New(0);

        if (!list || PyDict_SetItemString(ret, enum_names[i], list) < 0) {
            Py_XDECREF(list);
            Py_DECREF(ret);
            return NULL;
        }
        Py_DECREF(list);
        for (v = 0; v < enum_sizes[i]; v++) {
            const char *s = vdisk_enum_to_string((vdisk_enum)i, v);
            PyObject *item;

            if (!s)
                continue;
            if (!(item = Py_BuildValue("(is)", v, s)) || PyList_Append(list, item) < 0) {
                Py_XDECREF(item);
                Py_DECREF(ret);
                return NULL;
            }
            Py_DECREF(item);
        }
    }
    return ret;
}

static PyObject *
py_controller_types(PyObject *mod, PyObject *unused)
{
    PyObject *list = PyList_New(VDISK_CONTROLLER_LAST);
    int i;

    if (!list)
        return NULL;
    for (i = 0; i < VDISK_CONTROLLER_LAST; i++)
        PyList_SET_ITEM(list, i, PyUnicode_FromString(controller_type_names[i]));
    return list;
}

static PyObject *
py_error_codes(PyObject *mod, PyObject *unused)
{
    PyObject *list = PyList_New(0);
    int i;

    if (!list)
        return NULL;
    for (i = 0; i < VDISK_ERR_LAST; i++) {
        PyObject *item = Py_BuildValue("(is)", i, vdisk_error_code_name((vdisk_error_code)i));

        if (!item || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(item);
    }
    return list;
}

static PyObject *
py_enum_to_string(PyObject *mod, PyObject *args)
{
    int which, value;

    if (!PyArg_ParseTuple(args, "ii:enum_to_string", &which, &value))
        return NULL;
    if (which < 0 || which >= VDISK_ENUM_LAST) {
        PyErr_SetString(PyExc_ValueError, "no such enum");
        return NULL;
    }
    return str_or_none(vdisk_enum_to_string((vdisk_enum)which, value));
}

static PyObject *
py_enum_from_string(PyObject *mod, PyObject *args)
{
    int which;
    const char *s;

    if (!PyArg_ParseTuple(args, "is:enum_from_string", &which, &s))
        return NULL;
    if (which < 0 || which >= VDISK_ENUM_LAST) {
        PyErr_SetString(PyExc_ValueError, "no such enum");
        return NULL;
    }
    return PyLong_FromLong(vdisk_enum_from_string((vdisk_enum)which, s));
}

static PyObject *
py_target_to_index(PyObject *mod, PyObject *arg)
{
    const char *name;

    if (arg_str(arg, "name", 0, &name, NULL) < 0)
        return NULL;
    return PyLong_FromLong(vdisk_target_to_index(name));
}

static PyObject *
py_target_from_index(PyObject *mod, PyObject *args)
{
    const char *prefix;
    int index;
    char *s;
    PyObject *ret;

    if (!PyArg_ParseTuple(args, "si:target_from_index", &prefix, &index))
        return NULL;
    if (index < 0) {
        PyErr_SetString(PyExc_ValueError, "index must not be negative");
        return NULL;
    }
    if (!(s = vdisk_target_from_index(prefix, index)))
        return PyErr_NoMemory();
    ret = PyUnicode_FromString(s);
    vdisk_free(s);
    return ret;
}

static PyObject *
py_bus_from_target(PyObject *mod, PyObject *arg)
{
    const char *name;

    if (arg_str(arg, "name", 0, &name, NULL) < 0)
        return NULL;
    return enum_value(VDISK_ENUM_BUS, (int)vdisk_bus_from_target(name));
}

static PyMethodDef module_methods[] = {
    {"_setup", py_setup, METH_VARARGS, "Registers the Python-level types."},
    {"_enum_tables", py_enum_tables, METH_NOARGS,
     "{enum name: [(C value, libvirt string), ...]} from libvdisk's tables."},
    {"_controller_types", py_controller_types, METH_NOARGS, "controller@type strings."},
    {"_error_codes", py_error_codes, METH_NOARGS, "[(code, name), ...]"},
    {"_enum_to_string", py_enum_to_string, METH_VARARGS,
     "vdisk_enum_to_string(which, value): the libvirt string or None."},
    {"_enum_from_string", py_enum_from_string, METH_VARARGS,
     "vdisk_enum_from_string(which, string): the C value or -1."},
    {"target_to_index", py_target_to_index, METH_O,
     "target_to_index(name) -> int\n\nlibvirt's index of a target name: 'vda' -> 0, "
     "'sdaa' -> 26;\n-1 when the name is no disk name."},
    {"target_from_index", py_target_from_index, METH_VARARGS,
     "target_from_index(prefix, index) -> str\n\nThe target name: ('vd', 27) -> 'vdab'."},
    {"bus_from_target", py_bus_from_target, METH_O,
     "bus_from_target(name) -> Bus | None\n\nThe bus libvirt infers from a target name."},
#ifdef VDISK_PY_HOTPLUG
    {"next_target", (PyCFunction)(void (*)(void))py_next_target, METH_VARARGS | METH_KEYWORDS,
     "next_target(dom, bus) -> str\n\n"
     "The first target name free on `bus` (a vdisk.Bus or its string) in the live\n"
     "state and the configuration of `dom`, a libvirt.virDomain."},
    {"attach", (PyCFunction)(void (*)(void))py_attach, METH_VARARGS | METH_KEYWORDS,
     "attach(dom, disk, *, live=False, config=False, persistent=False, probe_format=False)\n"
     "    -> AttachResult\n\n"
     "Make sure `disk` (a vdisk.Disk with a bus; its target may be None) is attached to\n"
     "`dom`, a libvirt.virDomain: to the running domain (live) and/or its persistent\n"
     "configuration (config); neither (the default, as in C and vdisk) means libvirt's\n"
     "'current': the running domain if it runs, else its configuration; persistent=True means\n"
     "live plus the persistent definition when there is one. With no target the first\n"
     "free one is taken (another when a concurrent caller gets it first), and a source\n"
     "the domain already has is not attached again: the result names its target and\n"
     "says changed=False. A target taken by another source, or another target than the\n"
     "one the source has, raises vdisk.ExistsError. With no format the image's header\n"
     "is read: raw is taken (format_guessed=True), any other format raises\n"
     "vdisk.InvalidArgumentError unless probe_format=True. config=True on a transient\n"
     "domain raises vdisk.TransientError."},
    {"recover", (PyCFunction)(void (*)(void))py_recover, METH_VARARGS | METH_KEYWORDS,
     "recover(dom) -> str | None\n\n"
     "Finish or undo the attaches, detaches and media changes of `dom` that were\n"
     "interrupted, so that its live definition, its persistent one and QEMU agree.\n"
     "Returns what was done, one line per change, or None when nothing was pending."},
    {"detach", (PyCFunction)(void (*)(void))py_detach, METH_VARARGS | METH_KEYWORDS,
     "detach(dom, target, wait=10, *, live=False, config=False, persistent=False) -> None\n\n"
     "Detach the disk `target` and wait up to `wait` seconds until QEMU has released\n"
     "it. vdisk.PendingError when the guest has not let go in time (the removal may\n"
     "still complete), vdisk.NotFoundError when there is no such disk. Neither live nor\n"
     "config (the default, as in C and vdisk): the running domain if it runs, else its\n"
     "configuration."},
    {"change_media", (PyCFunction)(void (*)(void))py_change_media, METH_VARARGS | METH_KEYWORDS,
     "change_media(dom, target, source=None, *, force=False, live=False, config=False,\n"
     "             persistent=False)\n\n"
     "Insert the medium at path `source` into cdrom/floppy `target`, or eject with\n"
     "source=None. force=True opens a locked tray. Neither live nor config (the default,\n"
     "as in C and vdisk): the running domain if it runs, else its configuration."},
    {"set_iotune", (PyCFunction)(void (*)(void))py_set_iotune, METH_VARARGS | METH_KEYWORDS,
     "set_iotune(dom, target, iotune_from, *, live=False, config=False) -> None\n\n"
     "Apply the <iotune> limits (all fields; unset ones are unlimited) and group\n"
     "name of the vdisk.Disk `iotune_from` to disk `target`."},
    {"list_disks", (PyCFunction)(void (*)(void))py_list_disks, METH_VARARGS | METH_KEYWORDS,
     "list_disks(dom, *, inactive=False) -> Domain\n\n"
     "The disks of `dom` (a libvirt.virDomain) as a vdisk.Domain: its live state, or\n"
     "with inactive=True its persistent configuration (vdisk.TransientError for a\n"
     "transient domain, which has none)."},
    {"hotplug_commands", (PyCFunction)(void (*)(void))py_hotplug_commands,
     METH_VARARGS | METH_KEYWORDS,
     "hotplug_commands(dom, disk) -> list[dict]\n\n"
     "The QMP commands libvirt 9.0 would send QEMU to hot-plug the vdisk.Disk\n"
     "`disk` into the running `dom` (a libvirt.virDomain) now: node names after\n"
     "the domain's, its alias and address, the live controllers' models, the\n"
     "backing chain read from the images (vdisk_hotplug_attach_commands()).\n"
     "Nothing is changed; what is not modelled raises vdisk.UnsupportedError."},
    {"unplug_commands", (PyCFunction)(void (*)(void))py_unplug_commands,
     METH_VARARGS | METH_KEYWORDS,
     "unplug_commands(dom, target) -> list[dict]\n\n"
     "The QMP commands libvirt 9.0 sends QEMU to unplug disk `target` of the\n"
     "running `dom`: device_del, then blockdev-del of its nodes from the top\n"
     "of its chain down (vdisk_hotplug_detach_commands())."},
    {"connect_open", (PyCFunction)(void (*)(void))py_connect_open, METH_VARARGS | METH_KEYWORDS,
     "connect_open(uri=None, *, readonly=False, no_event_loop=False) -> libvirt.virConnect\n\n"
     "Open a connection to a QEMU driver URI (qemu:///system, qemu+ssh://HOST/system,\n"
     "...; None: libvirt's default) without ever prompting for a password. Unless\n"
     "no_event_loop=True, the first call starts libvirt's default event loop in a\n"
     "background thread (device-removed events for detach(), keepalives); a program\n"
     "running its own libvirt event loop registers it first and passes\n"
     "no_event_loop=True. The connection is an ordinary libvirt.virConnect: close()\n"
     "it when done."},
    {"connect_open_first", (PyCFunction)(void (*)(void))py_connect_open_first,
     METH_VARARGS | METH_KEYWORDS,
     "connect_open_first(uris, *, readonly=False, no_event_loop=False)\n"
     "    -> (libvirt.virConnect, int)\n\n"
     "Open the first host of `uris` that answers, as connect_open() does; returns\n"
     "the connection and the index of its URI. When none answers, the error lists\n"
     "every URI with libvirt's reason."},
    {"volume_create", (PyCFunction)(void (*)(void))py_volume_create, METH_VARARGS | METH_KEYWORDS,
     "volume_create(conn, pool, name, capacity, format=None, backing=None, *,\n"
     "              as_volume=False) -> Disk\n\n"
     "Create the sparse volume `name` of `capacity` bytes in the active storage pool\n"
     "`pool` through `conn`, a libvirt.virConnect. format: a vdisk.Format or its\n"
     "string (None: the pool's default); backing: the path of a backing image. Returns\n"
     "a vdisk.Disk (no target yet) using the volume: type file/block with its path,\n"
     "or with as_volume=True type volume (<source pool=... volume=...>)."},
    {"volume_resolve", (PyCFunction)(void (*)(void))py_volume_resolve,
     METH_VARARGS | METH_KEYWORDS,
     "volume_resolve(disk, conn) -> None\n\n"
     "Replace, in place, every type='volume' source in the chain of `disk` with the\n"
     "path libvirt uses when the domain starts (type file, block or dir by the\n"
     "volume's type). Pools that resolve to network sources raise\n"
     "vdisk.UnsupportedError; on failure the disk is unchanged."},
    {"volume_delete", (PyCFunction)(void (*)(void))py_volume_delete, METH_VARARGS | METH_KEYWORDS,
     "volume_delete(conn, pool, name, dom=None) -> None\n\n"
     "Delete the volume `name` of `pool`. With `dom` (a libvirt.virDomain), refuse\n"
     "with vdisk.ExistsError while any disk of the domain, live or in its persistent\n"
     "configuration, still uses the volume (by path anywhere in its backing chain, or\n"
     "as type='volume'). Delete only after detach() has returned."},
    {"probe_format", py_probe_format, METH_O,
     "probe_format(path) -> ProbedFormat\n\n"
     "Read the header of the local image or block device `path`: ProbedFormat(format,\n"
     "name, guessed). Anything unrecognised is raw with guessed=True. Formats libvirt's\n"
     "QEMU driver has no name for (vhdx, luks) raise vdisk.UnsupportedError; a\n"
     "truncated header vdisk.InvalidError; a missing file vdisk.NotFoundError.\n"
     "Never trust the result for images a guest could have written."},
    {"probe_format_name", py_probe_format_name, METH_O,
     "probe_format_name(path) -> ProbedFormat\n\n"
     "probe_format() for every format it recognises, including those libvirt's QEMU\n"
     "driver refuses: for them .format is None and .name is qemu-img's ('vhdx')."},
    {"resize", (PyCFunction)(void (*)(void))py_resize, METH_VARARGS | METH_KEYWORDS,
     "resize(dom, target, size, *, shrink=False) -> int\n\n"
     "Resize disk `target` of `dom` (a libvirt.virDomain) and return the size it has\n"
     "afterwards, in bytes. `size` is an int of bytes or a str: \"10G\", \"512M\", or a\n"
     "change, \"+512M\", \"-1G\" (binary units K, M, G, T, P, optionally with \"iB\" or\n"
     "\"B\"). A running domain's QEMU and guest see the new size (libvirt rounds a qcow2\n"
     "image's up to 512 bytes); a stopped domain's image is resized itself, through its\n"
     "storage pool or with qemu-img. A str that is no size raises\n"
     "vdisk.InvalidArgumentError (a ValueError) before anything is asked of libvirt, as\n"
     "do a size below the current one without shrink=True (data past it is lost) and\n"
     "an unchanged size. vdisk.InvalidError for a read-only disk or a cdrom,\n"
     "vdisk.ExistsError when another running domain uses the image,\n"
     "vdisk.UnsupportedError for a network disk of a stopped domain,\n"
     "vdisk.NotFoundError when there is no such disk."},
    {"snapshot", (PyCFunction)(void (*)(void))py_snapshot, METH_VARARGS | METH_KEYWORDS,
     "snapshot(dom, targets=None, *, name=None, overlays=None, metadata=True,\n"
     "         reuse=False) -> SnapshotResult\n\n"
     "An external, disk-only snapshot of `dom`: each disk of `targets` (a sequence of\n"
     "target names; None: every writable disk with an image, not read-only, not a\n"
     "cdrom or floppy, not shareable, not a lun, not snapshot='no') gets a new qcow2\n"
     "overlay the guest writes on into, all disks or none. `name`: the snapshot's\n"
     "(None: libvirt's, the time in seconds). `overlays`: {target: path} of the\n"
     "overlays to make; a disk not named gets libvirt's path, its image's with the\n"
     "part after the last '.' replaced by the name. metadata=False keeps no libvirt\n"
     "snapshot metadata, only the overlays; reuse=True uses overlays that exist as\n"
     "they are. Returns SnapshotResult(name, overlays={target: path}). Refused, the\n"
     "domain untouched: vdisk.NotFoundError for a target the domain lacks,\n"
     "vdisk.ExistsError for an overlay that exists (without reuse) or a disk a job\n"
     "runs on, vdisk.InvalidError for a disk that cannot have an overlay."},
    {"commit", (PyCFunction)(void (*)(void))py_commit, METH_VARARGS | METH_KEYWORDS,
     "commit(dom, target, top=None, base=None, *, pivot=True, wait=None, bandwidth=None,\n"
     "       progress=None) -> JobStatus\n\n"
     "Merge image `top` of the chain of disk `target` of the running `dom`, and every\n"
     "image between it and `base`, into `base`. top and base are paths of the chain or\n"
     "libvirt's \"vda[N]\"; top=None is the active image, base=None the image right\n"
     "below top. Committing the active image mirrors the guest's writes until the job\n"
     "is ready, then pivots the disk onto `base`; pivot=False returns with the ready\n"
     "job still running (job_abort() ends it). The merged images stay on disk, no\n"
     "longer used. Returns once the live definition shows the shorter chain.\n"
     "Refused, the disk untouched: vdisk.InvalidError when the disk has no backing\n"
     "image, vdisk.NotFoundError for an image not in the chain (or a base not below\n"
     "top) or no such disk, vdisk.ExistsError while a job runs on the disk,\n"
     "vdisk.InvalidArgumentError when the domain does not run.\n"
     "wait, bandwidth and progress as for copy()."},
    {"pull", (PyCFunction)(void (*)(void))py_pull, METH_VARARGS | METH_KEYWORDS,
     "pull(dom, target, base=None, *, wait=None, bandwidth=None, progress=None) -> JobStatus\n\n"
     "Copy the data of the images above `base` (a path of the chain or \"vda[N]\") into\n"
     "the top image of disk `target` of the running `dom`, and drop them from its\n"
     "chain; base=None pulls everything, the top image then has no backing.\n"
     "vdisk.InvalidError when the disk has no backing image, vdisk.NotFoundError for an\n"
     "image not in its chain, vdisk.ExistsError while a job runs on the disk.\n"
     "wait, bandwidth and progress as for copy()."},
    {"copy", (PyCFunction)(void (*)(void))py_copy, METH_VARARGS | METH_KEYWORDS,
     "copy(dom, target, dest, format=None, *, shallow=False, reuse=False, pivot=True,\n"
     "     wait=None, bandwidth=None, progress=None) -> JobStatus\n\n"
     "Copy disk `target` of the running `dom` to `dest` (a file or block device path)\n"
     "while the guest runs and, once the mirror is ready, pivot the disk onto it\n"
     "(libvirt rewrites the persistent definition too). format: a vdisk.Format or its\n"
     "string (None: the source's). shallow=True copies the top image only, `dest`\n"
     "keeping the source's backing; reuse=True uses an existing `dest` as it is;\n"
     "pivot=False returns with the ready mirror still running (job() shows it,\n"
     "job_abort() pivots or abandons it). A domain saved or migrated during the copy\n"
     "loses the job. vdisk.ExistsError when `dest` exists (without reuse) or a job\n"
     "runs on the disk; vdisk.NotFoundError when there is no such disk. A copy that\n"
     "fails leaves the disk on its source, and a `dest` libvirt made is removed.\n\n"
     "Returns the job's last vdisk.JobStatus: phase \"done\" (a copy or an active\n"
     "commit pivoted), or \"ready\" for a mirror kept with pivot=False.\n"
     "wait: seconds to wait for the job (None: until it is over; 0: start it and\n"
     "return); when it still runs then, vdisk.PendingError is raised and the job goes\n"
     "on. bandwidth: bytes per second (None or 0: unlimited). progress: a callable\n"
     "taking a vdisk.JobStatus, called on every change and at least every 250 ms while\n"
     "the call waits. If it raises, or on Ctrl-C (KeyboardInterrupt), the job is\n"
     "aborted without a pivot and the exception propagates once the job is gone: the\n"
     "disk keeps the chain it had. wait < 0 raises ValueError."},
    {"job", (PyCFunction)(void (*)(void))py_job, METH_VARARGS | METH_KEYWORDS,
     "job(dom, target) -> JobStatus | None\n\n"
     "The block job running on disk `target` of `dom`: JobStatus(target, kind, phase,\n"
     "cur, end, ready) with kind a vdisk.JobKind and phase \"running\" or \"ready\"; None\n"
     "when no job runs. vdisk.NotFoundError when there is no such disk,\n"
     "vdisk.InvalidArgumentError when the domain does not run."},
    {"job_abort", (PyCFunction)(void (*)(void))py_job_abort, METH_VARARGS | METH_KEYWORDS,
     "job_abort(dom, target, *, pivot=False, wait=None, progress=None) -> JobStatus | None\n\n"
     "End the block job on disk `target` and wait until it is gone and the live\n"
     "definition shows the chain it left. pivot=True pivots a copy or an active commit\n"
     "onto its mirror (waiting for it to be ready, within `wait`) instead of\n"
     "abandoning it. vdisk.NotFoundError when no job runs on the disk. wait and\n"
     "progress as for copy()."},
    {"_job_kinds", py_job_kinds, METH_NOARGS, "vdisk_job_kind_name() of each vdisk_job_kind."},
#endif
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef vdisk_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "vdisk._vdisk",
    .m_doc = "libvdisk's C API (use the vdisk package).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC
PyInit__vdisk(void)
{
    PyObject *m;

    if (PyType_Ready(&DiskType) < 0 || PyType_Ready(&SourceType) < 0 ||
        PyType_Ready(&DomainType) < 0)
        return NULL;
    if (!(m = PyModule_Create(&vdisk_module)))
        return NULL;
    Py_INCREF(&DiskType);
    Py_INCREF(&SourceType);
    Py_INCREF(&DomainType);
    if (PyModule_AddObject(m, "Disk", (PyObject *)&DiskType) < 0 ||
        PyModule_AddObject(m, "Source", (PyObject *)&SourceType) < 0 ||
        PyModule_AddObject(m, "Domain", (PyObject *)&DomainType) < 0 ||
        PyModule_AddStringConstant(m, "LIBRARY_VERSION", vdisk_version()) < 0 ||
#ifdef VDISK_PY_HOTPLUG
        PyModule_AddIntConstant(m, "HAVE_HOTPLUG", 1) < 0
#else
        PyModule_AddIntConstant(m, "HAVE_HOTPLUG", 0) < 0
#endif
    ) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
