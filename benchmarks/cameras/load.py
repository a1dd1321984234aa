"""The simulated cameras of the cameras benchmark (benchmark-only; asyncio + aiohttp).

`run(targets, pool, seconds, ...)`: one coroutine per camera on one event loop, each with its
own URL and key, posting JPEG frames back to back (the next as soon as the last is answered:
a closed loop, so the rate is what the server sustains) over one shared connection pool
(a keep-alive connection per camera). Every frame is a distinct file (`frames.unique`), the
camera's clock goes in `capturedAt`. Or, with `interval`, at a fixed rate per camera. The first `warmup` seconds are sent and counted as sent
but left out of the rate and the latencies. Meanwhile the RSS and CPU time of the processes
in `watch` are sampled once a second from /proc, and this process's own CPU time is measured
(the load generator shares the machine with the server).
"""
import asyncio
import os
import time

import aiohttp

import frames


def _proc(pid):
    """(RSS in MiB, CPU seconds) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return rss, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, StopIteration):
        return None


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def _run(targets, pool, seconds, warmup, watch, interval):
    counter = iter(range(1 << 62))
    sent = 0
    statuses = {}
    latencies = []
    samples = []                                   # (seconds since the measured start, {pid: rss})
    start = time.monotonic()
    measured_from, stop_at = start + warmup, start + warmup + seconds
    connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=None, force_close=False)
    timeout = aiohttp.ClientTimeout(total=60)

    async def camera(index, url, key):
        nonlocal sent
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "image/jpeg"}
        n = index * 7919
        due = start + (index / len(targets)) * interval   # fixed rate: cameras spread over the interval
        while True:
            if interval:
                await asyncio.sleep(max(0, due - time.monotonic()))
                due += interval
            now = time.monotonic()
            if now >= stop_at:
                return
            body = frames.unique(pool[n % len(pool)], next(counter))
            n += 1
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            sent_at, began = time.monotonic(), time.perf_counter()
            try:
                async with session.post(f"{url}?capturedAt={stamp}", data=body, headers=headers) as response:
                    await response.read()
                    status = response.status
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                status = type(error).__name__
            elapsed = time.perf_counter() - began
            sent += 1
            statuses[status] = statuses.get(status, 0) + 1
            if sent_at >= measured_from and time.monotonic() <= stop_at:
                latencies.append(elapsed)

    async def sampler():
        while time.monotonic() < stop_at:
            now = time.monotonic()
            if now >= measured_from:
                samples.append((now - measured_from, {pid: _proc(pid) for pid in watch}))
            await asyncio.sleep(1)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        sample_task = asyncio.create_task(sampler())
        cpu_before, wall_before = None, None

        async def mark():
            nonlocal cpu_before, wall_before
            await asyncio.sleep(max(0, measured_from - time.monotonic()))
            cpu_before, wall_before = time.process_time(), time.monotonic()
            return {pid: _proc(pid) for pid in watch}
        mark_task = asyncio.create_task(mark())
        await asyncio.gather(*(camera(i, url, key) for i, (url, key) in enumerate(targets)))
        cpu_after, wall_after = time.process_time(), time.monotonic()
        procs_before = await mark_task
        procs_after = {pid: _proc(pid) for pid in watch}
        await sample_task
    wall = wall_after - wall_before
    cpu = {pid: (procs_after[pid][1] - procs_before[pid][1]) / wall
           for pid in watch if procs_before.get(pid) and procs_after.get(pid)}
    return {
        "sent": sent, "statuses": {str(k): v for k, v in statuses.items()}, "measured": len(latencies),
        "seconds": wall, "framesPerSecond": len(latencies) / wall,
        "p50ms": percentile(latencies, 50) * 1000, "p99ms": percentile(latencies, 99) * 1000,
        "maxms": max(latencies) * 1000 if latencies else float("nan"),
        "clientCpu": (cpu_after - cpu_before) / wall, "serverCpu": cpu,
        "rss": samples,
    }


def run(targets, pool, seconds, warmup=3.0, watch=(), interval=0.0):
    """targets: [(frames URL, key)] one per camera; interval: 0 to post back to back, else
    seconds between one camera's frames (a fixed rate; a late answer delays the next frame).
    Returns the figures (see `_run`)."""
    return asyncio.run(_run(targets, pool, seconds, warmup, list(watch), interval))
