locals {
  names = [for s in var.sites: upper(s)]
  by_key = {for k,v in var.sites : k=>v.location if v.enabled}
  grouped = {for s in var.sites : s.region => s.name...}
  nested = [for s in var.sites : [for p in s.peerings : p.name]]
}
