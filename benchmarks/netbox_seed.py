"""Seed a NetBox 4.7 with the circuits and virtual machines of benchmarks/api.py, so that its circuit and
VM cases compare the same data side by side.

benchmarks/api.py seeds Wirebook's `apibench` organization with 10,000 bench sites, 200 circuits and
1,000 virtual machines (`seed_circuits`, `seed_virtual_machines`). A NetBox seeded with the 10,000
bench sites (the same regions, custom fields and tags) gets the rest from this script, run with that
NetBox's own interpreter inside its installation:

    NETBOX_ROOT=/path/to/netbox /path/to/netbox-venv/bin/python benchmarks/netbox_seed.py

It creates, unless they are there already: provider "Bench Provider" with the network "Bench MPLS",
circuit type "Bench Transit", circuits bench-circuit-0001..0200 (commit rate 10,000 kbps) each with an
A end at one of the first 200 bench sites (port speed 1,000,000 kbps) and a Z end at the provider
network; cluster type "Bench VMware" and cluster "bench-cluster" at the first bench site, with
virtual machines bench-vm-0001..1000 (2 vCPUs, 4,096 MB, 40 GB, active) of two interfaces each (eth0,
eth1). Objects are saved one by one, so NetBox's own model logic (cached termination and scope fields,
search cache) runs as it does for objects made through its API.
"""

import argparse
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netbox.settings")
# This directory's dcim.py and ipam.py would hide NetBox's apps of those names.
sys.path = [entry for entry in sys.path if os.path.abspath(entry or ".") != os.path.dirname(os.path.abspath(__file__))]

CIRCUITS = 200
VIRTUAL_MACHINES = 1000


def seed_circuits(count: int) -> None:
    from dcim.models import Site
    from django.db import transaction

    from circuits.models import Circuit, CircuitTermination, CircuitType, Provider, ProviderNetwork

    with transaction.atomic():
        if Circuit.objects.filter(cid__startswith="bench-circuit-").count() == count:
            return
        Circuit.objects.filter(cid__startswith="bench-circuit-").delete()
        provider, _ = Provider.objects.get_or_create(slug="bench-provider", defaults={"name": "Bench Provider"})
        kind, _ = CircuitType.objects.get_or_create(slug="bench-transit", defaults={"name": "Bench Transit"})
        network, _ = ProviderNetwork.objects.get_or_create(provider=provider, name="Bench MPLS")
        sites = list(Site.objects.filter(slug__startswith="bench-site-").order_by("pk")[:count])
        if len(sites) < count:
            sys.exit(f"{len(sites)} bench sites, {count} needed: seed the bench sites first")
        for number, site in enumerate(sites, start=1):
            circuit = Circuit(cid=f"bench-circuit-{number:04d}", provider=provider, type=kind, commit_rate=10_000)
            circuit.save()
            CircuitTermination(circuit=circuit, term_side="A", termination=site, port_speed=1_000_000).save()
            CircuitTermination(circuit=circuit, term_side="Z", termination=network).save()


def seed_virtual_machines(count: int) -> None:
    from dcim.models import Site
    from django.db import transaction
    from virtualization.models import Cluster, ClusterType, VirtualMachine, VMInterface

    with transaction.atomic():
        if VirtualMachine.objects.filter(name__startswith="bench-vm-").count() == count:
            return
        VirtualMachine.objects.filter(name__startswith="bench-vm-").delete()
        site = Site.objects.filter(slug__startswith="bench-site-").order_by("pk").first()
        if site is None:
            sys.exit("no bench site: seed the bench sites first")
        kind, _ = ClusterType.objects.get_or_create(slug="bench-vmware", defaults={"name": "Bench VMware"})
        cluster, _ = Cluster.objects.get_or_create(name="bench-cluster", defaults={"type": kind, "scope": site})
        for number in range(1, count + 1):
            machine = VirtualMachine(
                name=f"bench-vm-{number:04d}",
                cluster=cluster,
                site=site,
                vcpus=2,
                memory=4096,
                disk=40,
                status="active",
            )
            machine.save()
            for name in ("eth0", "eth1"):
                VMInterface(virtual_machine=machine, name=name).save()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--circuits", type=int, default=CIRCUITS)
    parser.add_argument("--virtual-machines", type=int, default=VIRTUAL_MACHINES)
    arguments = parser.parse_args()
    if "NETBOX_ROOT" not in os.environ:
        parser.error("set NETBOX_ROOT to the NetBox installation (the directory holding netbox/settings.py)")

    import django

    django.setup()
    started = time.perf_counter()
    seed_circuits(arguments.circuits)
    seed_virtual_machines(arguments.virtual_machines)
    print(f"seeded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
