"""NetBox's `ipam.models`, as the API facade of wirebook.orm."""

from wirebook.orm import model

VRF = model("ipam", "vrfs", "VRF")
RIR = model("ipam", "rirs", "RIR")
Aggregate = model("ipam", "aggregates", "Aggregate")
Prefix = model("ipam", "prefixes", "Prefix")
IPAddress = model("ipam", "ip-addresses", "IPAddress")
VLAN = model("ipam", "vlans", "VLAN")
VLANGroup = model("ipam", "vlan-groups", "VLANGroup")
