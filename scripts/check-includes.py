#!/usr/bin/python3
"""Check that lib/'s units include each other without a circle.

A unit is a source file and the headers named after it (foo.c, foo.h,
foo_priv.h); unit A depends on unit B when a file of A includes a header of
B. The script prints the dependency graph's circles (strongly connected
components of more than one unit) and exits 1 when there is one.

Usage: scripts/check-includes.py [--graph] [ROOT]
"""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def unit_of(rel):
    """lib/conf/disk_priv.h -> conf/disk; lib/qemu/qemu_priv.h -> qemu/qemu."""
    d, base = os.path.split(rel)
    name = os.path.splitext(base)[0]
    name = re.sub(r"(_priv|-gen)$", "", name)
    return os.path.join(os.path.relpath(d, "lib"), name)


def graph(root):
    lib = os.path.join(root, "lib")
    edges = {}
    for d, _, files in os.walk(lib):
        for f in files:
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(d, f)
            rel = os.path.relpath(path, root)
            src = unit_of(rel)
            edges.setdefault(src, set())
            with open(path, encoding="utf-8") as fh:
                for inc in INCLUDE.findall(fh.read()):
                    target = os.path.join(lib, inc)
                    if not os.path.exists(target):
                        continue  # a public header or a system one
                    dst = unit_of(os.path.relpath(target, root))
                    if dst != src:
                        edges[src].add(dst)
    return edges


def circles(edges):
    """Tarjan's strongly connected components with more than one member."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    root = args[0] if args else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    edges = graph(root)
    if "--graph" in sys.argv:
        for v in sorted(edges):
            print(f"{v} -> {', '.join(sorted(edges[v])) or '-'}")
    found = circles(edges)
    for c in found:
        print("circle: " + " <-> ".join(c))
    if found:
        sys.exit(1)
    print(f"{len(edges)} units, no circle")


if __name__ == "__main__":
    main()
