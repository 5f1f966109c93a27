"""Shared plumbing for the project's stateless (not trained) NLU components."""
from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData

from coach_server import action_response_check

# Every Rasa-side component imports this module, so loading the model (`rasa run`, `rasa shell`,
# `rasa test`) installs the faster check of action-server replies. The action server itself
# never imports it: its rule engine (components/rulebook.py) needs spaCy, not Rasa.
action_response_check.install()


class StatelessComponent(GraphComponent):
    """Built from its config alone; leaves training data untouched."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = config

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "StatelessComponent":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
