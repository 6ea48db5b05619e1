"""Service-task handlers (one function per BPMN operator) and notification delivery."""
from processes.operators import ServiceRegistry

from . import case_handlers, policy_handlers, training_handlers


def build_registry() -> ServiceRegistry:
    """Every operator the diagrams may name, registered under its function name."""
    registry = ServiceRegistry()
    for handler in [*case_handlers.HANDLERS, *policy_handlers.HANDLERS, *training_handlers.HANDLERS]:
        registry.register(handler)
    return registry
