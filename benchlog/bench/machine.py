"""The machine fingerprint written to results/<machine-id>/machine.json: CPU, ISA flags, memory, OS, hypervisor.

Parsers are pure functions over /proc/cpuinfo text and py-cpuinfo dicts so they can be tested on canned outputs
of other machines (a Colab Xeon, the TIL's i5-8265U, an AMD Zen 4).
"""

import json
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

from benchlog.format.isa import ISA_FLAGS
from benchlog.format.schema import FORMAT_VERSION, SLUG_PATTERN

VENDORS = {"GenuineIntel": "intel", "AuthenticAMD": "amd", "Apple": "apple", "ARM": "arm"}


def parse_proc_cpuinfo(text):
    """CPU facts from Linux's /proc/cpuinfo text (x86 layout)."""
    blocks = [b for b in text.strip().split("\n\n") if b.strip()]
    procs = [dict(_kv(line) for line in block.splitlines() if ":" in line) for block in blocks]
    first = procs[0] if procs else {}
    flags = set(first.get("flags", "").split())
    cores = {(p.get("physical id", "0"), p.get("core id", str(i))) for i, p in enumerate(procs)}
    has_topology = all("core id" in p for p in procs)
    freq = first.get("cpu MHz")
    return {
        "model": first.get("model name", "").strip() or None,
        "vendor": first.get("vendor_id"),
        "logical_cores": len(procs) or None,
        "physical_cores": len(cores) if has_topology and procs else None,
        "freq_mhz": round(float(freq), 1) if freq else None,
        "flags": _isa(flags),
        "hypervisor_flag": "hypervisor" in flags,
        "hybrid": "hybrid_cpu" in flags,
    }


def _kv(line):
    key, _, value = line.partition(":")
    return key.strip(), value.strip()


def _isa(flags):
    """Our ISA flags, true/false, from any spelling (Linux: avx512_vnni; py-cpuinfo elsewhere: avx512vnni)."""
    folded = {f.replace("_", "").lower() for f in flags}
    return {name: name.replace("_", "") in folded for name in ISA_FLAGS}


def parse_py_cpuinfo(info):
    """CPU facts from py-cpuinfo's get_cpu_info() dict (macOS, Windows, or as a fallback)."""
    hz = info.get("hz_advertised") or info.get("hz_actual")
    flags = info.get("flags") or []
    return {
        "model": info.get("brand_raw") or None,
        "vendor": info.get("vendor_id_raw") or None,
        "logical_cores": info.get("count"),
        "physical_cores": None,
        "freq_mhz": round(hz[0] / 1e6, 1) if hz and hz[0] else None,
        "flags": _isa(flags) if flags else {},
        "hypervisor_flag": "hypervisor" in flags,
        "hybrid": ("hybrid" in flags or "hybrid_cpu" in flags) if flags else None,
    }


def machine_slug(vendor, model, physical, logical, virtual, colab=False):
    """A readable id that is safe as a folder name whatever the CPU string holds, e.g. intel-core-i5-8265u-4c8t."""
    name = (model or "unknown cpu").lower()
    name = re.sub(r"\((r|tm|c)\)|®|™", " ", name)
    name = re.sub(r"\b(cpu|processor|with radeon graphics|\d+-core)\b", " ", name)
    words = name.replace("@", " ").split()
    if any(re.search(r"\d", w) for w in words if not w.endswith("ghz")):
        words = [w for w in words if not w.endswith("ghz")]  # a model number says more than the clock
    short_vendor = VENDORS.get(vendor or "", "")
    if short_vendor and (not words or words[0] != short_vendor):
        words.insert(0, short_vendor)
    if virtual:
        words.append(f"{logical}vcpu" if logical else "vm")
    else:
        words.append(f"{physical}c{logical}t" if physical and logical else f"{logical or 0}t")
    if colab:
        words.insert(0, "colab")
    slug = re.sub(r"[^a-z0-9.]+", "-", "-".join(words))
    slug = re.sub(r"(?<![0-9])\.|\.(?![0-9])", "-", slug)  # a dot only inside a number, as in 2.20ghz
    slug = re.sub(r"-{2,}", "-", slug).strip("-.")
    return (slug or "machine")[:64].rstrip("-.")


def detect_colab(environ):
    return any(k in environ for k in ("COLAB_RELEASE_TAG", "COLAB_GPU", "COLAB_BACKEND_VERSION"))


HYPERVISOR_FILES = ("/sys/hypervisor/type", "/sys/class/dmi/id/sys_vendor")


# What a virtual machine's firmware calls the computer (Win32_ComputerSystem Manufacturer and Model).
VIRTUAL_SYSTEMS = ("virtual machine", "vmware", "virtualbox", "innotek", "qemu", "kvm", "xen", "parallels",
                   "bochs", "google compute engine", "amazon ec2", "openstack", "hvm domu")
WINDOWS_SYSTEM = ["powershell", "-NoProfile", "-NonInteractive", "-Command",
                  "Get-CimInstance Win32_ComputerSystem | Select-Object Manufacturer, Model | ConvertTo-Json"]


def windows_hypervisor(hypervisor_flag, run=subprocess.run):
    """On Windows the CPU's hypervisor flag is also set on a physical PC whose own Hyper-V runs it: virtualization-
    based security (VBS, on by default on Windows 11), WSL 2, Docker Desktop. The computer's manufacturer and
    model tell a virtual machine ("Microsoft Corporation", "Virtual Machine"; "VMware, Inc.") from that PC
    ("LENOVO", "20N2CTO1WW"): the virtual platform's name for a VM, None for a physical PC, 'unknown' when Windows
    does not say."""
    if not hypervisor_flag:
        return None
    try:
        done = run(WINDOWS_SYSTEM, capture_output=True, text=True, timeout=30)
        system = json.loads(done.stdout) if done.returncode == 0 else None
    except (OSError, subprocess.SubprocessError, ValueError):
        system = None
    if not isinstance(system, dict):
        return "unknown"
    maker, model = str(system.get("Manufacturer") or "").strip(), str(system.get("Model") or "").strip()
    text = f"{maker} {model}".lower()
    if any(marker in text for marker in VIRTUAL_SYSTEMS):
        return f"{maker} {model}".strip()
    return None


def detect_hypervisor(hypervisor_flag, run=subprocess.run, files=HYPERVISOR_FILES, os_name=None):
    """The hypervisor's name where the OS tells (/sys/hypervisor, DMI, systemd-detect-virt --vm; on Windows the
    computer's model, see windows_hypervisor); 'unknown' when only the CPU's hypervisor flag says there is one;
    None on bare metal."""
    if (os_name or sys.platform) == "win32":
        return windows_hypervisor(hypervisor_flag, run)
    for path in files:
        try:
            value = Path(path).read_text().strip()
        except OSError:
            continue
        if path.endswith("type") or value.lower() in {"qemu", "kvm", "xen", "microsoft corporation",
                                                      "amazon ec2", "google", "vmware, inc.", "innotek gmbh"}:
            return value
    if shutil.which("systemd-detect-virt"):
        try:
            done = run(["systemd-detect-virt", "--vm"], capture_output=True, text=True, timeout=5)
            name = done.stdout.strip()
            if done.returncode == 0 and name and name != "none":
                return name
        except (OSError, subprocess.SubprocessError):
            pass
    return "unknown" if hypervisor_flag else None


def isa_tag(flags):
    """The highest ISA level present, to name a machine apart from one with the same model string."""
    for tag, flag in (("amx", "amx_tile"), ("avx512", "avx512f"), ("avx2", "avx2")):
        if (flags or {}).get(flag):
            return tag
    return "base"


ISA_NAMES = {"amx": "AMX", "avx512": "AVX-512", "avx2": "AVX2", "base": None}
SLUG = re.compile(SLUG_PATTERN)  # the schema's, so a name the writer accepts is one the reader accepts


def check_machine_id(value):
    """A --machine-id names a folder and a page: a slug, never a path."""
    if not SLUG.fullmatch(value or "") or ".." in value:  # match() would let a trailing newline through
        raise ValueError(f"must be a slug of lower-case letters, digits, '.', '_' and '-' (at most 100, starting "
                         f"with a letter or digit, no '..'), such as 'my-laptop-avx2'; got {value!r}")
    return value


def collect_cpu():
    """This CPU's facts: /proc/cpuinfo on Linux, py-cpuinfo elsewhere or where /proc says little."""
    cpu = None
    if sys.platform.startswith("linux") and Path("/proc/cpuinfo").exists():
        cpu = parse_proc_cpuinfo(Path("/proc/cpuinfo").read_text(errors="replace"))
    if not cpu or not cpu["model"] or not cpu["flags"]:
        try:
            import cpuinfo

            fallback = parse_py_cpuinfo(cpuinfo.get_cpu_info())
            cpu = {k: (cpu or {}).get(k) or v for k, v in fallback.items()}
        except Exception:  # py-cpuinfo is optional; whatever /proc said stands
            cpu = cpu or parse_py_cpuinfo({"brand_raw": platform.processor(), "count": os.cpu_count()})
    try:
        import psutil

        cpu["physical_cores"] = cpu["physical_cores"] or psutil.cpu_count(logical=False)
        freq = psutil.cpu_freq()
        if freq and freq.max:
            cpu["max_freq_mhz"] = round(freq.max, 1)
    except Exception:
        pass
    return cpu


def collect_machine_info(machine_id=None, environ=os.environ, run=subprocess.run):
    """The machine.json document for this machine."""
    cpu = collect_cpu()
    colab = detect_colab(environ)
    hypervisor = detect_hypervisor(cpu.pop("hypervisor_flag"), run=run)
    machine_id = machine_id or machine_slug(cpu["vendor"], cpu["model"], cpu["physical_cores"],
                                            cpu["logical_cores"], bool(hypervisor), colab)
    isa = ISA_NAMES[isa_tag(cpu["flags"])]
    label = f"{'Colab · ' if colab else ''}{cpu['model'] or 'unknown CPU'} " \
            f"({cpu['logical_cores']} {'vCPU' if hypervisor else 'threads'}{', ' + isa if isa else ''})"
    return {
        "format_version": FORMAT_VERSION, "kind": "machine", "machine_id": machine_id, "label": label,
        "cpu": {"model": cpu["model"] or "unknown", "vendor": cpu["vendor"],
                "physical_cores": cpu["physical_cores"], "logical_cores": cpu["logical_cores"],
                "freq_mhz": cpu["freq_mhz"], "max_freq_mhz": cpu.get("max_freq_mhz"), "hybrid": cpu["hybrid"],
                "flags": cpu["flags"], "flags_source": "read off this machine by benchlog"},
        "memory_bytes": _memory_bytes(), "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(), "hypervisor": hypervisor, "colab": colab,
        "source": {"kind": "measured"}, "notes": [],
    }


def _memory_bytes():
    try:
        import psutil

        return psutil.virtual_memory().total
    except Exception:
        try:
            return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            return None
