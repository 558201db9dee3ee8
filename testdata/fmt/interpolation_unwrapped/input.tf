locals {
  a = "${var.name}"
  b = "${var.a ? 1 : 2}"
  c = "${
    var.name
  }"
  d = "${var.x ?
    "y" : "z"}"
  e = "${lower("ABC")}"
}
