"""What makes two machine files the same machine: vendor, model string, core counts and the ISA flags the
CPU-feature table uses. Shared by the bench (placing a run) and the report (collecting other machines' results).
"""

from benchlog.format.isa import ISA_FLAGS


def fingerprint(machine):
    """What makes two machine.json files the same machine: vendor, model string, core counts and ISA flags.
    Cloud VMs mask the model ("AMD EPYC"), so the flags are what tell an AVX-512 host from an AVX2 one."""
    cpu = machine.get("cpu") or {}
    flags = cpu.get("flags") or {}
    return {"vendor": cpu.get("vendor"), "model": cpu.get("model"), "physical_cores": cpu.get("physical_cores"),
            "logical_cores": cpu.get("logical_cores"), "flags": {f: flags.get(f) for f in ISA_FLAGS}}


def fingerprint_difference(existing, current):
    """'flags avx512f: no here, yes there; ...' for two fingerprints, or '' when they are the same machine."""
    a, b = fingerprint(existing), fingerprint(current)
    parts = [f"{k} {b[k]!r} here, {a[k]!r} there" for k in ("vendor", "model", "physical_cores", "logical_cores")
             if a[k] != b[k]]
    flags = [f for f in ISA_FLAGS if a["flags"][f] != b["flags"][f]]
    if flags:
        parts.append(f"ISA flags {', '.join(flags)} differ")
    return "; ".join(parts)
