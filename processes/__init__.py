"""The complaints domain: case rules, lifecycle use cases and the BPMN engine adapter."""
