locals {
  a = var.x?1:2
  b = var.x ? var.y ? "both" : "x" : "neither"
  c = var.x!=null&&var.y>0 ? var.x : null
}
