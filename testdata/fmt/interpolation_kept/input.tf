locals {
  a = "${var.a}${var.b}"
  b = "x-${ var.a }"
  c = "${var.a}-x"
  d = "plain"
  e = "$${not_interpolated}"
}
