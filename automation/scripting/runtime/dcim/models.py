"""NetBox's `dcim.models`, as the API facade of wirebook.orm."""

from wirebook.orm import model

Region = model("dcim", "regions", "Region")
SiteGroup = model("dcim", "site-groups", "SiteGroup")
Site = model("dcim", "sites", "Site")
Location = model("dcim", "locations", "Location")
Rack = model("dcim", "racks", "Rack")
Manufacturer = model("dcim", "manufacturers", "Manufacturer")
DeviceType = model("dcim", "device-types", "DeviceType")
DeviceRole = model("dcim", "device-roles", "DeviceRole")
Platform = model("dcim", "platforms", "Platform")
Device = model("dcim", "devices", "Device")
Interface = model("dcim", "interfaces", "Interface")
Cable = model("dcim", "cables", "Cable")
