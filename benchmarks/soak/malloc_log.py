#!/usr/bin/env python3
"""Summarises a MINNOW_MALLOC_LOG file (see Sources/MinnowCore/Support/FreedMemory.swift).

  MINNOW_MALLOC_LOG=/tmp/malloc.log benchmarks/soak/run --minutes 10
  benchmarks/soak/malloc_log.py /tmp/malloc.log

Per process (pid) and label ("server": every 30 s, "job": after each worker job), about 40 rows
of: arenas, RSS before -> after malloc_trim(0), and glibc's heap (MiB): in use (system minus
free, plus mmapped chunks), free but kept in the arenas, and taken from the system. Live growth
shows in "in-use"; freed-but-kept memory in "free in arenas".
"""
import re, sys
text = open(sys.argv[1]).read()
rows = []
for m in re.finditer(r'<sample pid="(\d+)" label="(\w+)" moment="(\w+)" time="([\d.]+)" rss="(\d+)"/>\n(<malloc.*?</malloc>)', text, re.S):
    pid, label, moment, t, rss, xml = m.groups()
    tail = xml.rsplit('</heap>', 1)[-1]
    get = lambda pat: int(re.search(pat, tail).group(1))
    fast = get(r'<total type="fast" count="\d+" size="(\d+)"')
    rest = get(r'<total type="rest" count="\d+" size="(\d+)"')
    mmap = get(r'<total type="mmap" count="\d+" size="(\d+)"')
    current = get(r'<system type="current" size="(\d+)"')
    heaps = xml.count('<heap nr=')
    rows.append(dict(pid=pid, label=label, moment=moment, t=float(t), rss=int(rss), inuse=current - fast - rest + mmap,
                     free=fast + rest, system=current, mmap=mmap, heaps=heaps))
M = 1 / 1048576
for key in sorted({(r['pid'], r['label']) for r in rows}):
    sel = [r for r in rows if (r['pid'], r['label']) == key]
    print(f"pid {key[0]} {key[1]}: {len(sel)//2} trims")
    step = max(1, len(sel) // 40)
    for i in range(0, len(sel) - 1, 2 * step):
        b, a = sel[i], sel[i + 1]
        print(f"  t={b['t']-sel[0]['t']:6.0f}s heaps {b['heaps']:2d} rss {b['rss']*M:6.1f} -> {a['rss']*M:6.1f}  in-use {b['inuse']*M:6.1f} (mmap {b['mmap']*M:5.1f})  free in arenas {b['free']*M:6.1f}  system {b['system']*M:6.1f}")
    b, a = sel[-2], sel[-1]
    print(f"  last    heaps {b['heaps']:2d} rss {b['rss']*M:6.1f} -> {a['rss']*M:6.1f}  in-use {b['inuse']*M:6.1f} (mmap {b['mmap']*M:5.1f})  free in arenas {b['free']*M:6.1f}  system {b['system']*M:6.1f}")
