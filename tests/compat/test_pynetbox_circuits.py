"""Real pynetbox against a live Wirebook's circuits: the flow a provisioning script runs (provider ->
circuit type -> circuit -> its two terminations -> the circuit read back with both ends)."""

import pynetbox
import pytest


@pytest.fixture
def nb(compat):
    return pynetbox.api(compat.url, token=compat.token)


def test_a_circuit_is_built_and_read_back_with_both_ends(nb):
    # given
    site = nb.dcim.sites.create(name="Circuit AMS", slug="circuit-ams")
    provider = nb.circuits.providers.create(name="Zayo", slug="zayo")
    kind = nb.circuits.circuit_types.create(name="Transit", slug="transit")
    network = nb.circuits.provider_networks.create(provider=provider.id, name="Zayo MPLS")
    circuit = nb.circuits.circuits.create(cid="ZY-1001", provider=provider.id, type=kind.id, commit_rate=10000)

    # when
    a_end = nb.circuits.circuit_terminations.create(
        circuit=circuit.id, term_side="A", termination_type="dcim.site", termination_id=site.id, port_speed=1000000
    )
    nb.circuits.circuit_terminations.create(
        circuit=circuit.id, term_side="Z", termination_type="circuits.providernetwork", termination_id=network.id
    )
    circuit = nb.circuits.circuits.get(cid="ZY-1001")

    # then
    assert (circuit.provider.name, circuit.type.slug, circuit.status.value) == ("Zayo", "transit", "active")
    assert circuit.termination_a.id == a_end.id
    assert (circuit.termination_a.termination_type, circuit.termination_a.termination.name) == (
        "dcim.site",
        "Circuit AMS",
    )
    assert circuit.termination_a.port_speed == 1000000
    assert circuit.termination_z.termination_type == "circuits.providernetwork"
    assert circuit.termination_z.termination.name == "Zayo MPLS"
    assert nb.circuits.circuits.count(site_id=site.id) == 1
    assert nb.circuits.providers.get(provider.id).circuit_count == 1
    assert nb.circuits.circuit_terminations.get(a_end.id).display == "ZY-1001: Termination A"
    with pytest.raises(pynetbox.RequestError) as refused:
        nb.circuits.circuit_terminations.create(
            circuit=circuit.id, term_side="A", termination_type="dcim.site", termination_id=site.id
        )
    assert refused.value.req.status_code == 400
