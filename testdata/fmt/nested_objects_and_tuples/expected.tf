locals {
  sites = {
    ams = {
      location = "westeurope"
      peerings = [
        {
          type    = "AzurePrivatePeering"
          vlan_id = 100
        },
        { type = "MicrosoftPeering", vlan_id = 200 },
      ]
    }
  }
}
