"""Turning process specs and instance state into JSON and back.

SpiffWorkflow's serializer writes the whole process spec next to each instance's
state; for the appeal flow the spec is more than half of it. Bangban stores the spec
once with the deployed version and serializes only what belongs to the instance:
its task tree, data and events. Restoring an instance takes the spec objects from
the version (cached per process) instead of rebuilding them.
"""

from __future__ import annotations

import copy
import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import MultiInstanceTaskConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.specs.defaults import (
    ParallelMultiInstanceTask,
    SequentialMultiInstanceTask,
)
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

STATE_VERSION = "bangban-1"


class _StateConverter(BpmnWorkflowConverter):
    """Converts a workflow without its specs; restores it onto given specs."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(
        self,
        dct: dict[str, Any],
        spec: Any = None,
        subprocess_specs: dict[str, Any] | None = None,
    ) -> BpmnWorkflow:
        if spec is None:
            return super().from_dict(dct)

        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(CAMUNDA_CONFIG)
    config[BpmnWorkflow] = _StateConverter
    # Standard BPMN multi-instance data (loopDataInputRef) is read besides
    # Camunda's, see engine.parsing; the Camunda config alone drops its classes.
    config[ParallelMultiInstanceTask] = MultiInstanceTaskConverter
    config[SequentialMultiInstanceTask] = MultiInstanceTaskConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_SERIALIZER = _make_serializer()


def specs_to_dict(spec: Any, subprocess_specs: dict[str, Any]) -> dict[str, Any]:
    """The JSON-ready form of a process spec and the subprocess specs it calls."""
    return {
        "spec": _SERIALIZER.to_dict(spec),
        "subprocess_specs": {
            name: _SERIALIZER.to_dict(sub) for name, sub in subprocess_specs.items()
        },
    }


def specs_from_dict(data: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Rebuild the spec objects stored by ``specs_to_dict``."""
    # SpiffWorkflow's converters write into the dictionaries they read.
    data = copy.deepcopy(data)
    spec = _SERIALIZER.from_dict(data["spec"])
    subprocess_specs = {
        name: _SERIALIZER.from_dict(sub)
        for name, sub in data["subprocess_specs"].items()
    }
    return spec, subprocess_specs


def dump_state(workflow: BpmnWorkflow) -> str:
    """The instance's own state as JSON text, without any spec."""
    registry = _SERIALIZER.registry
    registry._encoder_mode = True
    try:
        dct = _SERIALIZER.to_dict(workflow)
        dct["state_version"] = STATE_VERSION
        return json.dumps(dct, cls=_SERIALIZER._encoder_cls, separators=(",", ":"))
    finally:
        registry._encoder_mode = False


def load_state(text: str, spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    """Restore an instance from ``dump_state`` output onto its version's specs."""
    dct = json.loads(text)
    dct.pop("state_version", None)
    dct["typename"] = "BpmnWorkflow"
    return _SERIALIZER.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs)


def spec_registry() -> Any:
    """The converter registry that turns specs into dictionaries (for diffs)."""
    return _SERIALIZER.registry
