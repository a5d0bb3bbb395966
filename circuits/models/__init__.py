from circuits.models.circuits import Circuit, CircuitGroup, CircuitGroupAssignment, CircuitTermination, CircuitType
from circuits.models.providers import Provider, ProviderAccount, ProviderNetwork
from circuits.models.virtual import VirtualCircuit, VirtualCircuitTermination, VirtualCircuitType

__all__ = [
    "Circuit",
    "CircuitGroup",
    "CircuitGroupAssignment",
    "CircuitTermination",
    "CircuitType",
    "Provider",
    "ProviderAccount",
    "ProviderNetwork",
    "VirtualCircuit",
    "VirtualCircuitTermination",
    "VirtualCircuitType",
]
