"""ascflow.stages.refuse: a target naming a model the config does not hold."""

from __future__ import annotations

import pytest
from ascflow.errors import AscflowError
from ascflow.stages.refuse import NoFiles, Refusal, RefuseUnknownModel, refuse_unknown_model


def test_the_refusal_is_the_plans_sentence():
    job = RefuseUnknownModel(NoFiles(), NoFiles(), Refusal("rf_20 is not a model of this config."))
    with pytest.raises(AscflowError, match=r"^rf_20 is not a model of this config\.$"):
        refuse_unknown_model(job)
