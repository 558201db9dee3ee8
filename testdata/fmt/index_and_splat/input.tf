locals {
  a = var.list [0]
  b = var.list[ 0 ]
  c = var.circuits[*].id
  d = var.circuits.*.id
  e = var.map["key"].value
  f = azurerm_subnet.gw [ 0 ].id
  g = var.nested[0][1]
}
