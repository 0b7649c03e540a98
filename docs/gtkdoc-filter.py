#!/usr/bin/env python3
"""Doxygen INPUT_FILTER for libvdisk's public headers.

The headers document the API in gtk-doc's style:

    /**
     * vdisk_disk_from_xml:
     * @out: (out): the new disk, the caller's
     * @xml: a NUL-terminated <disk> element
     *
     * Parses @xml ... Returns 0, or -1 with @err set.
     */

and enum members with trailing plain comments (VDISK_ERR_XML, /* ... */).
Doxygen reads "@out" as an unknown command and "<disk>" as an unknown HTML
tag, and does not attach plain comments to members.  This filter rewrites
each header, line for line (so Doxygen's line numbers stay right), into
what Doxygen understands: \\param[out] out ..., \\p xml, \\<disk\\>, /**< ... */.
The headers themselves stay in gtk-doc style.

Usage: gtkdoc-filter.py HEADER  (writes the filtered text to stdout)
"""

import re
import sys

# HTML tags Doxygen knows; any other <tag> in a comment is libvirt XML.
HTML_TAGS = {
    "a", "b", "blockquote", "br", "caption", "center", "code", "dd", "del", "dfn", "div",
    "dl", "dt", "em", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "small", "span",
    "strike", "strong", "sub", "sup", "table", "td", "th", "tr", "tt", "u", "ul", "var",
}

NAME_LINE = re.compile(r"^(\s*\*\s*)[A-Za-z_]\w*:\s*(\([^)]*\)\s*)*$")
ANNOTATION = (r"\((?:out|in|inout|optional|nullable|allow-none|not nullable|"
              r"caller-allocates|callee-allocates|transfer [a-z]+|array[^)]*|"
              r"element-type [^)]*)\)")
PARAM_LINE = re.compile(r"^(\s*\*\s*)@(\w+):\s*((?:%s\s*)*):?\s*(.*)$" % ANNOTATION)
MEMBER_COMMENT = re.compile(
    r"^(\s+[A-Z][A-Z0-9_]*(?:\s*=\s*[^,/]+)?,?\s*)/\*(?![*!])\s*(.*?)\s*\*/\s*$")
XML_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)([^<>]*?)(/?)>")
PARAM_REF = re.compile(r"(?<![\w@\\])@(\w+)")
# element@attribute, the way the headers name an XML attribute.
ATTR_REF = re.compile(r"(?<=\w)@(\w+)")


def escape_tags(text):
    def repl(m):
        if m.group(2).lower() in HTML_TAGS:
            return m.group(0)
        return "\\<" + m.group(1) + m.group(2) + m.group(3) + m.group(4) + "\\>"
    return XML_TAG.sub(repl, text)


def prose(text):
    text = escape_tags(text)
    text = ATTR_REF.sub(lambda m: "\\@" + m.group(1), text)
    text = PARAM_REF.sub(lambda m: "\\p " + m.group(1), text)
    return text.replace("%NULL", "NULL")


def doc_line(line, first, params_open):
    """One line inside a doc comment. Parameter lines are only recognised
    where gtk-doc has them: between the name line and the first blank line
    of a block that opens with a bare /**."""
    if first and NAME_LINE.match(line):
        return NAME_LINE.match(line).group(1).rstrip() + "\n"
    m = PARAM_LINE.match(line) if params_open else None
    if m:
        lead, name, annotations, text = m.groups()
        notes = re.findall(r"\(([^)]*)\)", annotations or "")
        direction = "[out]" if "out" in notes else ("[in,out]" if "inout" in notes else "")
        extra = " ".join("(%s)" % n for n in notes if n not in ("out", "inout"))
        return "%s\\param%s %s %s%s\n" % (lead, direction, name, extra + " " if extra else "",
                                           prose(text))
    line = re.sub(r"^(\s*\*\s*)Returns\b:?\s*", r"\1\\return ", line)
    return prose(line)


def filter_text(lines):
    out = []
    in_doc = first = params_open = False
    for line in lines:
        if not in_doc:
            m = MEMBER_COMMENT.match(line)
            if m:
                out.append("%s/**< %s */\n" % (m.group(1), prose(m.group(2))))
                continue
            start = line.find("/**")
            if start >= 0 and not line.startswith("/***", start):
                end = line.find("*/", start + 3)
                head, body = line[:start + 3], line[start + 3:]
                out.append(head + prose(body))
                if end < 0:
                    in_doc = True
                    first = params_open = not body.strip()
                continue
            out.append(line)
            continue
        closing = "*/" in line
        text = line[:line.index("*/")] if closing else line
        out.append(doc_line(text, first, params_open).rstrip("\n") +
                   (line[line.index("*/"):] if closing else "\n"))
        if text.strip() in ("*", ""):
            if not first:
                params_open = False
        else:
            first = False
        if closing:
            in_doc = False
    return out


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        lines = f.readlines()
    sys.stdout.write("".join(filter_text(lines)))


if __name__ == "__main__":
    main()
