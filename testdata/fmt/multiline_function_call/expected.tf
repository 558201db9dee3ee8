locals {
  merged = merge(
    var.tags,
    {
      environment = var.environment
      owner       = "network-team"
    },
  )
  cidr = cidrsubnet(var.address_space,
    8,
  1)
}
