locals {
  sku = (
  var.premium
  ? "Premium"
  : "Standard"
  )
  tier = var.premium ? "Premium":"Standard"
}
