"""Self-disclosure detectors: the rule detector and the fine-tuned token classifier."""

from reasoners.detector.base import Detector
from reasoners.detector.rules import RuleDetector, RuleDetectorConfig


def register() -> None:
    from reasoners import registry

    registry.detectors.register("rules.v1", lambda **kw: RuleDetector(RuleDetectorConfig(**kw)), aliases=("rules",))
    try:
        from reasoners.detector import token_classifier
    except ModuleNotFoundError:  # the classifier module is optional until trained detectors ship
        return
    token_classifier.register()


__all__ = ["Detector", "RuleDetector", "RuleDetectorConfig", "register"]
