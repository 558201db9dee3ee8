locals {
  a = max(var.list ...)
  b = concat(var.a,var.b ...)
}
