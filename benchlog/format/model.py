"""The loaded results, as the analysis and the site see them: machines, runs and roofs, each with its document
(already migrated, checked and filled with defaults) and its path."""

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Machine:
    id: str
    doc: dict
    path: Path
    display: str = None  # the label, or "label · id" where two machines share a label (set by load_results)

    @property
    def label(self):
        return self.doc["label"]

    @property
    def cpu(self):
        return self.doc["cpu"]

    @property
    def transcribed(self):
        return self.doc.get("source", {}).get("kind") == "transcribed"


@dataclass
class Run:
    id: str
    doc: dict
    path: Path

    @property
    def machine_id(self):
        return self.doc["machine_id"]

    @property
    def variants(self):
        return self.doc["variants"]

    @property
    def transcribed(self):
        return self.doc["source"]["kind"] == "transcribed"


@dataclass
class Results:
    machines: dict = field(default_factory=dict)
    runs: list = field(default_factory=list)
    roofs: list = field(default_factory=list)  # Run objects of kind "roof" (benchlog roof), oldest first
    problems: list = field(default_factory=list)
    files: int = 0  # result files read (valid or not)

    def runs_of(self, machine_id):
        return [r for r in self.runs if r.machine_id == machine_id]

    def roofs_of(self, machine_id):
        return [r.doc for r in self.roofs if r.machine_id == machine_id]

    def run(self, machine_id, run_id):
        for r in self.runs_of(machine_id):
            if r.id == run_id:
                return r
        return None
