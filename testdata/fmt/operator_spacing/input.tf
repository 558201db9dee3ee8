locals {
  a = 1+2*3/4%5
  b = var.a==var.b
  c = var.a>=1&&var.b<=2||var.c<3&&var.d>4
  d = var.a !=  var.b
}
