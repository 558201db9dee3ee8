vlan_id = null # ERROR: Required variable not set
