"""The machine fingerprint on canned /proc/cpuinfo and py-cpuinfo outputs of other machines."""

import json

import pytest

from benchlog.bench.machine import collect_machine_info, machine_slug, parse_proc_cpuinfo, parse_py_cpuinfo
from benchlog.format.problems import schema_problems

from conftest import DATA

CPUINFO = DATA / "cpuinfo"


def test_colab_xeon_from_proc_cpuinfo():
    cpu = parse_proc_cpuinfo((CPUINFO / "colab-xeon.txt").read_text())
    assert cpu["model"] == "Intel(R) Xeon(R) CPU @ 2.20GHz"
    assert (cpu["vendor"], cpu["logical_cores"], cpu["physical_cores"]) == ("GenuineIntel", 2, 1)
    assert cpu["freq_mhz"] == 2200.0
    assert cpu["hypervisor_flag"] is True
    assert cpu["flags"]["avx2"] and cpu["flags"]["fma"]
    assert not any(cpu["flags"][f] for f in ("avx512f", "avx512_vnni", "avx512_bf16", "amx_tile"))
    slug = machine_slug(cpu["vendor"], cpu["model"], cpu["physical_cores"], cpu["logical_cores"], True, colab=True)
    assert slug == "colab-intel-xeon-2.20ghz-2vcpu"  # the id the TIL's Colab figures are filed under


def test_laptop_i5_8265u_from_proc_cpuinfo():
    cpu = parse_proc_cpuinfo((CPUINFO / "i5-8265u.txt").read_text())
    assert (cpu["logical_cores"], cpu["physical_cores"], cpu["hypervisor_flag"]) == (8, 4, False)
    assert cpu["flags"]["avx2"] and not cpu["flags"]["avx512f"] and not cpu["flags"]["avx_vnni"]
    slug = machine_slug(cpu["vendor"], cpu["model"], cpu["physical_cores"], cpu["logical_cores"], False)
    assert slug == "intel-core-i5-8265u-4c8t"


def test_zen4_from_py_cpuinfo_normalises_flag_spellings():
    info = json.loads((CPUINFO / "zen4-py-cpuinfo.json").read_text())["info"]
    cpu = parse_py_cpuinfo(info)
    assert cpu["model"] == "AMD Ryzen 9 7950X 16-Core Processor"
    assert cpu["freq_mhz"] == 4501.0
    flags = cpu["flags"]
    assert flags["avx512f"] and flags["avx512_vnni"] and flags["avx512_bf16"]
    assert not flags["amx_tile"] and not flags["avx_vnni"]
    assert machine_slug(cpu["vendor"], cpu["model"], 16, 32, False) == "amd-ryzen-9-7950x-16c32t"


@pytest.mark.parametrize("model", ["<script>alert(1)</script>", "../../etc/passwd", "   ", "Ünïcödé 💥 CPU",
                                   "x" * 300])
def test_slug_is_a_safe_folder_name_whatever_the_cpu_string(model):
    slug = machine_slug("GenuineIntel", model, 2, 4, False)
    assert slug and len(slug) <= 64
    assert all(c.isascii() and (c.isalnum() or c in "-.") for c in slug)
    assert not slug.startswith(".") and "/" not in slug and ".." not in slug


def test_this_machine_fingerprint_is_a_valid_machine_file():
    doc = collect_machine_info(environ={"COLAB_RELEASE_TAG": "release-colab_20251130"})
    assert schema_problems("machine.json", doc, "machine") == []
    assert doc["colab"] is True and doc["machine_id"].startswith("colab-")
    assert set(doc["cpu"]["flags"]) >= {"avx2", "avx512_vnni", "amx_int8"}


def test_hypervisor_from_systemd_detect_virt_when_sys_says_nothing(monkeypatch):
    from types import SimpleNamespace

    from benchlog.bench import machine

    calls = []

    def fake_run(command, **kwargs):
        calls.append(command)
        return SimpleNamespace(returncode=0, stdout="kvm\n")

    monkeypatch.setattr(machine.shutil, "which", lambda name: "/usr/bin/" + name)
    no_sys = ("/nonexistent/hypervisor/type",)
    assert machine.detect_hypervisor(True, run=fake_run, files=no_sys) == "kvm"
    assert calls == [["systemd-detect-virt", "--vm"]]
    bare = lambda command, **kwargs: SimpleNamespace(returncode=1, stdout="none\n")  # noqa: E731
    assert machine.detect_hypervisor(False, run=bare, files=no_sys) is None
    assert machine.detect_hypervisor(True, run=bare, files=no_sys) == "unknown"  # only the cpuinfo flag tells


def test_fingerprint_tells_masked_cpus_apart():
    from benchlog.bench.machine import isa_tag
    from benchlog.format.fingerprint import fingerprint_difference

    def doc(**flags):
        return {"cpu": {"vendor": "AuthenticAMD", "model": "AMD EPYC", "physical_cores": 2, "logical_cores": 2,
                        "flags": {"avx2": True, **flags}}}

    assert fingerprint_difference(doc(), doc()) == ""
    assert fingerprint_difference(doc(), doc(avx512f=True, avx512_vnni=True)) == \
        "ISA flags avx512f, avx512_vnni differ"
    assert (isa_tag({"avx2": True}), isa_tag({"avx512f": True}), isa_tag({"amx_tile": True}), isa_tag({})) == \
        ("avx2", "avx512", "amx", "base")


@pytest.mark.parametrize("value, ok", [("my-laptop", True), ("amd-epyc-2vcpu-avx512", True), ("a.b_c", True),
                                       ("../escaped", False), ("My Box", False), ("", False), ("-x", False),
                                       ("a..b", False), ("x" * 101, False), ("a/b", False)])
def test_machine_ids_are_slugs(value, ok):
    from benchlog.bench.machine import check_machine_id

    if ok:
        assert check_machine_id(value) == value
    else:
        with pytest.raises(ValueError, match="must be a slug"):
            check_machine_id(value)


@pytest.mark.parametrize("system, machine_id, hypervisor", [
    ("laptop", "intel-core-i5-8265u-4c8t", None),  # the TIL's laptop: Hyper-V under VBS is its own, not a VM
    ("hyper_v_guest", "intel-core-i5-8265u-8vcpu", "Microsoft Corporation Virtual Machine"),  # an Azure runner
    (None, "intel-core-i5-8265u-8vcpu", "unknown"),  # Windows did not say: the flag stands
])
def test_a_windows_laptop_with_vbs_is_filed_as_its_physical_cpu(monkeypatch, system, machine_id, hypervisor):
    """On Windows with virtualization-based security (or WSL 2, Docker Desktop) the CPU reports the hypervisor
    flag on a physical PC. The computer's manufacturer and model tell a VM from that PC."""
    import sys
    import types
    from types import SimpleNamespace

    from benchlog.bench import machine

    canned = json.loads((CPUINFO / "i5-8265u-windows-vbs.json").read_text())
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "cpuinfo", types.SimpleNamespace(get_cpu_info=lambda: canned["info"]))
    monkeypatch.setitem(sys.modules, "psutil", types.SimpleNamespace(
        cpu_count=lambda logical=True: 4, cpu_freq=lambda: SimpleNamespace(max=3900.0),
        virtual_memory=lambda: SimpleNamespace(total=8 * 2**30)))
    asked = []

    def fake_run(command, **kwargs):
        asked.append(command)
        if system is None:
            return SimpleNamespace(returncode=1, stdout="")
        return SimpleNamespace(returncode=0, stdout=json.dumps(canned["win32_computersystem"][system]))

    doc = machine.collect_machine_info(environ={}, run=fake_run)
    assert asked == [machine.WINDOWS_SYSTEM]
    assert (doc["machine_id"], doc["hypervisor"]) == (machine_id, hypervisor)
    assert doc["cpu"]["flags"]["avx2"] and not doc["cpu"]["flags"]["avx512f"] and doc["cpu"]["physical_cores"] == 4
    assert ("8 threads" in doc["label"]) == (hypervisor is None)
    assert schema_problems("machine.json", doc, "machine") == []


def test_without_the_hypervisor_flag_windows_is_not_asked():
    from benchlog.bench import machine

    def never(*args, **kwargs):
        raise AssertionError("asked")

    assert machine.detect_hypervisor(False, run=never, os_name="win32") is None
