sites = { # ERROR: Invalid value for input variable
  ams = {
    location         = "westeurope"
    peering_location = "Amsterdam"
  }
  lon = {
    location = "uksouth"
  }
}
