locals {
  a = -1
  b = 5 - -1
  c = !var.enabled
  d = var.x * -var.y
  e = [-1, -2]
  f = (-var.x)
  g = !var.y
}
