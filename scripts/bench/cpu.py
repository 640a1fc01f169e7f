#!/usr/bin/env python3
"""CPU time of the machine and of each part of the stack, to price a request in CPU microseconds.

    cpu.py snapshot                      prints a snapshot (one JSON line) of CPU ticks so far
    cpu.py per-request BEFORE AFTER N    prints "RESULT machine_us=... sale_api_us=... ..." for N requests

The machine figure is every busy tick of /proc/stat (user, nice, system, irq, softirq): all processes
and the kernel's network work together. The parts are summed over the processes alive at both
snapshots (/proc/PID/stat utime + stime); `rest` is the machine's figure less the parts: the load
generator (wrk exits before the second snapshot), the kernel's interrupt work and everything else.
Context switches per request: the machine's (/proc/stat ctxt) and sale-api's (all its threads).
"""
import json
import os
import sys

TICKS = os.sysconf("SC_CLK_TCK")
PARTS = ("sale_api", "redis", "postgres", "kafka", "operator", "control_plane")


def part_of(comm, cmdline):
    if comm == "redis-server":
        return "redis"
    if comm == "postgres":
        return "postgres"
    if comm in ("etcd", "kube-apiserver"):
        return "control_plane"
    if "sale-api-" in cmdline and ".jar" in cmdline:
        return "sale_api"
    if "flashsale-operator.jar" in cmdline:
        return "operator"
    if "kafka.Kafka" in cmdline:
        return "kafka"
    return None


def context_switches(pid):
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                # voluntary_ctxt_switches and nonvoluntary_ctxt_switches
                total += sum(int(line.split()[1]) for line in f if "ctxt_switches:" in line)
        except OSError:
            continue  # a thread that ended meanwhile
    return total


def snapshot():
    with open("/proc/stat") as f:
        stat = f.read().splitlines()
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in stat[0].split()[1:8])
    ctxt = next(int(line.split()[1]) for line in stat if line.startswith("ctxt "))
    processes, sale_api_cs = {}, 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        part = part_of(comm, cmdline)
        if part:
            fields = stat[stat.rindex(")") + 2:].split()
            # utime and stime are fields 14 and 15 of proc(5); the slice starts at field 3
            processes[pid] = [part, int(fields[11]) + int(fields[12])]
            if part == "sale_api":
                sale_api_cs += context_switches(pid)
    return {"machine": user + nice + system + irq + softirq, "processes": processes, "ctxt": ctxt, "sale_api_cs": sale_api_cs}


def per_request(before, after, requests):
    us = 1e6 / TICKS / max(requests, 1)
    parts = dict.fromkeys(PARTS, 0)
    for pid, (part, ticks) in after["processes"].items():
        if pid in before["processes"]:
            parts[part] += ticks - before["processes"][pid][1]
    machine = after["machine"] - before["machine"]
    fields = [f"machine_us={machine * us:.0f}"] + [f"{p}_us={parts[p] * us:.0f}" for p in PARTS]
    fields.append(f"rest_us={(machine - sum(parts.values())) * us:.0f}")
    n = max(requests, 1)
    fields.append(f"machine_cs={(after['ctxt'] - before['ctxt']) / n:.1f}")
    fields.append(f"sale_api_cs={(after['sale_api_cs'] - before['sale_api_cs']) / n:.1f}")
    return "RESULT " + " ".join(fields)


def main():
    if sys.argv[1:2] == ["snapshot"]:
        print(json.dumps(snapshot()))
    elif sys.argv[1:2] == ["per-request"] and len(sys.argv) == 5:
        with open(sys.argv[2]) as b, open(sys.argv[3]) as a:
            print(per_request(json.load(b), json.load(a), int(sys.argv[4])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
